"""The working-day calendar's database side (DESIGN §3, §9).

The ``holiday`` table lists the days that break the Mon–Fri rule. It is seeded from ``chinesecalendar``
(which covers 2004–2026) and edited by admins; seeding never overwrites a row an admin entered. A year
with no official arrangement counts Mon–Fri only and is reported as *estimated* so the admin page warns.
"""

from __future__ import annotations

import threading
import time

from sqlmodel import Session, select

from portal.core.calendar import WorkingCalendar
from portal.core.settings import get_settings
from portal.models.tables import CalendarYear, Holiday

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


# ── loading and seeding ─────────────────────────────────────────────────────────────────────

_cache_lock = threading.Lock()
_cache: tuple[str, float, WorkingCalendar] | None = None
_CACHE_SECONDS = 60.0


def load_calendar(session: Session) -> WorkingCalendar:
    overrides = {row.day: row.is_workday for row in session.exec(select(Holiday))}
    official = frozenset(
        row.year
        for row in session.exec(select(CalendarYear).where(CalendarYear.official == True))  # noqa: E712
    )
    return WorkingCalendar(overrides=overrides, official_years=official)


def get_calendar(session: Session) -> WorkingCalendar:
    """The calendar, reloaded at most once a minute per process (admins' edits call ``invalidate``)."""
    global _cache
    key = get_settings().database_url
    with _cache_lock:
        if _cache and _cache[0] == key and time.monotonic() - _cache[1] < _CACHE_SECONDS:
            return _cache[2]
    calendar = load_calendar(session)
    with _cache_lock:
        _cache = (key, time.monotonic(), calendar)
    return calendar


def invalidate_calendar_cache() -> None:
    global _cache
    with _cache_lock:
        _cache = None


def seed_from_chinesecalendar(session: Session) -> int:
    """Insert the package's holidays and 调休 workdays that the table lacks. Returns rows added.

    Admin rows win: a day already present (from any source) is left as it is.
    """
    from chinese_calendar import constants

    existing = set(session.exec(select(Holiday.day)))
    added = 0
    for table, is_workday in ((constants.holidays, False), (constants.workdays, True)):
        for day, name in table.items():
            if day in existing:
                continue
            session.add(
                Holiday(
                    day=day,
                    year=day.year,
                    is_workday=is_workday,
                    name=HOLIDAY_NAMES_ZH.get(name, name),
                    source="chinesecalendar",
                )
            )
            existing.add(day)
            added += 1
    covered = {d.year for d in constants.holidays}
    known = {row.year: row for row in session.exec(select(CalendarYear))}
    for year in sorted(covered):
        if year not in known:
            session.add(CalendarYear(year=year, official=True, source="chinesecalendar"))
    session.flush()
    invalidate_calendar_cache()
    return added
