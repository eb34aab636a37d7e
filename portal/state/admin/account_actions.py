"""/admin 用户 · actions on any account (重置密码 shown once, 解锁) and the enterprise accounts: search,
停用 / 启用, 准予试点代码 (admins only)."""

from __future__ import annotations

import reflex as rx

from portal.core.ids import parse_id
from portal.models.enums import Role
from portal.models.records.accounts import EnterpriseAccountRow
from portal.services.accounts import staff_accounts, user_admin
from portal.services.accounts.actor import Actor
from portal.state.admin.staff_accounts import StaffAccountsState
from portal.state.base import PageState, text_of


class AccountActionsState(PageState):
    enterprise_accounts: list[EnterpriseAccountRow] = []
    enterprise_query: str = ""
    searched: bool = False
    # The password just reset, shown once: it is cleared when dismissed, on the next action and on load.
    revealed_password: str = ""
    revealed_for: str = ""

    @rx.event
    def load(self):
        """on_load of /admin: nothing revealed, the newest enterprise accounts."""
        self.revealed_password, self.revealed_for = "", ""
        actor = self._actor_with_role(Role.ADMIN)
        self.enterprise_accounts = user_admin.search_enterprise_accounts(actor=actor, query="") if actor else []
        self.enterprise_query, self.searched = "", actor is not None

    async def _refresh_lists(self, actor: Actor) -> None:
        staff = await self.get_state(StaffAccountsState)
        staff.users = staff_accounts.list_users(actor=actor)
        self.enterprise_accounts = user_admin.search_enterprise_accounts(actor=actor, query=self.enterprise_query)

    @rx.event
    async def reset_password(self, user_id: int, username: str):
        """重置密码: the new password is shown here once."""
        password: list[str] = []
        result = self._act(
            lambda a: password.append(user_admin.reset_password(actor=a, user_id=parse_id(user_id) or -1)),
            "密码已重置,请将新密码当面交给本人",
            Role.ADMIN,
        )
        self.revealed_password = password[0] if password else ""
        self.revealed_for = str(username) if password else ""
        if password and (actor := self._actor_with_role(Role.ADMIN)):
            await self._refresh_lists(actor)
        return result

    @rx.event
    def dismiss_password(self):
        """我已记下: the password leaves the page (and the server's copy of it)."""
        self.revealed_password, self.revealed_for = "", ""

    @rx.event
    async def unlock(self, user_id: int):
        """解锁: the account's login lock is lifted."""
        self.revealed_password = ""
        result = self._act(
            lambda a: user_admin.unlock_account(actor=a, user_id=parse_id(user_id) or -1), "已解除锁定", Role.ADMIN
        )
        if not self.errors and (actor := self._actor_with_role(Role.ADMIN)):
            await self._refresh_lists(actor)
        return result

    @rx.event
    async def set_enterprise_active(self, user_id: int, active: bool):
        """停用 / 启用 an enterprise account (its sessions end when switched off)."""
        result = self._act(
            lambda a: staff_accounts.set_user_active(actor=a, user_id=parse_id(user_id) or -1, active=active is True),
            "已启用" if active is True else "已停用",
            Role.ADMIN,
        )
        if not self.errors and (actor := self._actor_with_role(Role.ADMIN)):
            await self._refresh_lists(actor)
        return result

    @rx.event
    def search_enterprises(self, form: dict):
        """查询 enterprise accounts by username, name, credit code or contact."""
        self.enterprise_query = text_of(form, "enterprise_query")[:50]
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        self.enterprise_accounts = user_admin.search_enterprise_accounts(actor=actor, query=self.enterprise_query)
        self.searched = True
        return None

    @rx.event
    def admit_pilot_code(self, form: dict):
        """准予试点代码."""
        return self._act(
            lambda a: user_admin.admit_pilot_code(
                actor=a, credit_code=text_of(form, "pilot_code"), reason=text_of(form, "pilot_reason")
            ),
            "已准予,该企业现在可以用此代码注册",
            Role.ADMIN,
        )
