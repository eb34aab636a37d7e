"""Admin view and edits of the holiday calendar."""

from __future__ import annotations

from datetime import date

from sqlmodel import delete, select

from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.ids import parse_bounded_int
from portal.models.enums import Role
from portal.models.records.admin import YearStatus
from portal.models.tables import CalendarYear, Holiday
from portal.services.accounts.actor import Actor
from portal.services.base.audit import record_audit
from portal.services.base.errors import Forbidden, ValidationFailed
from portal.services.base.text import clean_text
from portal.services.calendar.deadline_recount import recompute_open_orders
from portal.services.calendar.holiday_notice import ParsedNotice, parse_notice
from portal.services.calendar.store import get_calendar, invalidate_calendar_cache


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


def next_year_warning() -> str:
    """From 1 December: a sentence for the staff console while next year's holidays are still estimated
    (deadlines that reach into January would be counted Mon–Fri). "" otherwise."""
    today = local_date(now())
    with session_scope() as session:
        estimated = get_calendar(session).is_estimated(today.year + 1)
    if today.month == 12 and estimated:
        return (
            f"{today.year + 1}年节假日安排尚未录入,跨年的办理期限暂按周一至周五计算。"
            "请系统管理员在“系统管理—节假日”录入国务院通知。"
        )
    return ""


def set_day(*, actor: Actor, day: date, is_workday: bool, name: str) -> None:
    """Enter or correct one day (holiday or 调休 workday). Marks the year official."""
    if actor.role != Role.ADMIN:
        raise Forbidden()
    name = clean_text(name, limit=50)[:50]
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
        record_audit(session, actor, "节假日", day.isoformat(), f"{'调休上班' if is_workday else '放假'}:{name}")
    invalidate_calendar_cache()
    recompute_open_orders(actor=actor)


def preview_notice(*, actor: Actor, year: int, text: str) -> ParsedNotice:
    """What pasting the notice would save (nothing is written)."""
    if actor.role != Role.ADMIN:
        raise Forbidden()
    return parse_notice(_notice_year(year), text)


def apply_notice(*, actor: Actor, year: int, text: str) -> ParsedNotice:
    """Save a year's arrangement from the State Council's notice: the year's rows are replaced by the
    notice's days (source admin), the year becomes official, the change is audited. Nothing is written
    when any line cannot be read."""
    if actor.role != Role.ADMIN:
        raise Forbidden()
    year = _notice_year(year)
    parsed = parse_notice(year, text)
    if parsed.errors:
        raise ValidationFailed({"notice": ";".join(parsed.errors)})
    moment = now()
    with session_scope() as session:
        session.exec(delete(Holiday).where(Holiday.year == year))
        session.add_all(
            Holiday(day=d.day, year=d.day.year, is_workday=d.is_workday, name=d.name, source="admin", updated_at=moment)
            for d in parsed.days
            if d.day.year == year
        )
        calendar_year = session.get(CalendarYear, year) or CalendarYear(year=year)
        calendar_year.official, calendar_year.source, calendar_year.updated_at = True, "admin", moment
        session.add(calendar_year)
        off = sum(1 for d in parsed.days if not d.is_workday)
        record_audit(
            session, actor, "节假日", f"{year}年", f"按国务院通知录入:放假{off}天,调休上班{len(parsed.days) - off}天"
        )
    invalidate_calendar_cache()
    recompute_open_orders(actor=actor)
    return parsed


def _notice_year(year) -> int:
    value = parse_bounded_int(year, low=2000, high=2100)
    if value is None:
        raise ValidationFailed({"year": "请填写年份(2000–2100)"})
    return value
