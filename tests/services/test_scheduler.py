"""One scheduler leads; a second one stays idle until the first lets go (DESIGN §4, §9)."""

from apscheduler.schedulers.background import BackgroundScheduler

from portal.jobs.leader import LeaderLock
from portal.jobs.registry import register_jobs


def test_only_one_leader_at_a_time(db):
    first, second = LeaderLock(), LeaderLock()
    assert first.try_acquire()
    try:
        assert not second.try_acquire()
    finally:
        first.release()
    assert second.try_acquire()
    second.release()


def test_jobs_are_registered_with_safe_defaults(db):
    scheduler = BackgroundScheduler(job_defaults={"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1})
    register_jobs(scheduler)
    assert {job.id for job in scheduler.get_jobs()} == {
        "supervise_orders",
        "open_revisits",
        "expire_policies",
        "daily_digest",
        "consult_reminders",
        "monthly_bulletin",
        "figure_rollup",
        "reconcile_figures",
        "purge_housekeeping",
        "deliver_outbox",
        "group_demands",
    }
