"""The one source of "now" for the domain, so tests (and a demo) can move time.

Always timezone-aware UTC. ``PORTAL_FAKE_NOW`` (ISO 8601 with offset) pins the clock for a whole
process, which end-to-end tests use to make due dates predictable; unit tests use ``use_clock``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_override: Callable[[], datetime] | None = None


def _system_now() -> datetime:
    fake = os.environ.get("PORTAL_FAKE_NOW")
    if fake:
        pinned = datetime.fromisoformat(fake)
        if pinned.tzinfo is None:
            raise ValueError("PORTAL_FAKE_NOW needs a UTC offset, e.g. 2026-11-24T09:00:00+08:00")
        return pinned.astimezone(UTC)
    return datetime.now(UTC)


def now() -> datetime:
    """Current instant, aware, in UTC."""
    return (_override or _system_now)()


@contextmanager
def use_clock(fn: Callable[[], datetime]) -> Iterator[None]:
    """Temporarily replace the clock (tests)."""
    global _override
    previous = _override
    _override = fn
    try:
        yield
    finally:
        _override = previous


def fixed(instant: datetime) -> Callable[[], datetime]:
    if instant.tzinfo is None:
        raise ValueError("a fixed clock needs an aware datetime")
    return lambda: instant.astimezone(UTC)
