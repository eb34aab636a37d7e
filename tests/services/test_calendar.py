from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from portal.core.calendar import local_date
from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.models.tables import Holiday
from portal.services.accounts.actor import Actor
from portal.services.calendar import admin as calendar_admin
from portal.services.calendar.store import get_calendar, seed_from_chinesecalendar

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def end_of(y, m, d):
    return datetime(y, m, d, 23, 59, 59, 999999, tzinfo=SH)


@pytest.fixture
def cal(seeded):
    with session_scope() as session:
        return get_calendar(session)


def test_make_up_saturday_counts_and_spring_festival_does_not(cal):
    # DESIGN §9: 2026-02-12 + 3 working days → end of 02-24, because Saturday 02-14 is a 调休 workday.
    assert cal.is_workday(date(2026, 2, 14))
    assert not cal.is_workday(date(2026, 2, 16))
    assert cal.add_working_days(at(2026, 2, 12), 3) == end_of(2026, 2, 24)


def test_deadline_across_national_day_2025(cal):
    # 2025: 10-01..10-08 off, Saturday 10-11 a make-up workday.
    assert cal.add_working_days(at(2025, 9, 30), 1) == end_of(2025, 10, 9)
    assert cal.add_working_days(at(2025, 9, 30), 3) == end_of(2025, 10, 11)
    assert cal.add_working_days(at(2025, 9, 30), 5) == end_of(2025, 10, 14)


def test_deadline_across_national_day_2026(cal):
    assert not cal.is_workday(date(2026, 10, 7))
    assert cal.is_workday(date(2026, 10, 10))  # Saturday make-up day
    assert cal.add_working_days(at(2026, 9, 30), 1) == end_of(2026, 10, 8)
    assert cal.add_working_days(at(2026, 9, 30), 5) == end_of(2026, 10, 13)  # 8, 9, 10 (Sat), 12, 13


def test_instant_level_is_end_of_same_or_next_working_day(cal):
    assert cal.add_working_days(at(2026, 11, 24), 0) == end_of(2026, 11, 24)
    assert cal.add_working_days(at(2026, 11, 28), 0) == end_of(2026, 11, 30)  # Saturday → Monday
    assert cal.add_working_days(at(2026, 10, 10), 0) == end_of(2026, 10, 10)  # make-up Saturday


def test_start_date_is_taken_in_the_local_zone(cal):
    late_utc = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # 01:00 on the 25th in Shanghai
    assert local_date(late_utc) == date(2026, 11, 25)
    assert cal.add_working_days(late_utc, 1) == end_of(2026, 11, 26)
    assert cal.add_working_days(late_utc, 1).tzinfo is not None


def test_year_outside_the_data_is_estimated_weekdays(cal):
    assert cal.is_estimated(2027)
    assert not cal.is_estimated(2026)
    # No official 2027 data: Friday 2027-01-01 counts as a working day, the weekend does not.
    assert cal.add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 1)
    assert cal.add_working_days(at(2026, 12, 31), 2) == end_of(2027, 1, 4)


def test_working_days_between(cal):
    assert cal.working_days_between(at(2026, 2, 12), end_of(2026, 2, 24)) == 3
    assert cal.working_days_between(at(2026, 2, 24), at(2026, 2, 24, 18)) == 0
    assert cal.working_days_between(at(2026, 2, 24), at(2026, 2, 12)) == -3


def real_admin() -> Actor:
    from tests.services.test_lifecycle import actor

    return actor("admin")


def test_seeding_never_overwrites_admin_rows(demo_accounts):
    admin = real_admin()  # calendar changes are audited against a real account
    # An admin marks 2026-10-01 a workday (absurd, but theirs to decide); re-seeding keeps it.
    calendar_admin.set_day(actor=admin, day=date(2026, 10, 1), is_workday=True, name="测试调整")
    with session_scope() as session:
        assert seed_from_chinesecalendar(session) == 0
    with session_scope() as session:
        row = session.get(Holiday, date(2026, 10, 1))
        assert row.is_workday and row.source == "admin"
        assert get_calendar(session).is_workday(date(2026, 10, 1))


def test_admin_entering_a_year_makes_it_official(demo_accounts):
    admin = real_admin()
    with use_clock(fixed(at(2026, 11, 24))):
        before = calendar_admin.year_statuses(actor=admin)
        assert [y["official"] for y in before] == [True, False]
        assert "估算" in before[1]["note"]
        calendar_admin.set_day(actor=admin, day=date(2027, 1, 1), is_workday=False, name="元旦")
        after = calendar_admin.year_statuses(actor=admin)
    assert after[1]["official"] and after[1]["holidays"] == 1
    with session_scope() as session:
        cal = get_calendar(session)
    assert cal.add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 4)


def test_seed_covers_every_year_of_the_package(seeded):
    with session_scope() as session:
        years = set(session.exec(select(Holiday.year)))
    assert {2004, 2025, 2026} <= years
