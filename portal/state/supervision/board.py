"""/staff/supervision: the board. Dispatchers act (催办, 撤销黄牌); leaders read."""

from __future__ import annotations

import reflex as rx

from portal.core.ids import parse_id
from portal.models.enums import Role
from portal.models.records.supervision import BoardUnit, CardRow, OverdueRow, SupervisionNoticeRow, SuspectRow
from portal.services.accounts.actor import Actor
from portal.services.supervision import board as supervision_board
from portal.services.supervision import urging
from portal.state.base import PageState, text_of


class SupervisionState(PageState):
    units: list[BoardUnit] = []
    overdue: list[OverdueRow] = []
    notices: list[SupervisionNoticeRow] = []
    suspects: list[SuspectRow] = []
    cards: list[CardRow] = []
    loaded: bool = False
    month: str = ""  # YYYY-MM whose cards the board shows ("" = this month)
    months: list[str] = []

    @rx.var
    def may_act(self) -> bool:
        """Only the 推进中心 urges and revokes; a leader's board has no buttons."""
        return self.viewer.get("role") == Role.DISPATCHER

    @rx.var
    def standing_cards(self) -> list[CardRow]:
        return [c for c in self.cards if not c["revoked"]]

    def _reload(self, actor: Actor) -> None:
        self.months = supervision_board.recent_months()
        if self.month not in self.months:
            self.month = self.months[0]
        self.units = supervision_board.board_units(actor=actor, month=self.month)
        self.overdue = supervision_board.overdue_orders(actor=actor)
        self.notices = supervision_board.recent_notices(actor=actor)
        self.suspects = supervision_board.suspected_false_feedback(actor=actor)
        self.cards = supervision_board.card_history(actor=actor)
        self.loaded = True

    @rx.event
    def load(self):
        """on_load: the whole board."""
        actor = self._actor_with_role(Role.DISPATCHER, Role.LEADER)
        if actor is None:
            self.units, self.overdue, self.notices, self.suspects, self.cards = [], [], [], [], []
            self.loaded = True
            return
        self._reload(actor)

    @rx.event
    def set_month(self, month: str):
        """Show another month's cards (one of the last twelve)."""
        actor = self._actor_with_role(Role.DISPATCHER, Role.LEADER)
        if actor is None or month not in self.months:
            return
        self.month = month
        self.units = supervision_board.board_units(actor=actor, month=month)

    @rx.event
    def urge(self, order_id: int):
        """催办 one overdue order."""
        return self._act(
            lambda a: urging.urge(actor=a, order_id=parse_id(order_id) or -1),
            "已催办,承办单位将收到通知",
            Role.DISPATCHER,
            after=self._reload,
        )

    @rx.event
    def revoke_card(self, form: dict):
        """撤销黄牌 with a reason."""
        return self._act(
            lambda a: urging.revoke_card(
                actor=a, card_id=parse_id(text_of(form, "card_id")) or -1, reason=text_of(form, "reason")
            ),
            "黄牌已撤销",
            Role.DISPATCHER,
            after=self._reload,
        )
