"""The figures' daily roll-up (issue #25): for random histories — orders and ratings added, changed and moved
between days in many transactions, the roll-up refreshed at random points — the figures read through the
roll-up equal the direct computation (the pre-roll-up queries, kept here as the reference) for a day, a
month, a year and custom periods; the nightly reconciliation reports a planted difference and mends it."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, insert, or_, update
from sqlmodel import select

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.models.enums import BAD_RATINGS, SATISFIED, OrderRole, RatingSource, UnitKind
from portal.models.enums import WorkOrderStatus as W
from portal.models.tables import Demand, Enterprise, FigureDay, FigureDirty, Rating, TimeLimitRule, Unit, WorkOrder
from portal.services.demands.workflow import DEFAULT_LIMITS, update_order
from portal.services.supervision import figures, rollup
from portal.services.supervision.rating_figures import rating_counts

SH = figures.local_zone()
STATUSES = [W.PENDING_SIGN, W.HANDLING, W.FED_BACK, W.FED_BACK, W.RETURNED, W.CANCELLED]
LEVELS = ["一般", "复杂", "疑难", "重办", "即时", "未知级别"]


# ── the reference: the direct queries the figures ran before the roll-up ──────────────────────


def reference_orders(session, lo, hi, moment) -> dict[int, tuple]:
    kept = WorkOrder.status.not_in((W.RETURNED, W.CANCELLED))
    rules_rows = session.exec(select(TimeLimitRule.level, TimeLimitRule.working_days)).all()
    limits = {**{k.value: v for k, v in DEFAULT_LIMITS.items()}, **dict(rules_rows)}
    promised = case(*[(WorkOrder.level == level, days) for level, days in limits.items()], else_=0)
    late_open = and_(
        WorkOrder.feedback_at.is_(None), WorkOrder.status.in_((W.PENDING_SIGN, W.HANDLING)), WorkOrder.due_at < moment
    )

    def count(condition):
        return func.sum(case((and_(kept, condition), 1), else_=0))

    rows = session.exec(
        select(
            WorkOrder.unit_id,
            count(WorkOrder.id.is_not(None)),
            count(WorkOrder.signed_at <= WorkOrder.sign_due_at),
            count(WorkOrder.feedback_at.is_not(None)),
            count(WorkOrder.feedback_at <= WorkOrder.due_at),
            count(or_(WorkOrder.feedback_at > WorkOrder.due_at, late_open)),
            count(late_open),
            func.sum(case((kept, 0), else_=1)),
            func.avg(case((kept, promised), else_=None)),
            func.avg(WorkOrder.working_days_used),
            func.max(WorkOrder.working_days_used),
        )
        .where(WorkOrder.order_role == OrderRole.LEAD, WorkOrder.dispatched_at >= lo, WorkOrder.dispatched_at < hi)
        .group_by(WorkOrder.unit_id)
    ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def reference_ratings(session, lo, hi) -> dict[int, tuple]:
    counted = and_(Rating.excluded.is_(False), Rating.source != RatingSource.DEFAULT)

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    rows = session.exec(
        select(
            Rating.lead_unit_id,
            count(counted),
            count(and_(counted, Rating.satisfaction.in_(SATISFIED))),
            count(and_(counted, Rating.satisfaction.in_(BAD_RATINGS))),
            count(Rating.excluded.is_(True)),
            count(Rating.source == RatingSource.DEFAULT),
            func.avg(Rating.score_time),
            func.avg(Rating.score_result),
            func.avg(Rating.score_attitude),
        )
        .where(Rating.created_at >= lo, Rating.created_at < hi, Rating.lead_unit_id.is_not(None))
        .group_by(Rating.lead_unit_id)
    ).all()
    return {row[0]: (*[v or 0 for v in row[1:6]], *[figures._days(v) for v in row[6:]]) for row in rows}


def shown(counts: dict[int, tuple]) -> dict[int, tuple]:
    """Order counts as the figures show them (averages to one decimal)."""
    return {
        unit: (*[v or 0 for v in row[:7]], figures._days(row[7]), figures._days(row[8]), row[9] or 0)
        for unit, row in counts.items()
    }


def assert_same(start: date, end: date, moment: datetime) -> None:
    lo, hi = figures._instant(start), figures._instant(end)
    with session_scope() as session:
        orders, ratings = rollup.period_totals(session, start, end)
        got = shown(figures._order_counts(session, start, end, moment, orders))
        want = shown(reference_orders(session, lo, hi, moment))
        assert got == want, (start, end)
        rated = rating_counts(session, lo, hi, moment, ratings)
        names = ("rated", "satisfied", "bad", "excluded", "default_good", "score_time", "score_result")
        got = {u: tuple(r[n] for n in (*names, "score_attitude")) for u, r in rated.items()}
        assert got == reference_ratings(session, lo, hi), (start, end)


# ── random histories ──────────────────────────────────────────────────────────────────────────


def _instant(rng: random.Random) -> datetime:
    """Somewhere in 2026 (local), often within minutes of a midnight: day edges are where a roll-up errs."""
    day = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
    minute = rng.choice([0, 1, 1439, 1438, rng.randrange(1440)])
    return datetime(day.year, day.month, day.day, tzinfo=SH) + timedelta(minutes=minute)


def _order(rng: random.Random, demand_id: int, units: list[int]) -> WorkOrder:
    dispatched = _instant(rng)
    status = rng.choice(STATUSES)
    closed = status == W.FED_BACK
    return WorkOrder(
        demand_id=demand_id,
        unit_id=rng.choice(units),
        order_role=rng.choice([OrderRole.LEAD] * 4 + [OrderRole.CO]),
        status=status,
        level=rng.choice(LEVELS),
        dispatched_at=dispatched,
        sign_due_at=dispatched + timedelta(days=1),
        signed_at=rng.choice([None, dispatched + timedelta(hours=rng.randrange(1, 60))]),
        due_at=dispatched + timedelta(days=rng.randrange(1, 40)),
        original_due_at=dispatched,
        feedback_at=dispatched + timedelta(days=rng.randrange(0, 50)) if closed else None,
        working_days_used=rng.choice([None, rng.randrange(0, 30)]),
    )


def _rating(rng: random.Random, demand_id: int, units: list[int]) -> Rating:
    def score():
        return rng.choice([None, 1, 2, 3, 4, 5])

    return Rating(
        demand_id=demand_id,
        round=1,
        satisfaction=rng.choice(["非常满意", "满意", "基本满意", "不满意", "非常不满意"]),
        contacted=True,
        source=rng.choice(["线上评价", "电话回访", RatingSource.DEFAULT]),
        lead_unit_id=rng.choice([None, *units]),
        created_at=_instant(rng),
        score_time=score(),
        score_result=score(),
        score_attitude=score(),
        excluded=rng.random() < 0.2,
    )


def _demands(count: int) -> list[int]:
    with session_scope() as session:
        enterprise = session.exec(select(Enterprise.id)).first()
        first = (session.exec(select(func.max(Demand.id))).one() or 0) + 1
        at = datetime(2026, 1, 1, tzinfo=SH)
        rows = [
            dict(id=first + i, code=f"QR{first + i:010d}", enterprise_id=enterprise, kind="求助", title="回溯",
                 content="", contact_name="张三", contact_phone="13800000000", status="办理中", round=1,
                 channel="线上提交",
                 created_at=at, updated_at=at, search_tokens="", version=1, instant_answer="", reject_reason="",
                 closed_unrated=False)
            for i in range(count)
        ]  # fmt: skip
        session.exec(insert(Demand), params=rows)
    return [row["id"] for row in rows]


def _change(rng: random.Random, session, order: WorkOrder) -> None:
    """One change the way the services make it: through ``update_order`` (the version gate) or the ORM."""
    choice = rng.randrange(4)
    if choice == 0:
        update_order(session, order, status=W.FED_BACK, feedback_at=order.dispatched_at + timedelta(days=3))
    elif choice == 1:
        update_order(session, order, status=rng.choice([W.RETURNED, W.CANCELLED, W.HANDLING]))
    elif choice == 2:
        order.dispatched_at = _instant(rng)  # moves between days: both days are marked
    else:
        update_order(session, order, due_at=order.due_at + timedelta(days=rng.randrange(-5, 5)), working_days_used=7)


def test_rollup_equals_the_direct_computation_for_random_histories(demo_accounts):
    rng = random.Random(25)
    with session_scope() as session:
        units = list(session.exec(select(Unit.id).where(Unit.kind != UnitKind.CENTER)))[:5]
    demand_ids = _demands(400)
    for _history in range(6):
        with session_scope() as session:
            for _ in range(rng.randrange(20, 60)):
                session.add(_order(rng, rng.choice(demand_ids), units))
        with session_scope() as session:
            taken = set(session.exec(select(Rating.demand_id)).all())
            for demand_id in rng.sample([d for d in demand_ids if d not in taken], 25):
                session.add(_rating(rng, demand_id, units))
        if rng.random() < 0.7:
            rollup.refresh_dirty(limit=rng.randrange(1, 400))
        with session_scope() as session:  # changes after (part of) the roll-up was built
            for order in session.exec(select(WorkOrder).order_by(func.random()).limit(15)).all():
                _change(rng, session, order)
            for rating in session.exec(select(Rating).order_by(func.random()).limit(5)).all():
                rating.excluded = not rating.excluded
        if rng.random() < 0.5:
            rollup.refresh_dirty(limit=rng.randrange(1, 400))
        moment = _instant(rng) + timedelta(days=30)
        periods = [
            figures.period_bounds("month", _instant(rng).date())[:2],
            figures.period_bounds("year", date(2026, 6, 1))[:2],
            figures.period_bounds("quarter", _instant(rng).date())[:2],
        ]
        day = _instant(rng).date()
        periods += [(day, day + timedelta(days=1)), (day, day + timedelta(days=rng.randrange(2, 120)))]
        for start, end in periods:
            with use_clock(fixed(moment)):
                assert_same(start, end, moment)
    while rollup.refresh_dirty(limit=400):
        pass
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(FigureDirty)).one() == 0
    for start, end in [figures.period_bounds("year", date(2026, 1, 1))[:2], (date(2025, 12, 31), date(2027, 1, 2))]:
        assert_same(start, end, datetime(2026, 12, 31, tzinfo=SH))


def test_reconcile_reports_a_planted_difference_and_mends_it(demo_accounts, caplog):
    rng = random.Random(7)
    with session_scope() as session:
        units = list(session.exec(select(Unit.id).where(Unit.kind != UnitKind.CENTER)))[:3]
    demand_ids = _demands(30)
    day = date(2026, 5, 20)
    with session_scope() as session:
        for demand_id in demand_ids:
            order = _order(rng, demand_id, units)
            order.order_role, order.dispatched_at = OrderRole.LEAD, datetime(2026, 5, 20, 10, tzinfo=SH)
            session.add(order)
    rollup.refresh_dirty()
    assert rollup.reconcile(day=day)["differences"] == 0
    with session_scope() as session:  # a change that bypassed the marks: the roll-up is now wrong
        session.exec(update(FigureDay).where(FigureDay.day == day).values(received=FigureDay.received + 1))
    with session_scope() as session:
        orders, _ = rollup.period_totals(session, day, day + timedelta(days=1))
        assert shown(
            figures._order_counts(session, day, day + timedelta(days=1), datetime(2026, 6, 1, tzinfo=SH), orders)
        ) != shown(
            reference_orders(
                session,
                figures._instant(day),
                figures._instant(day + timedelta(days=1)),
                datetime(2026, 6, 1, tzinfo=SH),
            )
        )
    result = rollup.reconcile(day=day)
    assert result["differences"] >= 1 and "figure_day 2026-05-20" in caplog.text
    assert rollup.reconcile(day=day)["differences"] == 0
    assert_same(day, day + timedelta(days=1), datetime(2026, 6, 1, tzinfo=SH))
