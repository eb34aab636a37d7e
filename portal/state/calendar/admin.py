"""/admin 节假日: the holiday calendar — mark a day, or paste the State Council's notice for a year,
preview the parsed days and save them (admins only)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.core.dates import DATE_HINT, parse_day
from portal.models.enums import Role
from portal.models.records.admin import YearStatus
from portal.services.accounts.actor import Actor
from portal.services.base.errors import ServiceError
from portal.services.calendar import admin as calendar_admin
from portal.state.base import PageState, text_of


class CalendarAdminState(PageState):
    years: list[YearStatus] = []
    day_errors: dict[str, str] = {}
    notice_days: list[dict[str, str]] = []  # the parsed notice, shown before saving
    notice_errors: list[str] = []
    notice_year: str = ""
    _notice_text: str = ""

    def _reload(self, actor: Actor) -> None:
        self.years = calendar_admin.year_statuses(actor=actor)

    @rx.event
    def load(self):
        """on_load of /admin: the calendar's years."""
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            self.years = []
            return rx.redirect(routes.LOGIN)
        self._reload(actor)
        return None

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

    @rx.event
    def preview_notice(self, form: dict):
        """预览: parse the pasted State Council notice for the year; nothing is saved yet."""
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        year, text = text_of(form, "notice_year").strip(), text_of(form, "notice_text")
        try:
            parsed = calendar_admin.preview_notice(actor=actor, year=year, text=text)
        except ServiceError as exc:
            self.notice_days, self.notice_errors = [], [exc.message]
            return None
        self.notice_year, self._notice_text, self.notice_errors = year, text, parsed.errors
        self.notice_days = [
            {"day": d.day.isoformat(), "kind": "调休上班" if d.is_workday else "放假", "name": d.name}
            for d in parsed.days
        ]
        return None

    @rx.event
    def apply_notice(self):
        """保存通知: the previewed arrangement replaces the year's days; open deadlines are recounted."""
        if not self.notice_days or self.notice_errors:
            return rx.toast.error("请先预览并确认解析结果无误")
        result = self._act(
            lambda a: calendar_admin.apply_notice(actor=a, year=self.notice_year, text=self._notice_text),
            f"已保存{self.notice_year}年节假日安排",
            Role.ADMIN,
            after=self._reload,
        )
        if not self.errors:
            self.notice_days, self._notice_text = [], ""
        return result
