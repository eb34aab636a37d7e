"""/staff/classes: candidate groups and confirmed 一类问题 (重新分析 for the centre), and one class's page:
确认为一类问题 with 名称, 牵头单位 and 类问题答复, 移出, 按编号加入, 发送答复."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal.core.ids import parse_id
from portal.models.enums import ClassStatus, Role, UnitKind
from portal.models.records.classes import ClassDetail, ClassRow, MemberRow
from portal.models.records.common import UnitOption
from portal.services.accounts.actor import Actor
from portal.services.base.errors import ServiceError
from portal.services.classes import grouping, problem_classes
from portal.services.demands import form_options
from portal.state.auth import AuthState
from portal.state.base import NOT_ALLOWED, PageState, text_of

READERS = problem_classes.READERS
TABS = [s.value for s in ClassStatus]


class ClassesState(PageState):
    rows: list[ClassRow] = []
    tab: str = ClassStatus.CANDIDATE.value
    loaded: bool = False
    may_act: bool = False
    analysing: bool = False

    def _refresh(self, actor: Actor) -> None:
        self.rows = problem_classes.list_classes(actor=actor, status=self.tab)

    @rx.event
    def load(self):
        """on_load: the groups of the current tab (a handler: the classes its unit leads)."""
        self.loaded, self.rows, self.analysing = False, [], False
        actor = self._actor_with_role(*READERS)
        self.may_act = actor is not None and actor.role == Role.DISPATCHER
        if actor is not None:
            if actor.role == Role.HANDLER:
                self.tab = ClassStatus.CONFIRMED.value
            self._refresh(actor)
        self.loaded = True

    @rx.event
    def set_tab(self, tab: str):
        actor = self._actor_with_role(*READERS)
        if actor is None or tab not in TABS:
            return rx.toast.error(NOT_ALLOWED)
        self.tab = tab
        self._refresh(actor)

    @rx.event
    async def regroup(self):
        """重新分析: the last 30 days' ungrouped demands (bounded), off the event loop."""
        actor = self._actor_with_role(Role.DISPATCHER)
        if actor is None:
            yield rx.toast.error(NOT_ALLOWED)
            return
        if self.analysing:
            return
        self.analysing = True
        yield
        try:
            summary = await asyncio.to_thread(grouping.regroup_recent, actor=actor)
        except ServiceError as exc:
            self.analysing = False
            yield self._fail(exc)
            return
        self.analysing = False
        self._refresh(actor)
        yield rx.toast.success(
            f"已分析{summary['new_demands']}条诉求:新增候选组{summary['groups']}个,加入已有分组{summary['joined']}条"
        )


class ClassCountsState(AuthState):
    """统计通报's 一类问题 figures: each confirmed class with its members, open and closed (dispatchers, leaders)."""

    rows: list[ClassRow] = []
    loaded: bool = False

    @rx.event
    def load(self):
        self.loaded, self.rows = False, []
        actor = self._actor_with_role(Role.DISPATCHER, Role.LEADER)
        if actor is not None:
            self.rows = problem_classes.list_classes(actor=actor, status=ClassStatus.CONFIRMED)
        self.loaded = True


class ClassDetailState(PageState):
    detail: ClassDetail = {}
    members: list[MemberRow] = []
    units: list[UnitOption] = []
    loaded: bool = False
    not_found: bool = False
    may_act: bool = False
    _class_id: int = 0

    def _refresh(self, actor: Actor) -> None:
        try:
            self.detail, self.members = problem_classes.class_detail(actor=actor, class_id=self._class_id)
        except ServiceError:
            self.detail, self.members, self.not_found = {}, [], True
            return
        self.not_found = False

    @rx.event
    def load(self):
        """on_load: the group named by the path, if the viewer may see it."""
        self.loaded, self.errors, self.detail, self.members = False, {}, {}, []
        path = str(self.router.url.path or "") if self.router else ""
        self._class_id = parse_id(path.rstrip("/").rsplit("/", 1)[-1]) or 0
        actor = self._actor_with_role(*READERS)
        self.may_act = actor is not None and actor.role == Role.DISPATCHER
        self.units = [u for u in form_options.unit_options() if u["kind"] != UnitKind.CENTER] if self.may_act else []
        if actor is None:
            self.not_found, self.loaded = True, True
            return
        self._refresh(actor)
        self.loaded = True

    def _do(self, call, success: str):
        return self._act(call, success, Role.DISPATCHER, after=self._refresh)

    @rx.event
    def confirm(self, form: dict):
        """确认为一类问题 / 保存答复."""
        values = problem_classes.ClassForm(
            name=text_of(form, "name"), lead_unit_id=text_of(form, "lead_unit_id"), answer=text_of(form, "answer")
        )
        word = "已保存" if self.detail.get("status") == ClassStatus.CONFIRMED else "已确认为一类问题"
        return self._do(lambda a: problem_classes.confirm_class(actor=a, class_id=self._class_id, form=values), word)

    @rx.event
    def dismiss(self):
        """忽略 a candidate group."""
        return self._do(lambda a: problem_classes.dismiss_class(actor=a, class_id=self._class_id), "已忽略该候选组")

    @rx.event
    def remove(self, member_id: int):
        """移出 one member."""
        return self._do(
            lambda a: problem_classes.remove_member(actor=a, class_id=self._class_id, member_id=member_id), "已移出"
        )

    @rx.event
    def add(self, form: dict):
        """按编号加入."""
        code = text_of(form, "code")
        return self._do(lambda a: problem_classes.add_member(actor=a, class_id=self._class_id, code=code), "已加入")

    @rx.event
    async def send(self):
        """发送答复: the answer to every member that has not received it (one transaction each, off the loop)."""
        actor = self._actor_with_role(Role.DISPATCHER)
        if actor is None:
            return rx.toast.error(NOT_ALLOWED)
        try:
            counts = await asyncio.to_thread(problem_classes.send_answer, actor=actor, class_id=self._class_id)
        except ServiceError as exc:
            return self._fail(exc)
        self.errors = {}
        self._refresh(actor)
        words = f"已向{counts['sent']}件诉求发送答复,{counts['already']}件此前已收到"
        if counts["failed"]:
            return rx.toast.warning(words + f",{counts['failed']}件正在办理中未能发送,请稍后再次发送")
        return rx.toast.success(words)
