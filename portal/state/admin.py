"""/admin: staff accounts and the holiday calendar."""

from __future__ import annotations

from datetime import date

import reflex as rx

from portal.models.enums import Role
from portal.services import accounts, calendar_admin, reference
from portal.services.errors import ServiceError, ValidationFailed
from portal.state.base import text_of
from portal.state.auth import AuthState


class AdminState(AuthState):
    users: list[dict] = []
    unit_options: list[dict[str, str]] = []
    years: list[dict] = []
    errors: dict[str, str] = {}
    day_errors: dict[str, str] = {}

    def _load(self, actor) -> None:
        self.users = [dict(u) for u in accounts.list_users(actor=actor)]
        self.unit_options = [dict(o) for o in reference.unit_options()]
        self.years = [dict(y) for y in calendar_admin.year_statuses(actor=actor)]

    @rx.event
    def load(self):
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            return rx.redirect("/login")
        self._load(actor)
        return None

    @rx.event
    def create_user(self, form: dict):
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        unit = text_of(form, "unit_id")
        try:
            accounts.create_staff_user(actor=actor, username=text_of(form, "username"),
                                       display_name=text_of(form, "display_name"), role=text_of(form, "role"),
                                       password=text_of(form, "password"), unit_id=int(unit) if unit.isdigit() else None)
        except ValidationFailed as exc:
            self.errors = exc.errors
            return None
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors = {}
        self._load(actor)
        return rx.toast.success("账号已创建")

    @rx.event
    def set_active(self, user_id: int, active: bool):
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        try:
            accounts.set_user_active(actor=actor, user_id=user_id if isinstance(user_id, int) else -1,
                                     active=bool(active))
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._load(actor)
        return None

    @rx.event
    def save_day(self, form: dict):
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        try:
            day = date.fromisoformat(text_of(form, "day"))
        except ValueError:
            self.day_errors = {"day": "请选择日期"}
            return None
        try:
            calendar_admin.set_day(actor=actor, day=day, is_workday=text_of(form, "kind") == "workday",
                                   name=text_of(form, "name"))
        except ValidationFailed as exc:
            self.day_errors = exc.errors
            return None
        self.day_errors = {}
        self._load(actor)
        return rx.toast.success(f"已保存 {day.isoformat()}")
