"""Which jobs run when. Each job calls service functions; every run logs one line (counts, duration)
and is recorded for /api/health (``services.job_runs``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger

from portal.core import logs
from portal.core.clock import now
from portal.core.metrics import JOB_RUNS, JOB_SECONDS
from portal.core.settings import get_settings
from portal.services.accounts import sessions, throttle
from portal.services.classes import grouping
from portal.services.delivery import sending
from portal.services.demands import attachments, default_rating
from portal.services.enterprises import consultation, tracking
from portal.services.ledgers import exports
from portal.services.operations import backup, job_runs
from portal.services.supervision import figures, rollup, sweep, timed_work

log = logging.getLogger("portal.jobs")


def _summary(result) -> str:
    if isinstance(result, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(result.items())) or "nothing due"
    return str(result)


def run_job(job_id: str, interval_seconds: int, work: Callable[[], object]) -> None:
    """Run ``work``, log one line and record the outcome; an exception is logged and recorded, never
    raised into the scheduler (the next run tries again)."""
    started, clock = now(), time.monotonic()
    context = logs.begin("event", f"job:{job_id}")
    try:
        summary = _summary(work())
    except Exception as exc:  # noqa: BLE001 - recorded for /api/health and logged with its traceback
        elapsed = time.monotonic() - clock
        JOB_RUNS.labels(job=job_id, outcome="error").inc()
        JOB_SECONDS.labels(job=job_id).observe(elapsed)
        log.exception("job %s failed", job_id, extra={**context, "duration_ms": round(elapsed * 1000, 1)})
        job_runs.record_run(job_id, interval_seconds, started, "", f"{type(exc).__name__}: {exc}")
        return
    elapsed = time.monotonic() - clock
    JOB_RUNS.labels(job=job_id, outcome="ok").inc()
    JOB_SECONDS.labels(job=job_id).observe(elapsed)
    log.info("job %s: %s", job_id, summary, extra={**context, "duration_ms": round(elapsed * 1000, 1)})
    job_runs.record_run(job_id, interval_seconds, started, summary)


def _housekeeping() -> dict:
    return {
        "sessions": sessions.purge_expired_sessions(),
        "throttles": throttle.purge_throttles(),
        "staged_files": attachments.purge_staged(),
        "ledger_exports": exports.purge_exports(),
        "track_lookups": tracking.purge_track_lookups(),
    }


# job id, seconds between runs (for health), the work, the trigger
JOBS: list[tuple[str, int, Callable[[], object], dict]] = [
    ("supervise_orders", 60, lambda: dict(sweep.sweep_work_orders()), {"trigger": "interval", "minutes": 1}),
    ("figure_rollup", 60, lambda: {"days": rollup.refresh_dirty()}, {"trigger": "interval", "minutes": 1}),
    (
        "open_revisits",
        600,
        lambda: {"revisits": timed_work.open_due_revisits(), "default_good": default_rating.apply_default_ratings()},
        {"trigger": "interval", "minutes": 10},
    ),
    ("expire_policies", 3600, lambda: {"expired": timed_work.expire_policies()}, {"trigger": "interval", "hours": 1}),
    (
        "daily_digest",
        86400,
        lambda: {"digests": timed_work.send_daily_digests()},
        {"trigger": CronTrigger(hour=8, minute=30)},
    ),
    (
        "consult_reminders",
        86400,
        lambda: {"reminders": consultation.send_consult_reminders()},
        {"trigger": CronTrigger(hour=9)},
    ),
    ("reconcile_figures", 86400, rollup.reconcile, {"trigger": CronTrigger(hour=0, minute=40)}),
    ("monthly_bulletin", 86400, lambda: {"rows": figures.take_monthly_bulletin()}, {"trigger": CronTrigger(hour=1)}),
    ("purge_housekeeping", 3600, _housekeeping, {"trigger": "interval", "hours": 1}),
    ("deliver_outbox", 60, sending.deliver_outbox, {"trigger": "interval", "minutes": 1}),  # issue #27
    (
        "group_demands",
        86400,
        lambda: dict(grouping.group_new_demands() or {"claimed_elsewhere": 1}),
        {"trigger": CronTrigger(hour=1, minute=30)},
    ),
]


# Only with PORTAL_BACKUP_DIR set: one archive a day (02:30), old ones removed (PORTAL_BACKUP_KEEP_DAYS).
BACKUP_JOB = ("nightly_backup", 86400, backup.nightly_backup, {"trigger": CronTrigger(hour=2, minute=30)})


def register_jobs(scheduler) -> None:
    """Every job, first run at start (catching up after downtime), then on its trigger. The digest and the
    bulletin are idempotent by key, so running them at start is harmless; so is the backup (one a day)."""
    jobs = [*JOBS, BACKUP_JOB] if get_settings().backup_dir is not None else JOBS
    for job_id, interval, work, trigger in jobs:
        scheduler.add_job(run_job, args=(job_id, interval, work), id=job_id, next_run_time=datetime.now(UTC), **trigger)
