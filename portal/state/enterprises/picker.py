"""The enterprise picker's state: as the name or credit code is typed, up to ten enterprises of the viewer's
area; one is chosen. A mixin, so every form that names an enterprise (代企业登记诉求, later 新增走访 and
新增会议) gets its own; the chosen id stays server-side (``_chosen_id``), never taken from the client."""

from __future__ import annotations

import reflex as rx

from portal.models.records.enterprises import EnterpriseChoice
from portal.services.base.errors import ServiceError
from portal.services.enterprises import ledger
from portal.state.base import NOT_ALLOWED

EMPTY_CHOICE = EnterpriseChoice(id=0, name="", credit_code="", town_name="")


class EnterprisePickerMixin(rx.State, mixin=True):
    lookup_text: str = ""
    choices: list[EnterpriseChoice] = []
    looked_up: bool = False  # a lookup has answered (so "未找到" is true, not premature)
    chosen: EnterpriseChoice = dict(EMPTY_CHOICE)
    _chosen_id: int = 0

    def _picker_roles(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _clear_choice(self) -> None:
        self.lookup_text, self.choices, self.looked_up = "", [], False
        self.chosen, self._chosen_id = dict(EMPTY_CHOICE), 0

    @rx.event
    def lookup(self, text: str):
        """As the name or credit code is typed (debounced by the input)."""
        actor = self._actor_with_role(*self._picker_roles())
        if actor is None:
            return rx.toast.error(NOT_ALLOWED)
        self.lookup_text = text[:100] if isinstance(text, str) else ""
        if len(self.lookup_text.strip()) < 2:
            self.choices, self.looked_up = [], False
            return None
        self.choices = ledger.lookup_enterprises(actor=actor, query=self.lookup_text)
        self.looked_up = True
        return None

    @rx.event
    def choose(self, enterprise_id: int):
        """选择 one of the enterprises found (checked again: the id comes from the client)."""
        actor = self._actor_with_role(*self._picker_roles())
        if actor is None:
            return rx.toast.error(NOT_ALLOWED)
        try:
            choice = ledger.enterprise_choice(actor=actor, enterprise_id=enterprise_id)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.chosen, self._chosen_id = choice, choice["id"]
        self.choices, self.looked_up = [], False
        self.errors = {k: v for k, v in self.errors.items() if k != "enterprise_id"}
        return None

    @rx.event
    def clear_choice(self):
        """重新选择."""
        self._clear_choice()
