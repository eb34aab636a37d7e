"""/staff/intake · 代企业登记诉求: the channel, the enterprise (picked from the 企业台账 or recorded on the spot),
the demand and its files. After 登记诉求 the 推进中心 lands on the demand's page, where 派单 is offered; a
镇街 or 兜底办 handler on the enterprise's file, where the new demand is listed with its status."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import Role
from portal.models.records.common import UnitOption
from portal.models.records.demands import TopicOption
from portal.services.base.errors import ServiceError
from portal.services.demands import form_options
from portal.services.demands.intake import DemandForm
from portal.services.enterprises import intake, registry
from portal.state.base import NOT_ALLOWED, PageState, text_of
from portal.state.classes.similar import SimilarDemandsMixin
from portal.state.enterprises.picker import EnterprisePickerMixin
from portal.state.uploads import StagedUploadsMixin

DEMAND_FIELDS = ("kind", "topic_id", "title", "content", "contact_name", "contact_phone", "suggested_unit_id")
NEW_FIELDS = ("name", "credit_code", "town_unit_id", "industry", "scale")
ROLES = (Role.DISPATCHER, Role.HANDLER)


class IntakeState(SimilarDemandsMixin, EnterprisePickerMixin, StagedUploadsMixin, PageState):
    topics: list[TopicOption] = []
    units: list[UnitOption] = []
    towns: list[UnitOption] = []
    allowed: bool = False
    loaded: bool = False
    new_enterprise: bool = False  # 新增企业 instead of picking one
    form_key: int = 0  # bumped after a registration, so the form starts empty

    def _uploader_roles(self) -> tuple[str, ...]:
        return ROLES

    def _picker_roles(self) -> tuple[str, ...]:
        return ROLES

    def _similar_roles(self) -> tuple[str, ...]:
        return ROLES

    def _similar_enterprise(self) -> int | None:
        return None if self.new_enterprise else (self._chosen_id or None)

    @rx.event
    def load(self):
        """on_load: the options, and whether this viewer may register (镇街 and 兜底办 handlers, the 推进中心)."""
        self._clear_staged()
        self._clear_choice()
        self._clear_similar()
        self.errors, self.new_enterprise = {}, False
        actor = self._actor_with_role(*ROLES)
        self.allowed = actor is not None and registry.may_register(actor=actor)
        if self.allowed:
            options = form_options.form_options()
            self.topics, self.units, self.towns = options["topics"], options["units"], form_options.town_options()
        self.loaded = True

    @rx.event
    def set_new_enterprise(self, on: bool):
        """新增企业 (the enterprise is not in the 企业台账 yet) or back to 查找企业."""
        self.new_enterprise = on is True
        self.errors = {}

    @rx.event
    def register(self, form: dict):
        """登记诉求."""
        actor = self._actor_with_role(*ROLES)
        if actor is None:
            return rx.toast.error(NOT_ALLOWED)
        new = None
        if self.new_enterprise:
            new = registry.EnterpriseForm(**{key: text_of(form, intake.NEW_PREFIX + key) for key in NEW_FIELDS})
        try:
            demand_id, enterprise_id = intake.register_for_enterprise(
                actor=actor,
                form=intake.IntakeForm(
                    channel=text_of(form, "channel"),
                    demand=DemandForm(**{key: text_of(form, key) for key in DEMAND_FIELDS}),
                    enterprise_id=None if self.new_enterprise else self._chosen_id,
                    new=new,
                    files=self._take_staged(actor),
                ),
            )
        except ServiceError as exc:
            return self._fail(exc)
        self._clear_staged()
        self._clear_choice()
        self._clear_similar()
        self.errors, self.new_enterprise, self.form_key = {}, False, self.form_key + 1
        target = (
            routes.staff_demand(demand_id) if actor.role == Role.DISPATCHER else routes.staff_enterprise(enterprise_id)
        )
        return [rx.toast.success("诉求已登记"), rx.redirect(target)]
