"""/staff/enterprises/claims · 企业账号认领: the centre finds an enterprise by its credit code, checks the
licence, and hands the real enterprise a new account."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.models.records.accounts import ClaimableEnterprise
from portal.services.accounts import claims
from portal.services.base.errors import ServiceError
from portal.state.base import NOT_ALLOWED, PageState, text_of


class EnterpriseClaimState(PageState):
    found: ClaimableEnterprise = {}
    searched: bool = False
    issued_username: str = ""
    # Shown once to the dispatcher who hands it to the enterprise; gone on the next search or page load.
    initial_password: str = ""
    _credit_code: str = ""

    @rx.event
    def load(self):
        """on_load: a clean form (nothing of an earlier claim stays on screen)."""
        self._clear_claim()

    def _clear_claim(self) -> None:
        self.found, self.searched, self.issued_username, self.initial_password = {}, False, "", ""
        self._credit_code, self.errors = "", {}

    @rx.event
    def find(self, form: dict):
        """查询: the enterprise registered under the code, with its accounts."""
        self._clear_claim()
        actor = self._actor_with_role(Role.DISPATCHER, Role.ADMIN)
        if actor is None:
            return rx.toast.error(NOT_ALLOWED)
        code = text_of(form, "credit_code")
        try:
            self.found = claims.find_claimable(actor=actor, credit_code=code)
        except ServiceError as exc:
            return self._fail(exc)
        finally:
            self.searched = True
        self._credit_code = self.found["credit_code"]
        return None

    @rx.event
    def reassign(self, form: dict):
        """确认认领: disable the old accounts and issue the new one."""
        if not self._credit_code:
            return rx.toast.error("请先查询企业")
        issued: dict[str, str] = {}

        def call(actor):
            issued["username"], issued["password"] = claims.reassign_account(
                actor=actor,
                credit_code=self._credit_code,
                contact_name=text_of(form, "contact_name"),
                contact_phone=text_of(form, "contact_phone"),
                username=text_of(form, "username"),
                evidence=text_of(form, "evidence"),
            )

        result = self._act(call, "账号已认领,原账号已停用", Role.DISPATCHER, Role.ADMIN)
        if issued:
            self.found = claims.find_claimable(actor=self._actor(), credit_code=self._credit_code)
            self.issued_username, self.initial_password = issued["username"], issued["password"]
        return result
