"""/staff/rectifications (差评整改): the cases, one selected case and its forms. The selected case's id is
kept server-side once the service has shown it to this viewer; every service re-checks role and unit."""

from __future__ import annotations

import reflex as rx

from portal.core.ids import parse_id
from portal.models.enums import SUB_SCORES, Role
from portal.models.records.demands import RectificationPanel, RectificationRow
from portal.services.accounts.actor import Actor
from portal.services.base.errors import ServiceError
from portal.services.demands import appeals, rectification_cases
from portal.state.base import PageState, text_of
from portal.state.uploads import StagedUploadsMixin

_VIEWERS = (Role.DISPATCHER, Role.HANDLER, Role.LEADER)
_YES_NO = {"是": True, "否": False}


def rating_fields(form) -> dict:
    """The fields of a rating form as typed (the service checks them): 满意度, 是否已与您联系, 意见建议 and
    the optional sub-scores."""
    return {
        "satisfaction": text_of(form, "satisfaction"),
        "contacted": _YES_NO.get(text_of(form, "contacted")),
        "comment": text_of(form, "comment"),
        "scores": {key: text_of(form, key) for key in SUB_SCORES},
    }


class RectificationsState(StagedUploadsMixin, PageState):
    rows: list[RectificationRow] = []
    loaded: bool = False
    status: str = ""  # "" = all
    panel: RectificationPanel = {}
    _case_id: int = 0

    def _uploader_roles(self) -> tuple[str, ...]:
        return (Role.HANDLER,)  # 申诉材料

    def _reload(self, actor: Actor) -> None:
        self.rows = rectification_cases.list_cases(actor=actor, status=self.status)
        self.loaded = True
        if self._case_id:
            try:
                self.panel = rectification_cases.case_panel(actor=actor, case_id=self._case_id)
            except ServiceError:
                self.panel, self._case_id = {}, 0

    @rx.event
    def load(self):
        """on_load: every case the viewer may see."""
        self.panel, self._case_id = {}, 0
        self._clear_staged()
        actor = self._actor_with_role(*_VIEWERS)
        if actor is None:
            self.rows, self.loaded = [], True
            return
        self._reload(actor)

    @rx.event
    def set_status(self, status: str):
        """筛选 by status (one of the case statuses, or 全部)."""
        actor = self._actor_with_role(*_VIEWERS)
        if actor is None:
            return
        self.status = status if status in rectification_cases.STATUSES else ""
        self._reload(actor)

    @rx.event
    def select_case(self, case_id: int):
        """查看 one case: its panel, if the service shows it to this viewer."""
        actor = self._actor_with_role(*_VIEWERS)
        if actor is None:
            return None
        try:
            self.panel = rectification_cases.case_panel(actor=actor, case_id=parse_id(case_id) or -1)
        except ServiceError as exc:
            self.panel, self._case_id = {}, 0
            return self._fail(exc)
        self._case_id, self.errors = self.panel["row"]["case_id"], {}
        return None

    @rx.event
    def report(self, form: dict):
        """提交整改情况 (the lead unit)."""
        return self._act(
            lambda a: rectification_cases.report_rectification(
                actor=a,
                case_id=self._case_id,
                report=text_of(form, "reply"),
                method=text_of(form, "method"),
                solved=_YES_NO.get(text_of(form, "solved")),
            ),
            "整改情况已提交",
            Role.HANDLER,
            after=self._reload,
        )

    @rx.event
    def appeal(self, form: dict):
        """申诉复核 (the lead unit), with the staged evidence files."""

        def call(actor: Actor) -> None:
            appeals.submit_appeal(
                actor=actor, case_id=self._case_id, reason=text_of(form, "reason"), files=self._take_staged(actor)
            )
            self._clear_staged()

        return self._act(call, "申诉已提交,待推进中心复核", Role.HANDLER, after=self._reload)

    @rx.event
    def revisit(self, form: dict):
        """回访 (the 推进中心): the 回访情况 and, if the enterprise has not rated, the re-rating."""
        return self._act(
            lambda a: rectification_cases.revisit_case(
                actor=a, case_id=self._case_id, note=text_of(form, "note"), **rating_fields(form)
            ),
            "回访已登记",
            Role.DISPATCHER,
            after=self._reload,
        )

    @rx.event
    def decide(self, form: dict):
        """复核申诉 (the 推进中心): 申诉成立 or 申诉不成立, with its opinion."""
        decision = {"uphold": True, "reject": False}.get(text_of(form, "decision"))
        return self._act(
            lambda a: appeals.decide_appeal(
                actor=a, case_id=self._case_id, uphold=decision, opinion=text_of(form, "opinion")
            ),
            "复核结果已登记",
            Role.DISPATCHER,
            after=self._reload,
        )
