"""/staff: the counters of what waits for this person or their unit."""

from __future__ import annotations

import reflex as rx

from portal.models.dto import Counter
from portal.models.enums import Role
from portal.services import workbench
from portal.state.base import PageState


class WorkbenchState(PageState):
    counters: list[Counter] = []

    @rx.event
    def load(self):
        """on_load: this role's counters."""
        actor = self._actor()
        self.counters = workbench.workbench_counters(actor=actor) if actor and actor.role != Role.ENTERPRISE else []
