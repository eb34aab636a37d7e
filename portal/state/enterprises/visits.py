"""/staff/visits: 走访记录 (新增走访, the list, one visit's 发现问题 and 转为诉求) and 本周征询."""

from __future__ import annotations

import reflex as rx

from portal.core.ids import parse_id
from portal.models.records.collection import ConsultCount, VisitRow
from portal.services.accounts.actor import Actor
from portal.services.base.errors import ServiceError
from portal.services.enterprises import consultation, visits
from portal.state.base import PageState, text_of
from portal.state.enterprises.collecting import READERS, RECORDERS, CollectingMixin


class VisitsState(CollectingMixin, PageState):
    visits: list[VisitRow] = []
    week: list[ConsultCount] = []
    opened: dict[str, str] = {}

    def _refresh(self, actor: Actor) -> None:
        self.visits = visits.list_visits(actor=actor)
        self.week = consultation.week_counts(actor=actor)
        if self.opened_id:
            self._open(actor, self.opened_id)

    def _open(self, actor: Actor, visit_id) -> None:
        row, self.problems = visits.visit_problems(actor=actor, visit_id=visit_id)
        self.opened_id, self.opened = row["id"], {k: str(v) for k, v in row.items()}

    @rx.event
    def load(self):
        """on_load: this week's 征询 and the visits the viewer may see."""
        actor = self._actor_with_role(*READERS)
        self._start(actor)
        self.visits, self.week, self.opened = [], [], {}
        if actor is not None:
            self._refresh(actor)
        self.loaded = True

    @rx.event
    def open_visit(self, visit_id: int):
        """查看: one visit with its 发现问题 and the demands they became."""
        actor = self._actor_with_role(*READERS)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        self.prefill = {}
        try:
            self._open(actor, parse_id(visit_id) or -1)
        except ServiceError as exc:
            return self._fail(exc)

    @rx.event
    def close_visit(self):
        self.opened_id, self.opened, self.problems, self.prefill = 0, {}, [], {}

    @rx.event
    def record(self, form: dict):
        """保存走访: the visit and its 发现问题 rows (empty rows ignored)."""
        values = visits.VisitForm(
            visited_on=text_of(form, "visited_on"),
            enterprise_id=str(self.chosen[0]["id"]) if self.chosen else "",
            visitors=text_of(form, "visitors"),
            summary=text_of(form, "summary"),
            problems=self._row_texts(form, "problem_"),
        )

        def call(actor: Actor) -> None:
            self.opened_id = visits.record_visit(actor=actor, form=values)

        return self._act(call, "走访记录已保存", *RECORDERS, after=self._after_record)
