"""What /staff/visits and /staff/meetings share: the as-you-type enterprise lookup, the rows of 发现问题 /
意见建议 being typed, the opened record's problems and 转为诉求. A mixin: each page state gets its own copy."""

from __future__ import annotations

from dataclasses import fields

import reflex as rx

from portal.core.ids import parse_id
from portal.models.enums import Role
from portal.models.records.collection import ProblemRow
from portal.models.records.demands import TopicOption
from portal.models.records.enterprises import EnterpriseChoice
from portal.services.accounts.actor import Actor
from portal.services.base.errors import ServiceError
from portal.services.demands import form_options
from portal.services.enterprises import collected
from portal.state.base import text_of

RECORDERS = (Role.DISPATCHER, Role.HANDLER)
READERS = (Role.DISPATCHER, Role.HANDLER, Role.LEADER)
ROWS_START, ROWS_MAX = 2, collected.PROBLEMS_MAX


class CollectingMixin(rx.State, mixin=True):
    loaded: bool = False
    may_record: bool = False
    lookup: list[EnterpriseChoice] = []
    chosen: list[EnterpriseChoice] = []
    rows: list[int] = list(range(ROWS_START))
    opened_id: int = 0
    problems: list[ProblemRow] = []
    topics: list[TopicOption] = []
    prefill: dict[str, str] = {}
    form_version: int = 0

    def _refresh(self, actor: Actor) -> None:
        """Reload the page's list and the opened record (each page its own)."""
        raise NotImplementedError

    def _start(self, actor: Actor | None) -> None:
        """on_load: everything forgotten, then the page's data for ``actor`` (None: nothing)."""
        self.lookup, self.chosen, self.rows, self.opened_id, self.problems = [], [], list(range(ROWS_START)), 0, []
        self.prefill, self.errors, self.loaded = {}, {}, False
        self.may_record = actor is not None and actor.role in RECORDERS
        self.topics = form_options.form_options()["topics"] if self.may_record else []

    def _row_texts(self, form, prefix: str) -> list[str]:
        return [text_of(form, f"{prefix}{i}") for i in self.rows]

    def _after_record(self, actor: Actor) -> None:
        self.chosen, self.lookup, self.rows = [], [], list(range(ROWS_START))
        self.form_version += 1
        self._refresh(actor)

    @rx.event
    def find(self, query: str):
        """As you type the enterprise's name or credit code: up to ten of your area's enterprises."""
        actor = self._actor_with_role(*RECORDERS)
        self.lookup = collected.lookup_enterprises(actor=actor, query=query) if actor and query else []

    @rx.event
    def choose(self, enterprise_id: int):
        """Pick one of the looked-up enterprises (only those the server offered this viewer)."""
        picked = next((c for c in self.lookup if c["id"] == parse_id(enterprise_id)), None)
        if picked is not None and all(c["id"] != picked["id"] for c in self.chosen):
            self.chosen = self._with_choice(picked)
        self.lookup = []

    def _with_choice(self, picked: EnterpriseChoice) -> list[EnterpriseChoice]:
        return [picked]

    @rx.event
    def unchoose(self, enterprise_id: int):
        self.chosen = [c for c in self.chosen if c["id"] != parse_id(enterprise_id)]

    @rx.event
    def add_row(self):
        """添加一行."""
        if len(self.rows) < ROWS_MAX:
            self.rows = [*self.rows, (self.rows[-1] + 1) if self.rows else 0]

    @rx.event
    def start_convert(self, problem_id: int):
        """转为诉求: the demand form, pre-filled from the problem and its enterprise."""
        actor = self._actor_with_role(*RECORDERS)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        try:
            self.prefill = {k: str(v) for k, v in collected.problem_prefill(actor=actor, problem_id=problem_id).items()}
        except ServiceError as exc:
            return self._fail(exc)
        self.errors = {}
        self.form_version += 1

    @rx.event
    def cancel_convert(self):
        self.prefill, self.errors = {}, {}

    @rx.event
    def convert(self, form: dict):
        """转为诉求 (submit): the problem becomes a demand; the list shows its code and status."""
        problem_id = parse_id(self.prefill.get("problem_id", ""))
        values = collected.ConvertForm(**{f.name: text_of(form, f.name) for f in fields(collected.ConvertForm)})

        def call(actor: Actor) -> None:
            collected.convert_problem(actor=actor, problem_id=problem_id or -1, form=values)
            self.prefill = {}

        return self._act(call, "已转为诉求", *RECORDERS, after=self._refresh)
