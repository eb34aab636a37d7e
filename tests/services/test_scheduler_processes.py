"""Two real scheduler processes on one database (issue #10): one leads and runs the jobs, the other waits;
when the leader dies (SIGKILL, no clean release) the standby takes over and runs them. On SQLite the lock
is a flock next to the database file, on PostgreSQL an advisory lock on the leader's connection; both die
with the process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from portal.core.db import session_scope
from portal.models.tables import JobRun
from tests.services.test_supervision import people  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]


def start_scheduler(url: str, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DATABASE_URL=url, PORTAL_SCHEDULER_RETRY_SECONDS="0.5")
    handle = open(log, "w")
    return subprocess.Popen(
        [sys.executable, "-m", "portal.jobs"], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
    )


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def job_ids() -> set[str]:
    with session_scope() as session:
        return {run.job_id for run in session.exec(select(JobRun)) if run.last_success_at}


def test_standby_takes_over_when_the_leader_dies(db, tmp_path):
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_scheduler(db, first_log)
    second = None
    try:
        wait_for(lambda: "scheduler is leader" in first_log.read_text())
        wait_for(lambda: {"supervise_orders", "open_revisits", "purge_housekeeping"} <= job_ids())
        second = start_scheduler(db, second_log)
        wait_for(lambda: "another scheduler holds the lock" in second_log.read_text())
        time.sleep(1.5)  # a few more tries: still standing by
        assert "scheduler is leader" not in second_log.read_text()

        with session_scope() as session:  # forget the leader's runs, so the standby's are seen
            for run in session.exec(select(JobRun)):
                session.delete(run)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        wait_for(lambda: "scheduler is leader" in second_log.read_text(), timeout=30)
        wait_for(lambda: "supervise_orders" in job_ids(), timeout=30)
        assert "job supervise_orders:" in second_log.read_text()  # one log line per job run
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


def test_two_sweeping_processes_at_once_act_once_per_order(people, tmp_path):  # noqa: F811
    from portal.models.tables import Card, SupervisionNotice
    from tests.services.test_supervision import dispatched_order

    for i in range(6):
        dispatched_order(people, title=f"两个进程同时督办{i}", unit="市住房和城乡建设局")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DATABASE_URL=os.environ["PORTAL_DATABASE_URL"], PORTAL_FAKE_NOW="2026-10-20T09:00:00+08:00")
    code = "from portal.services.supervision import sweep; print(sweep.sweep_work_orders()['超期'])"
    processes = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes)
    assert sum(int(out.strip().splitlines()[-1]) for out in outputs) == 6
    with session_scope() as session:
        assert len(session.exec(select(Card)).all()) == 6
        keys = [n.unique_key for n in session.exec(select(SupervisionNotice))]
    # 6 超期催办; 红牌 at the 2nd, 4th, 6th yellow and 约谈 at the 2nd red, each to the unit and the centre.
    assert len(keys) == len(set(keys)) == 6 + 3 * 2 + 1 * 2
