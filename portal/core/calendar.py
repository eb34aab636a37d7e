"""The working-day calendar (DESIGN §3, §9).

The ``holiday`` table lists the days that break the Mon–Fri rule: official holidays and 调休 make-up
workdays. It is seeded from ``chinesecalendar`` (which covers 2004–2026) and edited by admins; seeding
never overwrites a row an admin entered. A year with no official arrangement counts Mon–Fri only and
is reported as *estimated* so the admin page can warn.

"N working days from instant t" = the end (23:59:59.999999, local zone) of the N-th working day after
t's local date; t's own date never counts. N = 0 (即时) = the end of t's date if it is a working day,
else the end of the next working day.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

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


def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def local_date(instant: datetime) -> date:
    return instant.astimezone(local_zone()).date()


def end_of_local_day(day: date) -> datetime:
    """23:59:59.999999 of ``day`` in the configured zone, as aware UTC."""
    local_end = datetime.combine(day, dtime.max, tzinfo=local_zone())
    return local_end.astimezone(timezone.utc)


@dataclass(frozen=True)
class WorkingCalendar:
    """An immutable snapshot of the holiday table; cheap to query, safe to share between threads."""

    overrides: dict[date, bool] = field(default_factory=dict)  # day → is_workday
    official_years: frozenset[int] = frozenset()

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5

    def is_estimated(self, year: int) -> bool:
        return year not in self.official_years

    def next_workday_on_or_after(self, day: date) -> date:
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def nth_workday_after(self, day: date, n: int) -> date:
        if n < 0:
            raise ValueError("n must be ≥ 0")
        if n == 0:
            return self.next_workday_on_or_after(day)
        count = 0
        while count < n:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return day

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """End of the N-th working day after ``start`` (see module doc), as aware UTC."""
        return end_of_local_day(self.nth_workday_after(local_date(start), n))

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after ``start``'s date up to and including ``end``'s date (negative if end < start).

        Used for "剩余工作日": 0 means the due date is today (or the next working day)."""
        a, b = local_date(start), local_date(end)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return sign * count


# ── loading and seeding ─────────────────────────────────────────────────────────────────────

_cache_lock = threading.Lock()
_cache: tuple[str, float, WorkingCalendar] | None = None
_CACHE_SECONDS = 60.0


def load_calendar(session: Session) -> WorkingCalendar:
    overrides = {row.day: row.is_workday for row in session.exec(select(Holiday))}
    official = frozenset(
        row.year for row in session.exec(select(CalendarYear).where(CalendarYear.official == True))  # noqa: E712
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
                Holiday(day=day, year=day.year, is_workday=is_workday,
                        name=HOLIDAY_NAMES_ZH.get(name, name), source="chinesecalendar")
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

