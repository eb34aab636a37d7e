"""/admin 用户 · 职员账号: list, create, edit and switch staff accounts (admins only)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.core.ids import parse_id
from portal.models.enums import Role
from portal.models.records.accounts import UserRow
from portal.models.records.common import UnitOption
from portal.services.accounts import staff_accounts, user_admin
from portal.services.accounts.actor import Actor
from portal.services.demands import form_options
from portal.state.base import PageState, text_of

# Field names are prefixed: the page holds the account-creation form with the same names.
PREFIX = "edit_"


class StaffAccountsState(PageState):
    users: list[UserRow] = []
    unit_options: list[UnitOption] = []
    editing_id: int = 0
    editing_username: str = ""
    form: dict[str, str] = {}
    form_version: int = 0

    def _reload(self, actor: Actor) -> None:
        self.users = staff_accounts.list_users(actor=actor)
        self.unit_options = form_options.unit_options()

    @rx.event
    def load(self):
        """on_load of /admin: the staff accounts and the units to choose from; no form open."""
        self.editing_id, self.form = 0, {}
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            self.users, self.unit_options = [], []
            return rx.redirect(routes.LOGIN)
        self._reload(actor)
        return None

    @rx.event
    def create_staff_user(self, form: dict):
        """创建账号."""
        return self._act(
            lambda a: staff_accounts.create_staff_user(
                actor=a,
                username=text_of(form, "username"),
                display_name=text_of(form, "display_name"),
                role=text_of(form, "role"),
                password=text_of(form, "password"),
                unit_id=parse_id(text_of(form, "unit_id")),
            ),
            "账号已创建",
            Role.ADMIN,
            after=self._reload,
        )

    @rx.event
    def set_user_active(self, user_id: int, active: bool):
        """停用 / 启用 an account."""
        return self._act(
            lambda a: staff_accounts.set_user_active(actor=a, user_id=parse_id(user_id) or -1, active=active is True),
            "已启用" if active is True else "已停用",
            Role.ADMIN,
            after=self._reload,
        )

    @rx.event
    async def open_edit(self, user: dict):
        """编辑: the row's fields into the form (the row as the list shows it)."""
        self.errors = {}
        self.editing_id = parse_id(user.get("id") if isinstance(user, dict) else None) or 0
        self.editing_username = text_of(user, "username")
        self.form = {PREFIX + k: text_of(user, k) for k in ("display_name", "role", "unit_id", "phone", "email")}
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
                email=text_of(form, PREFIX + "email"),
            ),
            "账号已保存",
            Role.ADMIN,
        )
        self.errors = {PREFIX + key: message for key, message in self.errors.items()}
        if not self.errors and (actor := self._actor_with_role(Role.ADMIN)):
            self.editing_id, self.form = 0, {}
            self._reload(actor)
        return result
