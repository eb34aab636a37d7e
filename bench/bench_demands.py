"""Benchmark of the demand services on the embedded SQLite setup (or PORTAL_DATABASE_URL).

    .venv/bin/python bench/bench_demands.py [--demands 20000]

Measures: submissions through the real service (validation, code sequence, timeline hash, notice) per
second; then, with N demands in the table, the latency of the pages' queries (dispatch queue page,
an enterprise's list page, staff keyword search, one demand's detail). Prints a table for the README.
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
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="qs-bench-")
    os.environ.setdefault("PORTAL_DATABASE_URL", f"sqlite:///{workdir}/bench.db")
    os.environ["PORTAL_PRIVATE_UPLOAD_DIR"] = f"{workdir}/uploads"

    from sqlalchemy import insert, text
    from sqlmodel import select

    from portal.cli import migrate
    from portal.core.clock import now
    from portal.core.db import get_engine, session_scope
    from portal.models.tables import Demand, Enterprise, Topic, User
    from portal.seed.demo import seed_demo_world
    from portal.services.accounts.actor import Actor
    from portal.services.demands import detail as demand_detail
    from portal.services.demands import intake, lists

    migrate()
    seed_demo_world()
    with session_scope() as session:
        users = {u.username: u for u in session.exec(select(User))}
        topic_ids = list(session.exec(select(Topic.id)))
        enterprise_ids = list(session.exec(select(Enterprise.id)))

    def actor(name):
        u = users[name]
        return Actor(
            user_id=u.id,
            username=u.username,
            role=u.role,
            display_name=u.display_name,
            unit_id=u.unit_id,
            enterprise_id=u.enterprise_id,
        )

    ent, centre = actor("qiye1"), actor("zhongxin")
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
    submit_rate = args.submits / (time.perf_counter() - start)

    # A vocabulary of ~300 two-character words, so a keyword matches a few per cent of demands (as real
    # complaint text does), plus the common ones the dispatchers search for.
    rng = random.Random(7)
    chars = "用地规划施工许可融资贷款招聘工供电增容专利补贴停车道路排污环评消防验收税务社保燃气供水网络厂房租金物流"
    words = sorted({rng.choice(chars) + rng.choice(chars) for _ in range(400)} | {"增容", "许可", "停车"})
    moment = now()
    rows = []
    for i in range(args.demands):
        title = "".join(rng.sample(words, 2)) + f"问题{i}"
        content = "企业反映" + "、".join(rng.sample(words, 6)) + "等方面的困难,请协调解决。"
        rows.append(
            demand_row(
                f"QB{i:012d}",
                enterprise_id=rng.choice(enterprise_ids),
                topic_id=rng.choice(topic_ids),
                status=rng.choice(["待受理", "办理中", "已办结", "待评价"]),
                title=title,
                content=content,
                moment=moment,
            )
        )
    with session_scope() as session:
        for chunk in range(0, len(rows), 5000):
            session.exec(insert(Demand), params=rows[chunk : chunk + 5000])
    with session_scope() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:  # what autovacuum does after a bulk load (PostgreSQL ≥ 13 vacuums after inserts too)
        with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE demand"))
    else:
        with session_scope() as session:
            session.exec(text("ANALYZE"))
    sample_id = rows and lists.dispatch_queue(actor=centre, status="待受理")["rows"][0]["id"]

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
        "demand detail with timeline": timed(lambda: demand_detail.demand_detail(actor=centre, demand_id=sample_id)),
    }
    print(f"database: {os.environ['PORTAL_DATABASE_URL'].split(':')[0]}, demands: {args.demands + args.submits}")
    print(f"submit_demand through the service: {submit_rate:.0f} /s")
    print("| query | median ms | p95 ms |\n|---|---|---|")
    for name, (median, p95) in results.items():
        print(f"| {name} | {median:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
