"""/my: the enterprise's home — its newest demands, unread 消息, 为您推荐 and, the first time, a guide."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.models.records.common import NotificationRow
from portal.models.records.demands import DemandRow
from portal.models.records.policies import PolicyLink
from portal.models.records.supervision import LimitPromise
from portal.services.base import notices
from portal.services.demands import lists as demand_lists
from portal.services.policies import library
from portal.services.supervision import rules
from portal.state.base import PageState

RECENT = 5


class EnterpriseHomeState(PageState):
    recent: list[DemandRow] = []
    demand_total: str = "0"
    first_time: bool = False  # no demand yet: the guide comes first
    unread_items: list[NotificationRow] = []
    recommendations: list[PolicyLink] = []
    promise: list[LimitPromise] = []
    loaded: bool = False

    @rx.event
    def load(self):
        """on_load: the five newest demands, the unread notices and the recommendations."""
        actor = self._actor_with_role(Role.ENTERPRISE)
        if actor is None:
            self.reset()
            return
        page = demand_lists.my_demands(actor=actor, page=1)
        self.recent = page["rows"][:RECENT]
        self.demand_total = page["total_label"]
        self.first_time = page["total"] == 0
        self.unread_items = [n for n in notices.list_notifications(actor=actor) if n["unread"]][:RECENT]
        self.recommendations = library.recommended_for(enterprise_id=actor.enterprise_id)
        self.promise = rules.public_promise()
        self.loaded = True
