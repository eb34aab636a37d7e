"""Failure counters that slow down guessing (DESIGN §8): login per username + address, per address and
per username; registration per address.

A counter starts afresh when its last failure is older than the limit's window; it locks the key for
the window once it reaches the limit. Keys are a kind and a SHA-256 of what is counted, so the table
tells nobody which usernames exist and keeps no client address in clear. ``purge_throttles`` (the
scheduler, hourly) deletes counters idle for a day.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.tables import Throttle


@dataclass(frozen=True)
class Limit:
    kind: str
    max_failures: int
    window: timedelta


def throttle_key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{kind}:{digest}"[:64]


def locked(session: Session, key: str, moment: datetime, *, since: datetime | None = None) -> bool:
    """Whether ``key`` is locked at ``moment``; failures counted at or before ``since`` (an admin lifted
    the lock then) do not count."""
    row = session.get(Throttle, key)
    if row is None or (since is not None and row.updated_at <= since):
        return False
    return bool(row.locked_until and row.locked_until > moment)


def record_failure(
    session: Session, key: str, limit: Limit, moment: datetime, *, since: datetime | None = None
) -> bool:
    """Count one failure; True when the key is now locked. A count older than ``since`` starts afresh."""
    row = session.get(Throttle, key) or Throttle(key=key, failures=0, updated_at=moment)
    stale = row.updated_at + limit.window <= moment or (since is not None and row.updated_at <= since)
    lock_over = row.locked_until is not None and row.locked_until <= moment
    if stale or lock_over:
        row.failures, row.locked_until = 0, None  # a quiet window or a served lock: count afresh
    row.failures += 1
    row.updated_at = moment
    if row.failures >= limit.max_failures:
        row.locked_until = moment + limit.window
    session.add(row)
    return row.locked_until is not None


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
