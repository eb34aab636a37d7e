"""/staff/enterprises · 企业台账 (search, paged, 新增企业) and /staff/enterprises/[id] · 企业档案 (read; edit
for the 推进中心 and the enterprise's own 镇街)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.core.ids import parse_id
from portal.models.enums import Role
from portal.models.records.common import Page, UnitOption
from portal.models.records.enterprises import EnterpriseFile, EnterpriseRow, StaffOption
from portal.services.accounts.actor import Actor
from portal.services.base.errors import ServiceError
from portal.services.demands import form_options
from portal.services.enterprises import ledger, registry
from portal.state.base import NOT_ALLOWED, PageState, text_of
from portal.state.demands.lists import PagedListMixin

READERS = (Role.DISPATCHER, Role.HANDLER, Role.LEADER)
FILTER_FIELDS = ("name", "credit_code", "town_unit_id", "industry")
PROFILE_FIELDS = ("town_unit_id", "industry", "scale", "contact_name", "contact_phone", "address")
FILE_FIELDS = ("industry_unit_id", "service_user_id", "operations", "difficulties", "development_plans")


class EnterpriseListState(PagedListMixin, PageState):
    rows: list[EnterpriseRow] = []
    towns: list[UnitOption] = []
    may_add: bool = False
    adding: bool = False
    _filters: dict = {}

    def _allowed_roles(self) -> tuple[str, ...]:
        return READERS

    def _fetch(self, actor: Actor, page: int) -> Page:
        return ledger.search_enterprises(actor=actor, filters=self._filters, page=page)

    @rx.event
    def load(self):
        """on_load: every enterprise of the viewer's area, first page."""
        self._filters, self.page, self.adding, self.errors = {}, 1, False, {}
        self.towns = form_options.town_options()
        actor = self._actor_with_role(*READERS)
        self.may_add = actor is not None and registry.may_register(actor=actor)
        self._reload()

    @rx.event
    def search(self, form: dict):
        """搜索 by 企业名称, 统一社会信用代码, 所属镇街, 所属行业."""
        self._filters = {key: text_of(form, key)[:100] for key in FILTER_FIELDS}
        self.page = 1
        self._reload()

    @rx.event
    def set_adding(self, on: bool):
        """Show or hide the 新增企业 form."""
        self.adding, self.errors = on is True, {}

    @rx.event
    def create(self, form: dict):
        """新增企业, then open its file."""
        actor = self._actor_with_role(Role.DISPATCHER, Role.HANDLER)
        if actor is None:
            return rx.toast.error(NOT_ALLOWED)
        fields = ("name", "credit_code", *PROFILE_FIELDS)
        try:
            new_id = registry.create_enterprise(
                actor=actor, form=registry.EnterpriseForm(**{key: text_of(form, key) for key in fields})
            )
        except ServiceError as exc:
            return self._fail(exc)
        self.errors, self.adding = {}, False
        return [rx.toast.success("企业已新增"), rx.redirect(routes.staff_enterprise(new_id))]


class EnterpriseFileState(PageState):
    file: EnterpriseFile = {}
    loaded: bool = False
    not_found: bool = False
    editing: bool = False
    towns: list[UnitOption] = []
    departments: list[UnitOption] = []
    staff: list[StaffOption] = []
    _enterprise_id: int = 0
    _version: int = 0  # the version the page shows: a save compares against it

    def _refresh(self, actor: Actor) -> None:
        try:
            self.file = ledger.enterprise_file(actor=actor, enterprise_id=self._enterprise_id)
        except ServiceError:
            self.file, self.not_found, self._version = {}, True, 0
            return
        self.not_found, self._version = False, self.file["version"]

    @rx.event
    def load(self):
        """on_load: the file named by the path (only within the viewer's area)."""
        self.loaded, self.editing, self.errors, self.file = False, False, {}, {}
        path = str(self.router.url.path or "") if self.router else ""
        self._enterprise_id = parse_id(path.rstrip("/").rsplit("/", 1)[-1]) or 0
        actor = self._actor_with_role(*READERS)
        if actor is None:
            self.not_found, self.loaded = True, True
            return
        self._refresh(actor)
        self.loaded = True

    @rx.event
    def set_editing(self, on: bool):
        """编辑档案 / 取消: the form's choices are loaded when it opens."""
        self.editing, self.errors = on is True and bool(self.file.get("can_edit")), {}
        if self.editing:
            self.towns = form_options.town_options()
            self.departments = form_options.unit_options(kinds=("市直部门",))
            self.staff = registry.service_user_options()

    @rx.event
    def save(self, form: dict):
        """保存档案 (a compare-and-set on the version shown)."""
        fields = {key: text_of(form, key) for key in (*PROFILE_FIELDS, *FILE_FIELDS)}
        return self._act(
            lambda actor: registry.update_enterprise(
                actor=actor,
                enterprise_id=self._enterprise_id,
                version=self._version,
                form=registry.EnterpriseForm(**fields),
            ),
            "企业档案已保存",
            Role.DISPATCHER,
            Role.HANDLER,
            after=self._after_save,
        )

    def _after_save(self, actor: Actor) -> None:
        self.editing = False
        self._refresh(actor)
