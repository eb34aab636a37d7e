"""/staff/reports: figures per unit for a month, quarter, half year, year or any range, and the stored
monthly bulletins. Leaders and the 推进中心 only."""

from __future__ import annotations

from datetime import date, timedelta

import reflex as rx

from portal.core.clock import now
from portal.core.dates import DATE_HINT, parse_day
from portal.core.formatting import local_zone
from portal.models.enums import Role
from portal.models.records.supervision import BulletinRow, CountPoint, MonthPoint, UnitFigures
from portal.services.base.errors import ServiceError
from portal.services.supervision import figures
from portal.state.base import PageState, text_of

PERIOD_CHOICES = [("month", "月度"), ("quarter", "季度"), ("half", "半年"), ("year", "年度"), ("range", "自定义区间")]


class ReportsState(PageState):
    rows: list[UnitFigures] = []
    period_label: str = ""
    bulletin_list: list[BulletinRow] = []
    bulletin_rows: list[UnitFigures] = []
    bulletin_period: str = ""
    loaded: bool = False
    series: list[MonthPoint] = []
    by_class: list[CountPoint] = []
    by_topic: list[CountPoint] = []
    by_channel: list[CountPoint] = []

    @rx.var
    def unit_points(self) -> list[dict[str, float | str | int]]:
        """The ranked units as numbers for the charts (a rate not yet defined counts as 0)."""

        def number(rate: str) -> float:
            return float(rate.rstrip("%")) if rate.endswith("%") else 0.0

        return [
            {
                "unit": r["unit"],
                "按期办结率": number(r["close_rate"]),
                "满意率": number(r["satisfaction_rate"]),
                "超期": r["overdue"],
            }
            for r in self.rows
        ]

    def _show(self, start: date, end: date, label: str) -> None:
        actor = self._actor_with_role(Role.DISPATCHER, Role.LEADER)
        if actor is None:
            self.rows, self.bulletin_list = [], []
            return
        self.rows = figures.figures_for(actor=actor, start=start, end=end)
        parts = figures.breakdown(actor=actor, start=start, end=end)
        self.by_class, self.by_topic, self.by_channel = parts["topic_class"], parts["topic"], parts["channel"]
        self.period_label = label
        self.bulletin_list = figures.bulletins(actor=actor)

    @rx.event
    def load(self):
        """on_load: this month's figures and the list of bulletins."""
        start, end, label = figures.period_bounds("month", now().astimezone(local_zone()).date())
        self.bulletin_rows, self.bulletin_period, self.errors = [], "", {}
        self._show(start, end, label)
        actor = self._actor_with_role(Role.DISPATCHER, Role.LEADER)
        self.series = figures.monthly_series(actor=actor) if actor else []
        self.loaded = True

    @rx.event
    def choose_period(self, form: dict):
        """统计: the period kind and a day inside it, or a range 自 … 至 (both days included)."""
        kind = text_of(form, "kind")
        if kind == "range":
            start, last = parse_day(text_of(form, "start")), parse_day(text_of(form, "end"))
            self.errors = {
                key: f"日期无法识别({DATE_HINT})" for key, day in (("start", start), ("end", last)) if day is None
            }
            if self.errors:
                return rx.toast.error("请检查统计区间")
            bounds = (start, last + timedelta(days=1), f"{start.isoformat()} 至 {last.isoformat()}")
        else:
            day = parse_day(text_of(form, "day")) or now().astimezone(local_zone()).date()
            bounds = figures.period_bounds(kind if kind in figures.PERIOD_KINDS else "month", day)
        try:
            self._show(*bounds)
        except ServiceError as exc:
            return self._fail(exc)
        self.errors = {}
        return None

    @rx.event
    def open_bulletin(self, period: str):
        """Show one stored 一月一通报, as it was taken."""
        actor = self._actor_with_role(Role.DISPATCHER, Role.LEADER)
        if actor is None or not isinstance(period, str):
            return
        self.bulletin_rows = figures.bulletin(actor=actor, period=period[:10])
        self.bulletin_period = period[:10] if self.bulletin_rows else ""
