"""What the sweep writes for a batch of work orders: each order's check gathers its rows (notices and their
inbox copies, cards, timeline events, its next moment) in a ``Writes``; the rows of every order that
succeeded are written together, one statement per table. Also the set-based reads a batch starts with."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, func, update
from sqlmodel import Session, select

from portal.core.db import bulk_insert, bulk_insert_objects, one_of
from portal.models.tables import Card, SupervisionNotice, TimelineEvent, Unit, WorkOrder
from portal.services.base.notices import notify_many


@dataclass
class Writes:
    """Rows to write; ``yellows`` and ``last_events`` are what they change of the batch's running counts."""

    notices: list[dict] = field(default_factory=list)  # supervision_notice rows
    inbox: list[dict] = field(default_factory=list)  # notification rows (``notices.inbox_row``)
    cards: list[dict] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)  # {"id", "next_check_at"} of work orders
    yellows: Counter = field(default_factory=Counter)  # (unit id, month) → yellow cards added
    last_events: dict[int, TimelineEvent] = field(default_factory=dict)  # demand id → its newest event

    def merge(self, other: Writes) -> None:
        for name in ("notices", "inbox", "cards", "events", "checks"):
            getattr(self, name).extend(getattr(other, name))
        self.yellows.update(other.yellows)
        self.last_events.update(other.last_events)


def write(session: Session, writes: Writes) -> None:
    """One INSERT per table (notices whose key is already stored are left out, with their inbox copies: the
    ladder's keys are per unit, not per order) and the next moments in one executemany UPDATE — Core
    statements on the tables, not ORM objects: nothing reads the rows back in the session."""
    if writes.notices:
        keys = [row["unique_key"] for row in writes.notices]
        query = select(SupervisionNotice.unique_key).where(one_of(session, SupervisionNotice.unique_key, keys))
        stored = set(session.exec(query).all())
        fresh = [row for row in writes.notices if row["unique_key"] not in stored]
        if fresh:
            bulk_insert(session, SupervisionNotice.__table__, fresh)
        notify_many(session, [row for row in writes.inbox if row["unique_key"][:120] not in stored])
    if writes.cards:
        bulk_insert(session, Card.__table__, writes.cards)
    if writes.events:
        bulk_insert_objects(session, writes.events)
    if writes.checks:
        table = WorkOrder.__table__
        moments = [{"order_id": row["id"], "moment": row["next_check_at"]} for row in writes.checks]
        statement = update(table).where(table.c.id == bindparam("order_id")).values(next_check_at=bindparam("moment"))
        session.exec(statement, params=moments)


def sent_keys(session: Session, order_ids) -> set[str]:
    """The keys of the notices and cards the orders already have."""
    notices = select(SupervisionNotice.unique_key).where(one_of(session, SupervisionNotice.work_order_id, order_ids))
    cards = select(Card.unique_key).where(one_of(session, Card.work_order_id, order_ids))
    return set(session.exec(notices).all()) | set(session.exec(cards).all())


def lock_units(session: Session, unit_ids: set[int]) -> None:
    """Lock the units about to be carded, in ascending id order: two schedulers take them in the same order
    and cannot deadlock, and the ladder counted after the lock sees every card committed before it
    (PostgreSQL, READ COMMITTED; SQLite serialises writers anyway and ignores the lock). FOR NO KEY UPDATE,
    not FOR UPDATE: notices of the unit (their foreign key takes KEY SHARE) must not wait for it."""
    if unit_ids:
        session.exec(
            select(Unit.id).where(Unit.id.in_(sorted(unit_ids))).order_by(Unit.id).with_for_update(key_share=True)
        ).all()


def last_events(session: Session, demand_ids) -> dict[int, TimelineEvent]:
    """demand id → its newest timeline event (the link the next one chains to)."""
    newest = (
        select(TimelineEvent.demand_id, func.max(TimelineEvent.seq).label("seq"))
        .where(one_of(session, TimelineEvent.demand_id, demand_ids))
        .group_by(TimelineEvent.demand_id)
        .subquery()
    )
    rows = session.exec(
        select(TimelineEvent).join(
            newest, and_(TimelineEvent.demand_id == newest.c.demand_id, TimelineEvent.seq == newest.c.seq)
        )
    ).all()
    return {event.demand_id: event for event in rows}
