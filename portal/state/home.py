"""/: the public figures (本月, 本年), cached by the service for five minutes."""

from __future__ import annotations

import reflex as rx

from portal.models.records.supervision import PeriodSummary
from portal.services.supervision import figures
from portal.state.auth import AuthState


class HomeState(AuthState):
    summaries: list[PeriodSummary] = []

    @rx.event
    def load(self):
        """on_load of the home page: no login needed."""
        self.summaries = figures.public_summary()
