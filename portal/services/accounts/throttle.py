"""Failure counters that slow down guessing (DESIGN §8): login per username + address, per address and
per username; registration per address; and per-minute budgets (``spend_in_minute``: API calls, 类似诉求 lookups).

A counter starts afresh when its last failure is older than the limit's window; it locks the key for
the window once it reaches the limit. Keys are a kind and a SHA-256 of what is counted, so the table
tells nobody which usernames exist and keeps no client address in clear. ``purge_throttles`` (the
scheduler, hourly) deletes counters idle for a day.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal
from sqlmodel import Session

from portal.core.clock import now
from portal.core.db import session_scope, upsert_into
from portal.models.tables import Throttle


@dataclass(frozen=True)
class Limit:
    """``max_failures`` failures within ``window`` of each other lock the key for the window; with
    ``max_delay`` set they only hold it instead: from ``max_failures`` on, each failure holds the key 1,
    2, 4 … seconds, never more than ``max_delay``, and the count goes on until a quiet window."""

    kind: str
    max_failures: int
    window: timedelta
    max_delay: timedelta | None = None

    def steps(self) -> list[tuple[int, timedelta]]:
        """(from how many failures, how long the key is then held), the largest count first."""
        if self.max_delay is None:
            return [(self.max_failures, self.window)]
        steps, count, hold = [], self.max_failures, timedelta(seconds=1)
        while hold < self.max_delay:
            steps.append((count, hold))
            count, hold = count + 1, hold * 2
        return [(count, self.max_delay), *reversed(steps)]

    def hold_for(self, failures: int) -> timedelta | None:
        return next((hold for start, hold in self.steps() if failures >= start), None)


def throttle_key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{kind}:{digest}"[:64]


def held_until(session: Session, key: str, moment: datetime, *, since: datetime | None = None) -> datetime | None:
    """Until when ``key`` is locked or held at ``moment`` (None: it is not); failures counted at or
    before ``since`` (an admin lifted the lock then) do not count."""
    row = session.get(Throttle, key)
    if row is None or (since is not None and row.updated_at <= since):
        return None
    return row.locked_until if row.locked_until and row.locked_until > moment else None


def locked(session: Session, key: str, moment: datetime, *, since: datetime | None = None) -> bool:
    return held_until(session, key, moment, since=since) is not None


def record_failure(
    session: Session, key: str, limit: Limit, moment: datetime, *, since: datetime | None = None
) -> datetime | None:
    """Count one failure; returns until when the key is now locked or held (None: it is not). One
    INSERT … ON CONFLICT DO UPDATE … RETURNING, so parallel failures are each counted exactly once and
    two first failures of a key cannot collide. A count older than ``since`` starts afresh."""
    table = Throttle.__table__
    afresh = table.c.updated_at <= moment - limit.window  # a quiet window
    if since is not None:
        afresh = afresh | (table.c.updated_at <= since)
    if limit.max_delay is None:
        afresh = afresh | (table.c.locked_until <= moment)  # a served lock counts afresh; a served delay not
    count = case((afresh, 1), else_=table.c.failures + 1)
    until_type = table.c.locked_until.type
    held = case(*[(count >= start, literal(moment + hold, until_type)) for start, hold in limit.steps()], else_=None)
    first_hold = limit.hold_for(1)
    statement = (
        upsert_into(session, Throttle)
        .values(key=key, failures=1, updated_at=moment, locked_until=moment + first_hold if first_hold else None)
        .on_conflict_do_update(
            index_elements=["key"], set_={"failures": count, "locked_until": held, "updated_at": moment}
        )
        .returning(Throttle.locked_until)
    )
    return session.exec(statement).scalar_one()


def spend_in_minute(session: Session, kind: str, who: str, per_minute: int, moment: datetime) -> int | None:
    """Count one use of ``who`` under ``kind`` in the current minute; None when it is within ``per_minute``,
    else the seconds until the next minute (an HTTP 429's Retry-After). A fixed minute per counter row, counted
    by the atomic upsert of ``record_failure``, so every tab and worker shares it; idle rows are purged by
    ``purge_throttles``."""
    minute = moment.replace(second=0, microsecond=0)
    limit = Limit(kind, per_minute + 1, timedelta(minutes=1))
    held = record_failure(session, throttle_key(kind, who, minute.isoformat()), limit, moment)
    if held is None:
        return None
    return max(1, int((minute + timedelta(minutes=1) - moment).total_seconds()) + 1)


def clear(session: Session, key: str) -> None:
    row = session.get(Throttle, key)
    if row is not None:
        session.delete(row)


def purge_throttles(*, idle_hours: int = 24) -> int:
    """Delete counters with no failure for ``idle_hours`` and no running lock (a scheduler job)."""
    moment = now()
    with session_scope() as session:
        result = session.exec(
            delete(Throttle).where(
                Throttle.updated_at < moment - timedelta(hours=idle_hours),
                (Throttle.locked_until.is_(None)) | (Throttle.locked_until < moment),
            )
        )
        return result.rowcount or 0
