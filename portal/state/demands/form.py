"""/my/demands/new: the submission form, with files checked and parked as soon as they are chosen."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import Role
from portal.models.records.common import UnitOption
from portal.models.records.demands import TopicOption
from portal.models.records.policies import PolicyLink
from portal.services.accounts.enterprise_accounts import enterprise_profile
from portal.services.base.errors import ServiceError
from portal.services.demands import form_options, intake
from portal.services.policies import library
from portal.state.base import NOT_ALLOWED, PageState, text_of
from portal.state.classes.similar import SimilarDemandsMixin
from portal.state.uploads import StagedUploadsMixin

FORM_FIELDS = ("kind", "topic_id", "title", "content", "contact_name", "contact_phone", "suggested_unit_id")


class NewDemandState(SimilarDemandsMixin, StagedUploadsMixin, PageState):
    topics: list[TopicOption] = []
    units: list[UnitOption] = []
    contact_name: str = ""
    contact_phone: str = ""
    kind: str = ""
    suggestions: list[PolicyLink] = []  # for a 咨询: policies that may answer it before it is sent

    def _uploader_roles(self) -> tuple[str, ...]:
        return (Role.ENTERPRISE,)

    def _similar_roles(self) -> tuple[str, ...]:
        return (Role.ENTERPRISE,)

    @rx.event
    def load(self):
        """on_load: the form's options and the contact prefilled from the enterprise's profile."""
        actor = self._actor_with_role(Role.ENTERPRISE)
        self._clear_similar()
        if actor is None:
            self._clear_staged()
            self.reset()
            return
        options = form_options.form_options()
        self.topics, self.units = options["topics"], options["units"]
        self.errors, self.kind, self.suggestions = {}, "", []
        self._clear_staged()
        profile = enterprise_profile(actor=actor)
        self.contact_name, self.contact_phone = profile["联系人"], profile["联系电话"]

    @rx.event
    def set_kind(self, kind: str):
        """The 诉求类型 chosen: suggestions are offered for a 咨询 only."""
        self.kind = kind if isinstance(kind, str) else ""
        if self.kind != "咨询":
            self.suggestions = []

    @rx.event
    def suggest_policies(self, typed: str):
        """After the 标题 or 诉求内容 is written (on blur): published policies that may already answer a 咨询."""
        if self.kind != "咨询" or not isinstance(typed, str) or self._actor_with_role(Role.ENTERPRISE) is None:
            return
        found = library.suggest_for_text(text=typed[:200])
        if found or not self.suggestions:
            self.suggestions = found

    @rx.event
    def submit_demand(self, form: dict):
        """提交诉求, then open the new demand's page."""
        actor = self._actor_with_role(Role.ENTERPRISE)
        if actor is None:
            return rx.toast.error(NOT_ALLOWED)
        values = {key: text_of(form, key) for key in FORM_FIELDS}
        try:
            demand_id = intake.submit_demand(
                actor=actor, form=intake.DemandForm(**values, files=self._take_staged(actor))
            )
        except ServiceError as exc:
            return self._fail(exc)
        self._clear_staged()
        self.errors = {}
        return [rx.toast.success("诉求已提交"), rx.redirect(routes.my_demand(demand_id))]
