"""/: the public figures (本月, 本年, cached by the service for five minutes) and 最新政策."""

from __future__ import annotations

import reflex as rx

from portal.models.records.policies import PolicyBrief
from portal.models.records.supervision import LimitPromise, PeriodSummary
from portal.services.policies.newest import newest_policies
from portal.services.supervision import figures, rules
from portal.state.auth import AuthState


class HomeState(AuthState):
    summaries: list[PeriodSummary] = []
    policies: list[PolicyBrief] = []
    promise: list[LimitPromise] = []
    loaded: bool = False  # 加载中 until the server has answered

    @rx.event
    def load(self):
        """on_load of the home page: no login needed."""
        self.summaries = figures.public_summary()
        self.policies = newest_policies()
        self.promise = rules.public_promise()
        self.loaded = True
