"""Admin view and edits of the holiday calendar."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.dto import Actor, YearStatus
from portal.models.enums import Role
from portal.models.tables import CalendarYear, Holiday
from portal.services.calendar_store import get_calendar, invalidate_calendar_cache
from portal.services.errors import Forbidden, ValidationFailed


def year_statuses(*, actor: Actor) -> list[YearStatus]:
    """This year and the next, with a warning for any year the calendar only estimates."""
    if actor.role not in (Role.ADMIN, Role.DISPATCHER):
        raise Forbidden()
    this_year = local_date(now()).year
    with session_scope() as session:
        calendar = get_calendar(session)
        rows = session.exec(select(Holiday).where(Holiday.year.in_([this_year, this_year + 1]))).all()
    result: list[YearStatus] = []
    for year in (this_year, this_year + 1):
        in_year = [r for r in rows if r.year == year]
        official = not calendar.is_estimated(year)
        result.append(
            YearStatus(
                year=year,
                official=official,
                holidays=sum(1 for r in in_year if not r.is_workday),
                workdays=sum(1 for r in in_year if r.is_workday),
                note="已录入官方节假日安排"
                if official
                else f"{year}年节假日安排尚未录入,暂按周一至周五估算工作日;国务院办公厅公布后请在此录入",
            )
        )
    return result


def set_day(*, actor: Actor, day: date, is_workday: bool, name: str) -> None:
    """Enter or correct one day (holiday or 调休 workday). Marks the year official."""
    if actor.role != Role.ADMIN:
        raise Forbidden()
    name = (name or "").strip()[:50]
    if not name:
        raise ValidationFailed({"name": "请填写节日名称或调休说明"})
    with session_scope() as session:
        row = session.get(Holiday, day)
        if row is None:
            row = Holiday(day=day, year=day.year, is_workday=is_workday, name=name, source="admin")
        row.is_workday, row.name, row.source, row.updated_at = is_workday, name, "admin", now()
        session.add(row)
        year = session.get(CalendarYear, day.year) or CalendarYear(year=day.year)
        year.official, year.source, year.updated_at = True, year.source or "admin", now()
        session.add(year)
    invalidate_calendar_cache()
