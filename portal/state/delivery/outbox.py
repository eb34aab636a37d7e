"""消息发送 (/admin/outbox): the channels' configuration, the outbox by channel and status, the failed
messages and 重新发送 (admins only; the service checks again)."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.models.records.delivery import ChannelState, FailedMessage, OutboxCount
from portal.services.accounts.actor import Actor
from portal.services.delivery import admin
from portal.state.base import PageState


class OutboxAdminState(PageState):
    loaded: bool = False
    channels: list[ChannelState] = []
    counts: list[OutboxCount] = []
    failed: list[FailedMessage] = []

    def _refresh(self, actor: Actor) -> None:
        self.channels = admin.channel_states(actor=actor)
        self.counts = admin.outbox_counts(actor=actor)
        self.failed = admin.failed_messages(actor=actor)
        self.loaded = True

    @rx.event
    def load(self):
        """on_load: everything the page shows; nothing for anyone but an admin."""
        self.loaded, self.channels, self.counts, self.failed = False, [], [], []
        if (actor := self._actor_with_role(Role.ADMIN)) is not None:
            self._refresh(actor)

    @rx.event
    def refresh(self):
        """刷新."""
        return self._act(self._refresh, "已刷新", Role.ADMIN)

    @rx.event
    def resend(self, message_id):
        """重新发送 one failed message (its id as the client sent it: the service parses and checks it)."""
        return self._act(
            lambda actor: admin.resend(actor=actor, message_id=message_id),
            "已重新排队发送",
            Role.ADMIN,
            after=self._refresh,
        )
