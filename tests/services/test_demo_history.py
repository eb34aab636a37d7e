"""The demo world's history looks like a running service (issue #21 item 1): the figures a visitor sees
first are not those of a world where every demand was answered the moment it was dispatched."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.tables import Demand, Rating
from portal.services.supervision import figures


def _total(rows, key):
    return sum(r[key] for r in rows)


def test_the_demo_history_is_spread_over_months_mostly_satisfied_with_a_few_late(demo):
    today = local_date(now())
    with session_scope() as session:
        rows = figures.unit_figures(session, today - timedelta(days=60), today + timedelta(days=1))
        oldest = session.exec(select(func.min(Demand.created_at))).one()
        ratings = session.exec(select(func.count(Rating.id))).one()
    received, closed, on_time = _total(rows, "received"), _total(rows, "closed"), _total(rows, "closed_on_time")
    assert received >= 15 and closed >= 12
    assert 0 < closed - on_time < closed / 4  # a few answered late, most on time
    rated, satisfied = _total(rows, "rated"), _total(rows, "satisfied")
    assert 0.6 <= satisfied / rated < 1.0  # mostly satisfied, not all
    days = [float(r["avg_days"]) for r in rows if r["avg_days"] != "—"]
    assert days and all(d > 0 for d in days) and max(days) < 10  # days to close, not zero
    assert (today - oldest.date()).days >= 90  # months of history, not one afternoon
    assert ratings >= 30


def test_the_home_page_figures_of_a_fresh_demo_world_are_true_to_life(db):
    """What a visitor reads on / the day the demo is installed (mid-month, so 本月 has weeks behind it)."""
    from portal.core.clock import fixed, use_clock
    from portal.seed.demo import seed_demo_world

    with use_clock(fixed(datetime(2026, 6, 19, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))):
        seed_demo_world()
        figures._public_cache.clear()
        month, year = figures.public_summary()
    assert (month["period"], year["period"]) == ("2026年6月", "2026年")
    for summary in (month, year):
        assert summary["received"] >= 5 and float(summary["avg_days"]) > 0
        assert 60 <= float(summary["satisfaction_rate"]) < 100
    assert float(year["close_rate"]) < 100  # a few late
