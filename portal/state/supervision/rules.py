"""/admin 时限规则: the limits and supervision thresholds (admins only)."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.models.records.admin import RuleRow
from portal.services.accounts.actor import Actor
from portal.services.supervision import rules as rules_admin
from portal.state.base import PageState, text_of


class RulesState(PageState):
    rules: list[RuleRow] = []

    @rx.var
    def rule_options(self) -> list[dict[str, str]]:
        return [{"id": r["key"], "name": r["label"]} for r in self.rules]

    def _reload(self, actor: Actor) -> None:
        self.rules = rules_admin.list_rules(actor=actor)

    @rx.event
    def load(self):
        """on_load of /admin: the current rules."""
        actor = self._actor_with_role(Role.ADMIN)
        self.errors = {}
        if actor is None:
            self.rules = []
            return
        self._reload(actor)

    @rx.event
    def save(self, form: dict):
        """保存规则: one rule's new value (applies to orders dispatched from now on)."""
        return self._act(
            lambda a: rules_admin.update_rule(
                actor=a, key=text_of(form, "rule_key"), value=text_of(form, "rule_value")
            ),
            "规则已保存,此后派发的工单适用",
            Role.ADMIN,
            after=self._reload,
        )
