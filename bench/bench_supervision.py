"""Benchmark of the scheduler's jobs and the reports query at scale (issue #10).

    .venv/bin/python bench/bench_supervision.py [--demands 1000000] [--open 100000] [--due 1000] [--postgres URL]

Loads N demands with one lead work order each: ``--open`` of them still being handled (``--due`` of those
past their due date and due for a check now, the rest due later), the others answered, half of those
rated; ``--due`` demands wait for their rating past the window. The load bypasses the ORM, so it marks every
day of the history dirty as migration 0027 does. Then times the figures with nothing rolled up yet, the
roll-up's build from scratch, one run of every job, the figures for this month and this year, and again
with today dirty (a live day). A job should cost what is due, not what exists: compare the run at
100 000 and at 1 000 000 demands.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import bench_database, insert_rows  # noqa: E402

CHUNK = 20000


def bulk_load(demands: int, open_orders: int, due: int) -> None:
    """Demands, lead orders and ratings, inserted in chunks with explicit ids (COPY on PostgreSQL)."""
    from sqlalchemy import func, text
    from sqlmodel import select

    from portal.core.clock import now
    from portal.core.db import session_scope
    from portal.models.enums import UnitKind
    from portal.models.tables import Demand, Enterprise, Rating, Topic, Unit, WorkOrder

    rng = random.Random(11)
    moment, started = now(), time.perf_counter()
    with session_scope() as session:
        units = list(session.exec(select(Unit.id).where(Unit.kind != UnitKind.CENTER)))
        enterprise_ids = list(session.exec(select(Enterprise.id)))
        topic_ids = list(session.exec(select(Topic.id)))
        first_id = (session.exec(select(func.max(Demand.id))).one() or 0) + 1
    for start in range(0, demands, CHUNK):
        demand_rows, order_rows, rating_rows = [], [], []
        for i in range(start, min(start + CHUNK, demands)):
            demand_id = first_id + i
            created = moment - timedelta(days=rng.randint(1, 720), minutes=rng.randint(0, 1440))
            is_open, is_due, waiting_rating = i < open_orders, i < due, open_orders <= i < open_orders + due
            status = "办理中" if is_open else ("待评价" if waiting_rating else "已办结")
            unit = rng.choice(units)
            demand_rows.append(
                dict(
                    id=demand_id,
                    code=f"QB{demand_id:012d}",
                    enterprise_id=rng.choice(enterprise_ids),
                    kind="求助",
                    topic_id=rng.choice(topic_ids),
                    title=f"基准诉求{i}",
                    content="基准测试诉求内容",
                    contact_name="张三",
                    contact_phone="13800000000",
                    status=status,
                    round=1,
                    channel="线上提交",
                    created_at=created,
                    updated_at=created,
                    search_tokens="",
                    version=1,
                    instant_answer="",
                    reject_reason="",
                    closed_unrated=False,
                    lead_unit_id=unit,
                    rate_due_at=moment - timedelta(hours=1) if waiting_rating else None,
                )
            )
            due_at = moment - timedelta(days=2) if is_due else created + timedelta(days=7 if not is_open else 900)
            answered = not is_open
            feedback = created + timedelta(days=rng.randint(1, 9)) if answered else None
            order_rows.append(
                dict(
                    demand_id=demand_id,
                    unit_id=unit,
                    order_role="主办",
                    round=1,
                    status="办理中" if is_open else "已反馈",
                    level="一般",
                    dispatched_at=created,
                    sign_due_at=created + timedelta(days=1),
                    signed_at=created + timedelta(hours=3),
                    due_at=due_at,
                    original_due_at=due_at,
                    due_reason="一般(5个工作日)",
                    feedback_at=feedback,
                    reply_content="",
                    solve_method="",
                    co_opinion="",
                    suspected_false_feedback=False,
                    return_kind="",
                    return_reason="",
                    version=1,
                    next_check_at=(moment - timedelta(minutes=1) if is_due else due_at) if is_open else None,
                    working_days_used=rng.randint(1, 9) if answered else None,
                )
            )
            if answered and not waiting_rating and i % 2 == 0:
                rating_rows.append(
                    dict(
                        demand_id=demand_id,
                        round=1,
                        satisfaction=rng.choice(["非常满意", "满意", "基本满意", "不满意", "非常不满意"]),
                        contacted=True,
                        comment="",
                        source="线上评价",
                        lead_unit_id=unit,
                        created_at=feedback + timedelta(days=1),
                    )
                )
        for table, rows in ((Demand, demand_rows), (WorkOrder, order_rows), (Rating, rating_rows)):
            insert_rows(table, rows)
        if (start + CHUNK) % 1_000_000 == 0:  # the rate, so a long load can be judged early
            print(f"  {start + CHUNK} demands loaded: {time.perf_counter() - started:.0f} s", flush=True)
    with session_scope() as session:  # the bulk insert bypassed the ORM: mark its days as the migration would
        from portal.core.calendar import local_date
        from portal.services.supervision import rollup

        first = local_date(moment - timedelta(days=721))  # ratings come up to ten days after the latest dispatch
        rollup.mark_days(session, [first + timedelta(days=i) for i in range(733)])
    with session_scope() as session:  # what autovacuum / a maintenance window would have done
        session.exec(text("ANALYZE" if session.get_bind().dialect.name == "sqlite" else "ANALYZE demand"))
        if session.get_bind().dialect.name == "postgresql":
            session.exec(text("ANALYZE work_order"))
            session.exec(text("ANALYZE rating"))


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def run(args) -> list[str]:
    from portal.cli import migrate
    from portal.core.clock import now
    from portal.core.db import session_scope
    from portal.core.formatting import local_zone
    from portal.jobs.registry import JOBS
    from portal.seed.demo import seed_demo_world
    from portal.services.calendar.store import get_calendar
    from portal.services.supervision import figures, rollup, timed_work

    migrate()
    seed_demo_world(with_demands=False)
    start = time.perf_counter()
    bulk_load(args.demands, args.open, args.due)
    load_s = time.perf_counter() - start
    kind = "PostgreSQL" if os.environ["PORTAL_DATABASE_URL"].startswith("postgresql") else "SQLite"
    lines = [
        f"{kind}: {args.demands:,} demands, {args.open:,} open, {args.due:,} due now (load {load_s:.0f} s)",
        "| job / query | ms | result |",
        "|---|---|---|",
    ]
    today = now().astimezone(local_zone()).date()
    with session_scope() as session:
        workday = get_calendar(session).next_workday_on_or_after(today)
    for label in ("month", "year"):  # before the roll-up is built: every day dirty, read directly
        lo, hi, name = figures.period_bounds(label, today)
        with session_scope() as session:
            ms, rows = timed(lambda lo=lo, hi=hi: figures.unit_figures(session, lo, hi))
        lines.append(f"| figures, {name}, roll-up not built yet (all days direct) | {ms:.0f} | {len(rows)} units |")
    ms, days = timed(lambda: sum(iter(lambda: rollup.refresh_dirty(), 0)))
    lines.append(f"| roll-up built from scratch (figure_rollup runs until nothing is dirty) | {ms:.0f} | {days} days |")
    for job_id, _interval, work, _trigger in JOBS:
        if job_id in args.skip:
            lines.append(f"| {job_id} | not run (--skip) | |")
            continue
        if job_id == "daily_digest":  # the job waits for 08:00; time the digest of a working day directly
            work = lambda: {"digests": timed_work.send_daily_digests(day=workday)}  # noqa: E731
        ms, result = timed(work)
        lines.append(f"| {job_id} | {ms:.0f} | {result} |")
    for label in ("month", "year"):
        lo, hi, name = figures.period_bounds(label, today)
        with session_scope() as session:
            ms, rows = timed(lambda lo=lo, hi=hi: figures.unit_figures(session, lo, hi))
        lines.append(f"| figures, {name} | {ms:.0f} | {len(rows)} units |")
    with session_scope() as session:  # a live day: today's rows changed since the last refresh
        rollup.mark_days(session, [today])
    for label in ("month", "year"):
        lo, hi, name = figures.period_bounds(label, today)
        with session_scope() as session:
            ms, rows = timed(lambda lo=lo, hi=hi: figures.unit_figures(session, lo, hi))
        lines.append(f"| figures, {name}, today dirty | {ms:.0f} | {len(rows)} units |")
    ms, result = timed(JOBS[0][2])
    lines.append(f"| supervise_orders again (nothing due) | {ms:.0f} | {result} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demands", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: the run uses a fresh database on it")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        help="jobs not to run, e.g. group_demands (its first run groups the last 30 days: bench_classes times it)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the PostgreSQL database in place afterwards")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="qs-bench-sup-")
    os.environ["PORTAL_PRIVATE_UPLOAD_DIR"] = f"{workdir}/uploads"
    with bench_database("qs_bench_sup", workdir, args.postgres, keep=args.keep):
        print("\n".join(run(args)))


if __name__ == "__main__":
    main()
