"""The figures' daily roll-up (issue #25): ``figure_day`` (lead orders by unit, dispatch day and level) and
``rating_day`` (ratings by the round's lead unit and rating day) hold the additive counts of
``figures`` and ``rating_figures``; a period's figures are the sums of its days' rows. Ratios are taken from
the sums (an average as sum / count); the maximum of working days used is the maximum of the days' maxima.

Exact at every moment, whatever the recompute's timing: a day marked dirty (``models/tables/rollup.py``: in
the transaction of the change) is read from the source tables, not from its rows, until ``refresh_dirty``
(the ``figure_rollup`` job, every minute) has recomputed it. Time-dependent counts are never rolled up: an
order still open past its due date is counted at read time through the (status, due_at) index.
``reconcile`` (nightly) recomputes yesterday directly, compares it with the stored rows and reports (and
mends) any difference. Not rolled up, because their tables are small and their counts depend on the
moment or are per month: 差评整改, 申诉, cards, 征询.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, delete, func, insert, or_, text
from sqlmodel import Session, select

from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import local_zone
from portal.models.enums import BAD_RATINGS, SATISFIED, OrderRole, RatingSource
from portal.models.enums import WorkOrderStatus as W
from portal.models.tables import FigureDay, FigureDirty, Rating, RatingDay, WorkOrder

log = logging.getLogger("portal.figures")
REFRESH_DAYS = 186  # days recomputed per run (a whole history marked at once drains over a few runs)
_KEPT = WorkOrder.status.not_in((W.RETURNED, W.CANCELLED))
_COUNTED = and_(Rating.excluded.is_(False), Rating.source != RatingSource.DEFAULT)
ORDER_SUMS = ("received", "signed_on_time", "closed", "closed_on_time", "closed_late", "returned")
ORDER_SUMS += ("used_sum", "used_count")
RATING_SUMS = ("rated", "satisfied", "bad", "excluded", "default_good", "time_sum", "time_count")
RATING_SUMS += ("result_sum", "result_count", "attitude_sum", "attitude_count")


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _total(column):
    return func.coalesce(func.sum(column), 0)


def start_of(day: date) -> datetime:
    """The instant ``day`` begins in the portal's zone."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as [start, end) runs of consecutive days."""
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][1] == day:
            runs[-1][1] = day + timedelta(days=1)
        else:
            runs.append([day, day + timedelta(days=1)])
    return [(a, b) for a, b in runs]


def _within(column, runs):
    return or_(*[and_(column >= start_of(a), column < start_of(b)) for a, b in runs])


def _direct_orders(session: Session, runs):
    """(unit, level, *ORDER_SUMS, used_max) over the lead orders dispatched in the runs, from ``work_order``."""
    return session.exec(
        select(
            WorkOrder.unit_id,
            WorkOrder.level,
            _count(_KEPT),
            _count(and_(_KEPT, WorkOrder.signed_at <= WorkOrder.sign_due_at)),
            _count(and_(_KEPT, WorkOrder.feedback_at.is_not(None))),
            _count(and_(_KEPT, WorkOrder.feedback_at <= WorkOrder.due_at)),
            _count(and_(_KEPT, WorkOrder.feedback_at > WorkOrder.due_at)),
            func.sum(case((_KEPT, 0), else_=1)),
            _total(WorkOrder.working_days_used),
            func.count(WorkOrder.working_days_used),
            func.max(WorkOrder.working_days_used),
        )
        .where(WorkOrder.order_role == OrderRole.LEAD, _within(WorkOrder.dispatched_at, runs))
        .group_by(WorkOrder.unit_id, WorkOrder.level)
    ).all()


def _direct_ratings(session: Session, runs):
    """(unit, *RATING_SUMS) over the ratings given in the runs, from ``rating``."""
    return session.exec(
        select(
            Rating.lead_unit_id,
            _count(_COUNTED),
            _count(and_(_COUNTED, Rating.satisfaction.in_(SATISFIED))),
            _count(and_(_COUNTED, Rating.satisfaction.in_(BAD_RATINGS))),
            _count(Rating.excluded.is_(True)),
            _count(Rating.source == RatingSource.DEFAULT),
            _total(Rating.score_time),
            func.count(Rating.score_time),
            _total(Rating.score_result),
            func.count(Rating.score_result),
            _total(Rating.score_attitude),
            func.count(Rating.score_attitude),
        )
        .where(Rating.lead_unit_id.is_not(None), _within(Rating.created_at, runs))
        .group_by(Rating.lead_unit_id)
    ).all()


def _day_rows(session: Session, day: date) -> tuple[list[dict], list[dict]]:
    """The roll-up rows of one day, computed from the source tables."""
    runs = [(day, day + timedelta(days=1))]
    orders = [
        dict(day=day, unit_id=unit, level=level, **dict(zip(ORDER_SUMS, sums[:-1], strict=True)), used_max=sums[-1])
        for unit, level, *sums in _direct_orders(session, runs)
    ]
    ratings = [
        dict(day=day, unit_id=unit, **dict(zip(RATING_SUMS, sums, strict=True)))
        for unit, *sums in _direct_ratings(session, runs)
    ]
    return orders, ratings


def _store_days(session: Session, days: list[date]) -> None:
    """Recompute the days' rows: every day is read first, then the old rows are replaced in two DELETEs and
    two INSERTs, so SQLite's write lock is held for the writes only, not for the reading."""
    computed = [_day_rows(session, day) for day in days]
    session.exec(delete(FigureDay).where(FigureDay.day.in_(days)))
    session.exec(delete(RatingDay).where(RatingDay.day.in_(days)))
    orders = [row for rows, _ in computed for row in rows]
    ratings = [row for _, rows in computed for row in rows]
    if orders:
        session.exec(insert(FigureDay), params=orders)
    if ratings:
        session.exec(insert(RatingDay), params=ratings)


def mark_days(session: Session, days) -> None:
    """Mark days dirty (for writers that bypass the ORM, e.g. a bulk load)."""
    rows = [{"day": day} for day in sorted(set(days))]
    if rows:
        session.exec(insert(FigureDirty), params=rows)


def refresh_dirty(*, limit: int = REFRESH_DAYS) -> int:
    """Recompute up to ``limit`` dirty days (oldest marks first) in one transaction; returns the days done.
    The marks are read before the days: only those are deleted, so a change committed meanwhile keeps its
    own mark. Two schedulers recomputing one day at once: the second's insert hits the unique key and rolls
    back whole, leaving its marks for the next run."""
    with session_scope() as session:
        marks = session.exec(select(FigureDirty.id, FigureDirty.day).order_by(FigureDirty.id).limit(20 * limit)).all()
        days = sorted({day for _, day in marks})[:limit]
        chosen = set(days)
        if not days:
            return 0
        _store_days(session, days)
        session.exec(delete(FigureDirty).where(FigureDirty.id.in_([i for i, day in marks if day in chosen])))
    return len(days)


# ── reading a period ───────────────────────────────────────────────────────────────────────


def _dirty_days(session: Session, start: date, end: date) -> list[date]:
    query = select(FigureDirty.day).where(FigureDirty.day >= start, FigureDirty.day < end).distinct()
    return sorted(session.exec(query).all())


def _add(totals: dict, key, sums, maximum=None) -> None:
    row = totals.setdefault(key, [0] * len(sums) + [None])
    for i, value in enumerate(sums):
        row[i] += int(value or 0)
    if maximum is not None:
        row[-1] = maximum if row[-1] is None else max(row[-1], maximum)


def order_totals(session: Session, start: date, end: date, dirty: list[date]) -> dict[tuple[int, str], list]:
    """(unit, level) → [*ORDER_SUMS, used_max] over the lead orders dispatched in [start, end): the clean
    days from ``figure_day``, the dirty ones from ``work_order``."""
    query = (
        select(
            FigureDay.unit_id,
            FigureDay.level,
            *[func.sum(getattr(FigureDay, name)) for name in ORDER_SUMS],
            func.max(FigureDay.used_max),
        )
        .where(FigureDay.day >= start, FigureDay.day < end, FigureDay.day.not_in(dirty or [date.min]))
        .group_by(FigureDay.unit_id, FigureDay.level)
    )
    totals: dict = {}
    rows = [*session.exec(query).all(), *(_direct_orders(session, _runs(dirty)) if dirty else [])]
    for unit, level, *sums in rows:
        _add(totals, (unit, level), sums[:-1], sums[-1])
    return totals


def rating_totals(session: Session, start: date, end: date, dirty: list[date]) -> dict[int, list]:
    """unit → [*RATING_SUMS, None] over the ratings given in [start, end), clean days rolled up, dirty direct."""
    query = (
        select(RatingDay.unit_id, *[func.sum(getattr(RatingDay, name)) for name in RATING_SUMS])
        .where(RatingDay.day >= start, RatingDay.day < end, RatingDay.day.not_in(dirty or [date.min]))
        .group_by(RatingDay.unit_id)
    )
    totals: dict = {}
    for unit, *sums in [*session.exec(query).all(), *(_direct_ratings(session, _runs(dirty)) if dirty else [])]:
        _add(totals, unit, sums)
    return totals


def open_late(session: Session, start: date, end: date, moment: datetime) -> dict[int, int]:
    """unit → lead orders dispatched in [start, end) still open past their due date at ``moment``. Read through
    the (status, due_at) index only — the open orders past their date are few — and sorted into the period
    here: given the dispatch range too, SQLite's planner walks the period's orders by dispatch instead."""
    lo, hi = start_of(start), start_of(end)
    query = select(WorkOrder.unit_id, WorkOrder.dispatched_at).where(
        WorkOrder.status.in_((W.PENDING_SIGN, W.HANDLING)),
        WorkOrder.due_at < moment,
        WorkOrder.feedback_at.is_(None),
        WorkOrder.order_role == OrderRole.LEAD,
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # PostgreSQL's planner multiplies "open" (say 10 %) by "due before now" (most orders: the closed ones'
        # dates are past) as if independent, and expects 9 % of the table where there are a few thousand: at
        # 1.5 M orders it estimated 330 000 rows for 1 906, and a sequential scan's cost was within 30 % of the
        # index's. At 10 M orders every figures page took ~0.9 s (bench_supervision; at 1.5 M 50 ms, each
        # statement ≤ 5 ms), which a scan of the table would explain; that run's database was gone before
        # its plan could be read. The open orders past their date are a small share, so the index it is.
        session.exec(text("SET LOCAL enable_seqscan = off"))
    rows = session.exec(query).all()
    if postgres:
        session.exec(text("SET LOCAL enable_seqscan = DEFAULT"))
    return Counter(unit for unit, dispatched in rows if lo <= dispatched < hi)


def period_totals(session: Session, start: date, end: date) -> tuple[dict, dict]:
    """The order and rating totals of [start, end) (the dirty days read once for both)."""
    dirty = _dirty_days(session, start, end)
    return order_totals(session, start, end, dirty), rating_totals(session, start, end, dirty)


# ── the nightly reconciliation ─────────────────────────────────────────────────────────────


def _stored(session: Session, day: date) -> tuple[list[dict], list[dict]]:
    orders = session.exec(select(FigureDay).where(FigureDay.day == day)).all()
    ratings = session.exec(select(RatingDay).where(RatingDay.day == day)).all()
    strip = lambda rows: [row.model_dump(exclude={"id"}) for row in rows]  # noqa: E731
    return strip(orders), strip(ratings)


def _keyed(rows: list[dict]) -> dict:
    return {(row["unit_id"], row.get("level")): row for row in rows}


def reconcile(*, day: date | None = None) -> dict:
    """Recompute ``day`` (yesterday by default) from the source tables and compare it with its stored rows
    unless the day is dirty (then it is simply recomputed); a difference is logged as a warning, counted in
    the job's result (``differences``) and mended. Then recompute what is still dirty."""
    day = day or local_date(now()) - timedelta(days=1)
    differences = 0
    with session_scope() as session:
        if not _dirty_days(session, day, day + timedelta(days=1)):
            fresh, stored = _day_rows(session, day), _stored(session, day)
            for kind, want, have in zip(("figure_day", "rating_day"), fresh, stored, strict=True):
                want, have = _keyed(want), _keyed(have)
                for key in sorted(set(want) | set(have), key=str):
                    if want.get(key) != have.get(key):
                        differences += 1
                        log.warning("%s %s %s: stored %s, recomputed %s", kind, day, key, have.get(key), want.get(key))
            if differences:
                _store_days(session, [day])
    return {"day": day.isoformat(), "differences": differences, "refreshed": refresh_dirty()}
