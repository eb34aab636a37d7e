"""/my/notifications and /staff/notifications: the viewer's inbox, a page at a time (only the page sits in the
state), with 只看未读."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.models.records.common import NotificationRow, Page
from portal.services.accounts.actor import Actor
from portal.services.base import notices
from portal.state.base import PageState
from portal.state.demands.lists import PagedListMixin


class NotificationsState(PagedListMixin, PageState):
    rows: list[NotificationRow] = []
    unread_only: bool = False

    def _allowed_roles(self) -> tuple[str, ...]:
        return tuple(Role)

    def _fetch(self, actor: Actor, page: int) -> Page:
        return notices.notification_page(actor=actor, page=page, unread_only=self.unread_only)

    @rx.event
    def load(self):
        """on_load: the newest notices, all of them."""
        self.page, self.unread_only, self.loaded = 1, False, False
        self._reload()

    @rx.event
    def set_unread_only(self, checked: bool):
        """只看未读 on or off: back to the first page."""
        self.unread_only, self.page = checked is True, 1
        self._reload()

    @rx.event
    def mark_all_read(self):
        """全部已读."""
        actor = self._actor()
        if actor is None:
            return
        notices.mark_all_read(actor=actor)
        self.unread = 0
        self._reload()
