"""Benchmark of the demand services on the embedded SQLite setup (or PORTAL_DATABASE_URL).

    .venv/bin/python bench/bench_demands.py [--demands 20000] [--postgres postgresql+psycopg://postgres@127.0.0.1/postgres]

Measures: submissions through the real service (validation, code sequence, timeline hash, notice) per
second; then bulk-loads N demands (COPY batches on PostgreSQL) and prints the load time and, on PostgreSQL,
what the table and each index weigh; then the latency of the pages' queries (dispatch queue page, an
enterprise's list page, staff keyword search, one demand's detail). Prints tables for the README.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import bench_database, insert_rows  # noqa: E402


def demand_row(code: str, *, enterprise_id: int, topic_id: int, status: str, title: str, content: str, moment) -> dict:
    """The columns of one bulk-loaded demand (what the services would have written, minus the timeline)."""
    from portal.services.base.fulltext import cjk_bigrams

    return dict(
        code=code,
        enterprise_id=enterprise_id,
        kind="求助",
        topic_id=topic_id,
        title=title,
        content=content,
        contact_name="张三",
        contact_phone="13800000000",
        status=status,
        round=1,
        channel="线上提交",
        created_at=moment,
        updated_at=moment,
        search_tokens=cjk_bigrams(f"{title} {content}"),
        version=1,
        instant_answer="",
        reject_reason="",
        closed_unrated=False,
    )


def load_demands(count: int, *, enterprise_ids: list[int], topic_ids: list[int]) -> None:
    """Bulk-load ``count`` demands in batches of 10 000 (COPY on PostgreSQL), generated batch by batch so
    10 M rows never sit in memory. A vocabulary of ~300 two-character words, so a keyword matches a few per
    cent of demands (as real complaint text does), plus the common ones the dispatchers search for."""
    from portal.core.clock import now
    from portal.models.tables import Demand

    rng = random.Random(7)
    chars = "用地规划施工许可融资贷款招聘工供电增容专利补贴停车道路排污环评消防验收税务社保燃气供水网络厂房租金物流"
    words = sorted({rng.choice(chars) + rng.choice(chars) for _ in range(400)} | {"增容", "许可", "停车"})
    moment, started = now(), time.perf_counter()

    def batch(start: int):
        for i in range(start, min(start + 10000, count)):
            title = "".join(rng.sample(words, 2)) + f"问题{i}"
            content = "企业反映" + "、".join(rng.sample(words, 6)) + "等方面的困难,请协调解决。"
            yield demand_row(
                f"QB{i:012d}",
                enterprise_id=rng.choice(enterprise_ids),
                topic_id=rng.choice(topic_ids),
                status=rng.choice(["待受理", "办理中", "已办结", "待评价"]),
                title=title,
                content=content,
                moment=moment,
            )

    for start in range(0, count, 10000):
        insert_rows(Demand, batch(start))
        if (start + 10000) % 1_000_000 == 0:  # the rate, so a long load can be judged early
            print(f"  {start + 10000} demands loaded: {time.perf_counter() - started:.0f} s", flush=True)


def print_sizes() -> None:
    """What the demand table and each of its indexes weigh on disk (PostgreSQL)."""
    from sqlalchemy import text

    from portal.core.db import session_scope

    with session_scope() as session:
        table, toast, indexes = session.exec(
            text(
                "SELECT pg_relation_size('demand'), pg_total_relation_size('demand') - pg_relation_size('demand')"
                " - pg_indexes_size('demand'), pg_indexes_size('demand')"
            )
        ).one()
        each = session.exec(
            text(
                "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index"
                " WHERE indrelid = 'demand'::regclass ORDER BY 2 DESC"
            )
        ).all()
    print(
        f"demand table {table / 2**20:.0f} MiB (+ TOAST and maps {toast / 2**20:.0f} MiB), "
        f"its {len(each)} indexes {indexes / 2**20:.0f} MiB:"
    )
    print("| index | MiB |\n|---|---|")
    for name, size in each:
        print(f"| {name} | {size / 2**20:.0f} |")


def timed(fn, repeat: int = 40) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demands", type=int, default=20000)
    parser.add_argument("--submits", type=int, default=300)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL: a fresh database, dropped after")
    parser.add_argument(
        "--existing", action="store_true", help="only time the queries, on the loaded PORTAL_DATABASE_URL"
    )
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="qs-bench-")
    os.environ["PORTAL_PRIVATE_UPLOAD_DIR"] = f"{workdir}/uploads"
    if args.postgres and not args.existing:
        with bench_database("bench_demands", workdir, args.postgres):
            run(args)
    else:
        os.environ.setdefault("PORTAL_DATABASE_URL", f"sqlite:///{workdir}/bench.db")
        run(args)


def _actor(user):
    from portal.services.accounts.actor import Actor

    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        unit_id=user.unit_id,
        enterprise_id=user.enterprise_id,
    )


def run(args: argparse.Namespace) -> None:
    from sqlmodel import select

    from portal.cli import migrate
    from portal.core.db import session_scope
    from portal.models.tables import User
    from portal.seed.demo import seed_demo_world

    if not args.existing:
        migrate()
        seed_demo_world()
    with session_scope() as session:
        users = {u.username: _actor(u) for u in session.exec(select(User))}
    ent, centre = users["qiye1"], users["zhongxin"]
    if not args.existing:
        load(args, ent)
    time_queries(args, ent, centre)


def load(args: argparse.Namespace, ent) -> None:
    """Submissions through the service (their rate printed), then the bulk load, VACUUM ANALYZE and sizes."""
    from sqlalchemy import text
    from sqlmodel import select

    from portal.core.db import get_engine, session_scope
    from portal.models.tables import Enterprise, Topic
    from portal.services.demands import intake

    with session_scope() as session:
        topic_ids = list(session.exec(select(Topic.id)))
        enterprise_ids = list(session.exec(select(Enterprise.id)))
    form = intake.DemandForm(
        kind="求助",
        topic_id=topic_ids[0],
        title="基准测试诉求",
        content="这是一条用于测量提交性能的诉求内容,包含足够的文字。",
        contact_name="王经理",
        contact_phone="13805380001",
    )
    start = time.perf_counter()
    for _ in range(args.submits):
        intake.submit_demand(actor=ent, form=form)
    print(f"submit_demand through the service: {args.submits / (time.perf_counter() - start):.0f} /s", flush=True)

    started = time.perf_counter()
    load_demands(args.demands, enterprise_ids=enterprise_ids, topic_ids=topic_ids)
    load_s = time.perf_counter() - started
    with session_scope() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:  # what autovacuum does after a bulk load (PostgreSQL ≥ 13 vacuums after inserts too)
        with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE demand"))
    else:
        with session_scope() as session:
            session.exec(text("ANALYZE"))
    print(
        f"bulk load of {args.demands} demands: {load_s:.0f} s, then VACUUM ANALYZE "
        f"{time.perf_counter() - started - load_s:.0f} s",
        flush=True,
    )
    if postgres:
        print_sizes()


def time_queries(args: argparse.Namespace, ent, centre) -> None:
    from sqlalchemy import func
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Demand
    from portal.services.demands import detail as demand_detail
    from portal.services.demands import lists

    with session_scope() as session:
        total = session.exec(select(func.count()).select_from(Demand)).one()
    sample_id = lists.dispatch_queue(actor=centre, status="待受理")["rows"][0]["id"]
    results = {
        "dispatch queue page (待受理, oldest 20)": timed(lambda: lists.dispatch_queue(actor=centre, status="待受理")),
        "enterprise list page (newest 20)": timed(lambda: lists.my_demands(actor=ent)),
        "staff search, 2-char keyword 增容": timed(
            lambda: lists.search_demands(actor=centre, filters={"keyword": "增容"})
        ),
        "staff search, 增容 + status 办理中": timed(
            lambda: lists.search_demands(actor=centre, filters={"keyword": "增容", "status": "办理中"})
        ),
        "staff search, 增容, page 50": timed(
            lambda: lists.search_demands(actor=centre, filters={"keyword": "增容"}, page=50)
        ),
        "staff search, code prefix QB0000050000 (100 matches)": timed(
            lambda: lists.search_demands(actor=centre, filters={"code": "QB0000050000"})
        ),
        "demand detail with timeline": timed(lambda: demand_detail.demand_detail(actor=centre, demand_id=sample_id)),
    }
    print(f"database: {os.environ['PORTAL_DATABASE_URL'].split(':')[0]}, demands: {total}")
    print("| query | median ms | p95 ms |\n|---|---|---|")
    for name, (median, p95) in results.items():
        print(f"| {name} | {median:.1f} | {p95:.1f} |", flush=True)


if __name__ == "__main__":
    main()
