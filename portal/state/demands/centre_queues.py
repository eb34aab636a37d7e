"""/staff/extensions, /staff/revisits, /staff/verifications: the 推进中心's queues, each page loading only its own."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.models.records.demands import ExtensionRow, RevisitRow, VerificationRow
from portal.services.demands import centre_queues
from portal.state.base import PageState


class CentreQueuesState(PageState):
    extensions: list[ExtensionRow] = []
    revisits: list[RevisitRow] = []
    verifications: list[VerificationRow] = []
    # Each queue's page shows 加载中 until its own list has come back once in this tab.
    extensions_loaded: bool = False
    revisits_loaded: bool = False
    verifications_loaded: bool = False

    @rx.event
    def load_extensions(self):
        """on_load of 延期审批."""
        actor = self._actor_with_role(Role.DISPATCHER)
        self.extensions = centre_queues.pending_extensions(actor=actor) if actor else []
        self.extensions_loaded = True

    @rx.event
    def load_revisits(self):
        """on_load of 回访."""
        actor = self._actor_with_role(Role.DISPATCHER)
        self.revisits = centre_queues.open_revisits(actor=actor) if actor else []
        self.revisits_loaded = True

    @rx.event
    def load_verifications(self):
        """on_load of 办结核查."""
        actor = self._actor_with_role(Role.DISPATCHER)
        self.verifications = centre_queues.open_verifications(actor=actor) if actor else []
        self.verifications_loaded = True
