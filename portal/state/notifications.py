"""/my/notifications and /staff/notifications: the viewer's inbox."""

from __future__ import annotations

import reflex as rx

from portal.models.records.common import NotificationRow
from portal.services.base import notices
from portal.state.base import PageState


class NotificationsState(PageState):
    items: list[NotificationRow] = []
    loaded: bool = False  # 加载中 until the first answer

    @rx.event
    def load(self):
        """on_load: the newest notices."""
        actor = self._actor()
        self.items = notices.list_notifications(actor=actor) if actor else []
        self.loaded = True

    @rx.event
    def mark_all_read(self):
        """全部已读."""
        actor = self._actor()
        if actor is None:
            return
        notices.mark_all_read(actor=actor)
        self.items = notices.list_notifications(actor=actor)
        self.unread = 0
