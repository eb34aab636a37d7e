"""Which jobs run when. Each job calls a service function and logs what it did."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from portal.services import sessions, sweeps

log = logging.getLogger("portal.jobs")


def purge_sessions() -> None:
    removed = sessions.purge_expired_sessions()
    if removed:
        log.info("purged %s ended sessions", removed)


def open_revisits() -> None:
    created = sweeps.open_due_revisits()
    if created:
        log.info("opened %s revisit tasks", created)


def register_jobs(scheduler) -> None:
    scheduler.add_job(open_revisits, "interval", minutes=10, id="open_revisits", next_run_time=datetime.now(UTC))
    scheduler.add_job(purge_sessions, "interval", hours=1, id="purge_sessions", next_run_time=datetime.now(UTC))
