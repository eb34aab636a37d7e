"""The figures' daily roll-up (issue #25): per unit and local day, the additive counts ``supervision/figures``
reads instead of scanning a year of work orders and ratings; and the days whose counts must be recomputed.

A day is marked dirty in the same transaction as any change that may move its counts: every flush that
adds, changes or deletes a lead work order or a rating adds a ``figure_dirty`` row for the local day the
row counts in (the order's dispatch, the rating's date; before and after, if that moved). The listener
below sees ORM flushes; ``workflow.update_order`` sets the order's attributes after its UPDATE, so its
changes flush through it too. A plain ``insert()`` / ``update()`` of those tables bypasses it and must
mark its days itself (the benchmark's bulk load does). ``supervision/rollup`` recomputes dirty days and
reads a dirty day directly from the source tables, so the figures never depend on the recompute's timing.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import Index, UniqueConstraint, event, inspect
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from portal.core.calendar import local_date
from portal.models.tables.demands import Rating, WorkOrder


class FigureDay(SQLModel, table=True):
    """Lead (主办) orders dispatched on ``day`` to ``unit_id`` at ``level``: the time-independent counts of
    ``figures._order_counts`` (an order still open past its due date is counted at read time)."""

    __tablename__ = "figure_day"
    __table_args__ = (UniqueConstraint("day", "unit_id", "level", name="uq_figure_day"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    day: date
    unit_id: int
    level: str = Field(max_length=10)
    received: int = 0  # kept: neither returned nor cancelled
    signed_on_time: int = 0
    closed: int = 0
    closed_on_time: int = 0
    closed_late: int = 0
    returned: int = 0  # returned or cancelled
    used_sum: int = 0  # working days used, over every lead order of the day (as the direct average)
    used_count: int = 0
    used_max: Optional[int] = None


class RatingDay(SQLModel, table=True):
    """Ratings given on ``day`` for ``unit_id`` (the round's lead unit): ``rating_figures._ratings``'s counts,
    the sub-scores as sums and counts."""

    __tablename__ = "rating_day"
    __table_args__ = (UniqueConstraint("day", "unit_id", name="uq_rating_day"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    day: date
    unit_id: int
    rated: int = 0
    satisfied: int = 0
    bad: int = 0
    excluded: int = 0
    default_good: int = 0
    time_sum: int = 0
    time_count: int = 0
    result_sum: int = 0
    result_count: int = 0
    attitude_sum: int = 0
    attitude_count: int = 0


class FigureDirty(SQLModel, table=True):
    """A day whose roll-up rows may be stale. One row per marking transaction, never updated: the recompute
    deletes only the rows it saw before reading the day, so a change committed meanwhile keeps its mark."""

    __tablename__ = "figure_dirty"
    __table_args__ = (Index("ix_figure_dirty_day", "day"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    day: date


def _days_of(obj) -> set[date]:
    """The local days ``obj`` counts in, now and before this flush's changes."""
    column = "dispatched_at" if isinstance(obj, WorkOrder) else "created_at"
    history = inspect(obj).attrs[column].history
    instants = [*history.added, *history.unchanged, *history.deleted] or [getattr(obj, column)]
    if isinstance(obj, WorkOrder):
        roles = inspect(obj).attrs.order_role.history
        if "主办" not in (*roles.added, *roles.unchanged, *roles.deleted):
            return set()
    return {local_date(instant) for instant in instants if instant is not None}


@event.listens_for(Session, "before_flush")
def _mark_dirty_days(session: Session, _context, _instances) -> None:
    days: set[date] = set()
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    for obj in (*session.new, *changed, *session.deleted):
        if isinstance(obj, (WorkOrder, Rating)):
            days |= _days_of(obj)
    for day in sorted(days):
        session.add(FigureDirty(day=day))
