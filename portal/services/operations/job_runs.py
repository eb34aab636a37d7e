"""The scheduler's record of its own runs, read by /api/health (issue #10): a job that has not succeeded
for three of its intervals makes the portal unhealthy, so a dead scheduler is noticed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.models.tables import JobRun

STALE_INTERVALS = 3


def record_run(job_id: str, interval_seconds: int, started: datetime, summary: str, error: str = "") -> None:
    """Store one run's outcome (a success also moves ``last_success_at``)."""
    finished = now()
    with session_scope() as session:
        run = session.get(JobRun, job_id) or JobRun(job_id=job_id, interval_seconds=interval_seconds)
        run.interval_seconds = interval_seconds
        run.last_started_at = started
        run.last_duration_ms = int((finished - started).total_seconds() * 1000)
        run.last_summary = summary[:500]
        run.last_error = error[:500]
        if not error:
            run.last_success_at = finished
        session.add(run)


def scheduler_health(moment: datetime | None = None) -> dict:
    """{"ok": bool, "jobs": {job: {...}}}. No rows at all (the scheduler never ran against this database)
    is reported as such but not as unhealthy: a fresh install, or the web tier alone in the tests."""
    moment = moment or now()
    with session_scope() as session:
        runs = session.exec(select(JobRun).order_by(JobRun.job_id)).all()
    jobs, ok = {}, True
    for run in runs:
        limit = timedelta(seconds=STALE_INTERVALS * run.interval_seconds)
        fresh = run.last_success_at is not None and moment - run.last_success_at <= limit
        ok = ok and fresh
        jobs[run.job_id] = {
            "last_success": format_instant(run.last_success_at),
            "last_duration_ms": run.last_duration_ms,
            "last_summary": run.last_summary,
            "last_error": run.last_error,
            "healthy": fresh,
        }
    return {"ok": ok, "ran": bool(runs), "jobs": jobs}
