"""The scheduler process: ``python -m portal.jobs``. Never started inside a web worker.

Jobs are sweepers over database state, idempotent and safe to run twice (DESIGN §4), so a restart
catches up by simply running them again.
"""

from __future__ import annotations

import logging
import os
import signal
import time

from apscheduler.schedulers.blocking import BlockingScheduler

from portal.core.logs import configure_logging
from portal.core.settings import get_settings
from portal.jobs.leader import LeaderLock
from portal.jobs.registry import register_jobs

log = logging.getLogger("portal.jobs")


def main() -> None:
    configure_logging()
    lock = LeaderLock()
    # How often a standby scheduler tries to take over (the takeover test shortens it).
    retry_seconds = float(os.environ.get("PORTAL_SCHEDULER_RETRY_SECONDS", "30"))
    while not lock.try_acquire():
        log.info("another scheduler holds the lock; waiting")
        time.sleep(retry_seconds)
    log.info("scheduler is leader")
    scheduler = BlockingScheduler(
        timezone=get_settings().timezone,
        job_defaults={"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1},
    )
    register_jobs(scheduler)

    def stop(*_args) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()


if __name__ == "__main__":
    main()
