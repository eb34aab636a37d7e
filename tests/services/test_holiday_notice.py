"""The State Council's holiday notice, pasted by an admin (issue #12): the real 2025 and 2026 notices give
exactly the days the chinesecalendar package holds; a line that cannot be read is named."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from portal.services.calendar.holiday_notice import parse_notice

FILES = Path(__file__).parent / "files"


@pytest.mark.parametrize("year", [2025, 2026])
def test_real_notices_match_the_official_calendar(year):
    parsed = parse_notice(year, (FILES / f"holiday_notice_{year}.txt").read_text(encoding="utf-8"))
    assert parsed.errors == []
    named = {d.day: d.is_workday for d in parsed.days}
    day = date(year, 1, 1)
    while day.year == year:
        official = chinese_calendar.is_workday(day)
        if official != (day.weekday() < 5):  # a day that breaks the Mon–Fri rule must be in the notice
            assert named.get(day) == official, day
        day += timedelta(days=1)
    assert all(chinese_calendar.is_workday(d) == w for d, w in named.items())


def test_the_issue_example_and_a_span_across_months():
    parsed = parse_notice(
        2027, "元旦：1月1日至3日放假调休，共3天。1月4日（星期日）上班。\n春节：2月5日至2月12日放假调休，共8天。"
    )
    assert parsed.errors == []
    off = [d.day for d in parsed.days if not d.is_workday]
    assert off[:3] == [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)] and len(off) == 11
    assert [(d.day, d.name) for d in parsed.days if d.is_workday] == [(date(2027, 1, 4), "元旦调休上班")]


@pytest.mark.parametrize(
    "text, words",
    [
        ("元旦：1月1日至3日休息，1月4日上班。", "第1行(元旦)"),
        ("随便写点：2月30日放假。", "第1行"),
        ("春节：1月1日至2月20日放假。", "超过15天"),
        ("元旦：1月1日放假。1月1日上班。", "既是假日又是上班日"),
        ("只有一句问候。", "没有找到任何节假日安排"),
    ],
)
def test_bad_lines_are_named(text, words):
    parsed = parse_notice(2027, text)
    assert any(words in error for error in parsed.errors), parsed.errors


def test_pasting_a_year_makes_it_official_and_moves_open_deadlines(demo_accounts):
    from sqlmodel import select

    from portal.core.clock import fixed, use_clock
    from portal.core.db import session_scope
    from portal.models.tables import AuditEntry, CalendarYear, Holiday, TimelineEvent, WorkOrder
    from portal.services.base.errors import Forbidden, ValidationFailed
    from portal.services.calendar import admin as calendar_admin
    from portal.services.demands import dispatching, intake
    from tests.services.test_lifecycle import SH, actor, form, unit_id

    admin, centre = actor("admin"), actor("zhongxin")
    with use_clock(fixed(datetime(2027, 2, 1, 9, 0, tzinfo=SH))):  # 2027: estimated, Mon–Fri
        demand_id = intake.submit_demand(actor=actor("qiye1"), form=form())
        dispatching.dispatch(actor=centre, demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
    with session_scope() as session:
        order = session.exec(select(WorkOrder).where(WorkOrder.demand_id == demand_id)).one()
    assert order.due_at.astimezone(SH).date() == date(2027, 2, 8)

    notice = (
        "一、元旦：1月1日至3日放假调休，共3天。\n"
        "二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月20日（周六）上班。"
    )
    with pytest.raises(Forbidden):
        calendar_admin.apply_notice(actor=centre, year=2027, text=notice)
    with pytest.raises(ValidationFailed):
        calendar_admin.apply_notice(actor=admin, year=2027, text="春节：2月5日至2月30日放假。")
    assert calendar_admin.preview_notice(actor=admin, year=2027, text=notice).errors == []
    calendar_admin.apply_notice(actor=admin, year=2027, text=notice)
    with session_scope() as session:
        assert session.get(CalendarYear, 2027).official
        assert len(session.exec(select(Holiday).where(Holiday.year == 2027)).all()) == 3 + 8 + 1
        moved = session.get(WorkOrder, order.id)
        event = session.exec(select(TimelineEvent).where(TimelineEvent.action == "期限调整")).one()
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "节假日")).one()
    # 2, 3, 4 Feb, then the holiday, then 15 and 16 Feb.
    assert moved.due_at.astimezone(SH).date() == date(2027, 2, 16) and moved.next_check_at is not None
    assert event.visibility == "public" and "2027-02-16" in event.public_detail
    assert "放假11天" in audit.detail


def test_staff_console_warns_in_december_while_next_year_is_estimated(demo_accounts):
    from portal.core.clock import fixed, use_clock
    from portal.services.calendar import admin as calendar_admin
    from tests.services.test_lifecycle import SH, actor

    with use_clock(fixed(datetime(2026, 11, 30, 9, 0, tzinfo=SH))):
        assert calendar_admin.next_year_warning() == ""
    with use_clock(fixed(datetime(2026, 12, 1, 9, 0, tzinfo=SH))):
        assert "2027年节假日安排尚未录入" in calendar_admin.next_year_warning()
        calendar_admin.apply_notice(actor=actor("admin"), year=2027, text="国庆节：10月1日至7日放假。")
        assert calendar_admin.next_year_warning() == ""
