"""/admin 用户, beyond creating and switching staff accounts (``AdminState``): edit a staff account,
reset a password (shown once), lift a login lock, find enterprise accounts, admit a pilot credit code."""

from __future__ import annotations

import reflex as rx

from portal.core.ids import parse_id
from portal.models.admin_dto import EnterpriseAccountAdminRow
from portal.models.dto import Actor
from portal.models.enums import Role
from portal.services import staff_accounts, user_admin
from portal.state.admin import AdminState
from portal.state.base import PageState, text_of

# Field names are prefixed: /admin holds the account-creation form with the same names.
PREFIX = "edit_"


class UserAdminState(PageState):
    editing_id: int = 0
    editing_username: str = ""
    form: dict[str, str] = {}
    form_version: int = 0
    enterprise_accounts: list[EnterpriseAccountAdminRow] = []
    enterprise_query: str = ""
    searched: bool = False
    # The password just reset, shown once: it is cleared when dismissed, on the next action and on load.
    revealed_password: str = ""
    revealed_for: str = ""

    @rx.event
    def load(self):
        """on_load of /admin: nothing revealed, no form open, the newest enterprise accounts."""
        self.editing_id, self.form, self.revealed_password, self.revealed_for = 0, {}, "", ""
        actor = self._actor_with_role(Role.ADMIN)
        self.enterprise_accounts = user_admin.search_enterprise_accounts(actor=actor, query="") if actor else []
        self.enterprise_query, self.searched = "", actor is not None

    async def _refresh_lists(self, actor: Actor) -> None:
        admin = await self.get_state(AdminState)
        admin.users = staff_accounts.list_users(actor=actor)
        self.enterprise_accounts = user_admin.search_enterprise_accounts(actor=actor, query=self.enterprise_query)

    @rx.event
    async def open_edit(self, user: dict):
        """编辑: the row's fields into the form (the row as the list shows it)."""
        self.revealed_password, self.errors = "", {}
        self.editing_id = parse_id(user.get("id") if isinstance(user, dict) else None) or 0
        self.editing_username = text_of(user, "username")
        self.form = {PREFIX + k: text_of(user, k) for k in ("display_name", "role", "unit_id", "phone")}
        self.form_version += 1

    @rx.event
    def cancel_edit(self):
        self.editing_id, self.form, self.errors = 0, {}, {}

    @rx.event
    async def save(self, form: dict):
        """保存 the staff account being edited."""
        editing = self.editing_id
        result = self._act(
            lambda a: user_admin.update_staff_user(
                actor=a,
                user_id=editing or -1,
                display_name=text_of(form, PREFIX + "display_name"),
                role=text_of(form, PREFIX + "role"),
                unit_id=text_of(form, PREFIX + "unit_id"),
                phone=text_of(form, PREFIX + "phone"),
            ),
            "账号已保存",
            Role.ADMIN,
        )
        self.errors = {PREFIX + key: message for key, message in self.errors.items()}
        if not self.errors and (actor := self._actor_with_role(Role.ADMIN)):
            self.editing_id, self.form = 0, {}
            await self._refresh_lists(actor)
        return result

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
