"""/staff: the counters of what waits for this person or their unit."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.models.records.common import Counter
from portal.models.records.supervision import MonthPoint
from portal.services.calendar import admin
from portal.services.demands import workbench
from portal.services.supervision import figures
from portal.state.base import PageState


class WorkbenchState(PageState):
    counters: list[Counter] = []
    calendar_warning: str = ""
    series: list[MonthPoint] = []  # a leader's 12 months of received and closed

    @rx.event
    def load(self):
        """on_load: this role's counters."""
        actor = self._actor()
        staff = actor is not None and actor.role != Role.ENTERPRISE
        self.counters = workbench.workbench_counters(actor=actor) if staff else []
        self.calendar_warning = admin.next_year_warning() if staff else ""
        self.series = figures.monthly_series(actor=actor) if staff and actor.role == Role.LEADER else []
