"""/staff/meetings: 座谈会 (新增会议 with its attendees and 意见建议, the list, 转为诉求 per suggestion)."""

from __future__ import annotations

import reflex as rx

from portal.core.ids import parse_id
from portal.models.records.collection import MeetingRow
from portal.models.records.common import UnitOption
from portal.models.records.enterprises import EnterpriseChoice
from portal.services.accounts.actor import Actor
from portal.services.base.errors import ServiceError
from portal.services.demands import form_options
from portal.services.enterprises import meetings
from portal.state.base import PageState, text_of
from portal.state.enterprises.collecting import READERS, RECORDERS, CollectingMixin

PREFIXED = ("kind", "title", "summary")


class MeetingsState(CollectingMixin, PageState):
    meetings: list[MeetingRow] = []
    opened: dict[str, str] = {}
    units: list[UnitOption] = []
    unit_ids: list[str] = []  # 参会部门 ticked

    def _refresh(self, actor: Actor) -> None:
        self.meetings = meetings.list_meetings(actor=actor)
        if self.opened_id:
            self._open(actor, self.opened_id)

    def _open(self, actor: Actor, meeting_id) -> None:
        row, self.problems = meetings.meeting_problems(actor=actor, meeting_id=meeting_id)
        self.opened_id, self.opened = row["id"], {k: str(v) for k, v in row.items()}

    def _with_choice(self, picked: EnterpriseChoice) -> list[EnterpriseChoice]:
        return [*self.chosen, picked][: meetings.ATTENDEES_MAX]

    @rx.var
    def chosen_units(self) -> list[UnitOption]:
        return [u for u in self.units if u["id"] in self.unit_ids]

    @rx.event
    def load(self):
        """on_load: the meetings the viewer may see; the departments to tick."""
        actor = self._actor_with_role(*READERS)
        self._start(actor)
        self.meetings, self.opened, self.unit_ids = [], {}, []
        self.units = form_options.form_options()["units"] if self.may_record else []
        if actor is not None:
            self._refresh(actor)
        self.loaded = True

    @rx.event
    def toggle_unit(self, unit_id: str, ticked: bool):
        """参会部门: tick or untick a department."""
        if not isinstance(unit_id, str) or all(u["id"] != unit_id for u in self.units):
            return
        rest = [u for u in self.unit_ids if u != unit_id]
        self.unit_ids = [*rest, unit_id] if ticked is True else rest

    @rx.event
    def open_meeting(self, meeting_id: int):
        """查看: one meeting with its 意见建议 and the demands they became."""
        actor = self._actor_with_role(*READERS)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        self.prefill = {}
        try:
            self._open(actor, parse_id(meeting_id) or -1)
        except ServiceError as exc:
            return self._fail(exc)

    @rx.event
    def close_meeting(self):
        self.opened_id, self.opened, self.problems, self.prefill = 0, {}, [], {}

    @rx.event
    def record(self, form: dict):
        """保存会议: the meeting, its attendees and its 意见建议 rows."""
        suggestions = [
            meetings.Suggestion(
                text=text_of(form, f"suggestion_{i}"),
                enterprise_id=text_of(form, f"suggestion_enterprise_{i}"),
                unit_id=text_of(form, f"suggestion_unit_{i}"),
            )
            for i in self.rows
        ]
        values = meetings.MeetingForm(
            kind=text_of(form, "meeting_kind"),
            title=text_of(form, "meeting_title"),
            held_on=text_of(form, "held_on"),
            summary=text_of(form, "meeting_summary"),
            enterprise_ids=[str(c["id"]) for c in self.chosen],
            unit_ids=list(self.unit_ids),
            suggestions=suggestions,
        )

        def call(actor: Actor) -> None:
            self.opened_id = meetings.record_meeting(actor=actor, form=values)

        result = self._act(call, "会议记录已保存", *RECORDERS, after=self._after_record)
        # The meeting form's fields are prefixed: the 转为诉求 form on the same page has a kind and a title.
        self.errors = {(f"meeting_{k}" if k in PREFIXED else k): v for k, v in self.errors.items()}
        if not self.errors:
            self.unit_ids = []
        return result
