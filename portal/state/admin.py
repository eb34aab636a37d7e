"""/admin: staff accounts and the holiday calendar."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.core.dates import DATE_HINT, parse_day
from portal.core.ids import parse_id
from portal.models.dto import Actor, UnitOption, UserRow, YearStatus
from portal.models.enums import Role
from portal.services import calendar_admin, reference, staff_accounts
from portal.state.base import PageState, text_of


class AdminState(PageState):
    users: list[UserRow] = []
    unit_options: list[UnitOption] = []
    years: list[YearStatus] = []
    day_errors: dict[str, str] = {}

    def _reload(self, actor: Actor) -> None:
        self.users = staff_accounts.list_users(actor=actor)
        self.unit_options = reference.unit_options()
        self.years = calendar_admin.year_statuses(actor=actor)

    @rx.event
    def load(self):
        """on_load: accounts, units and the calendar's years."""
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            self.users, self.unit_options, self.years = [], [], []
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
    def set_day(self, form: dict):
        """Save one holiday or 调休 workday."""
        day = parse_day(text_of(form, "day"))
        if day is None:
            self.day_errors = {"day": f"请填写日期({DATE_HINT})"}
            return None
        result = self._act(
            lambda a: calendar_admin.set_day(
                actor=a, day=day, is_workday=text_of(form, "kind") == "workday", name=text_of(form, "name")
            ),
            f"已保存 {day.isoformat()}",
            Role.ADMIN,
            after=self._reload,
        )
        self.day_errors, self.errors = self.errors, {}
        return result
