"""Which jobs run when. Each job calls a service function and logs what it did."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from portal.services import attachments, sessions, sweeps, throttle

log = logging.getLogger("portal.jobs")


def purge_sessions() -> None:
    removed = sessions.purge_expired_sessions()
    if removed:
        log.info("purged %s ended sessions", removed)


def purge_throttles_and_staging() -> None:
    counters = throttle.purge_throttles()
    files = attachments.purge_staged()
    if counters or files:
        log.info("purged %s idle throttle counters and %s abandoned staged files", counters, files)


def open_revisits() -> None:
    created = sweeps.open_due_revisits()
    if created:
        log.info("opened %s revisit tasks", created)


def register_jobs(scheduler) -> None:
    scheduler.add_job(open_revisits, "interval", minutes=10, id="open_revisits", next_run_time=datetime.now(UTC))
    scheduler.add_job(purge_sessions, "interval", hours=1, id="purge_sessions", next_run_time=datetime.now(UTC))
    scheduler.add_job(
        purge_throttles_and_staging, "interval", hours=1, id="purge_housekeeping", next_run_time=datetime.now(UTC)
    )
