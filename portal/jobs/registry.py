"""Which jobs run when. Each job calls a service function and logs what it did."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from portal.services import accounts, demands

log = logging.getLogger("portal.jobs")


def purge_sessions() -> None:
    removed = accounts.purge_expired_sessions()
    if removed:
        log.info("purged %s ended sessions", removed)


def open_revisits() -> None:
    created = demands.open_due_revisits()
    if created:
        log.info("opened %s revisit tasks", created)


def register_jobs(scheduler) -> None:
    scheduler.add_job(open_revisits, "interval", minutes=10, id="open_revisits", next_run_time=datetime.now(timezone.utc))
    scheduler.add_job(purge_sessions, "interval", hours=1, id="purge_sessions", next_run_time=datetime.now(timezone.utc))
