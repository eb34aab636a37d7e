"""The working-day calendar (DESIGN §3, §9).

Pure arithmetic over a snapshot of the days that break the Mon–Fri rule (official holidays and 调休
make-up workdays). Loading that snapshot from the database, seeding it from ``chinesecalendar`` and
caching it live in ``portal.services.calendar.store``; this module depends on nothing above ``core``.

"N working days from instant t" = the end (23:59:59.999999, local zone) of the N-th working day after
t's local date; t's own date never counts. N = 0 (即时) = the end of t's date if it is a working day,
else the end of the next working day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from portal.core.formatting import local_zone


def local_date(instant: datetime) -> date:
    return instant.astimezone(local_zone()).date()


def end_of_local_day(day: date) -> datetime:
    """23:59:59.999999 of ``day`` in the configured zone, as aware UTC."""
    local_end = datetime.combine(day, dtime.max, tzinfo=local_zone())
    return local_end.astimezone(UTC)


# Bounds on every walk over days, so no input can keep a worker busy: ten years of working days, and
# a span of ten years (plus leap days) when counting between two instants.
MAX_WORKING_DAYS = 3650
MAX_SPAN_DAYS = 3660


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
        for _ in range(MAX_SPAN_DAYS):
            if self.is_workday(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within ten years")

    def nth_workday_after(self, day: date, n: int) -> date:
        if n < 0 or n > MAX_WORKING_DAYS:
            raise ValueError(f"n must be within 0..{MAX_WORKING_DAYS}")
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
        b = min(b, a + timedelta(days=MAX_SPAN_DAYS))  # beyond ten years the count is not meaningful
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return sign * count
