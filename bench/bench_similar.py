"""类似诉求 (issue #26): how right the suggestions are, and how fast the lookup is with N demands.

    .venv/bin/python bench/bench_similar.py [--demands 100000] [--queries 200] [--postgres URL]

1. Precision and recall of ``similarity`` at ``suggestions.THRESHOLD`` (and around it) on the 200 labelled
   pairs of ``bench/data/similar_pairs.jsonl`` (made by ``bench/similar_pairs.py``).
2. N demands bulk-loaded (the demo accounts; texts are the labelled set's problems written the three ways
   with random details, mixed with ``bench_demands``' random-word demands; 40 % open, the rest closed over
   the last year), then ``suggestions.similar_demands`` timed as an enterprise writing a new demand would
   call it (title and content of a problem, another writing than any stored one): p50 / p95, how many
   lookups suggested something and how often the first suggestion is a writing of the same problem.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_demands import demand_row  # noqa: E402
from bench.databases import bench_database  # noqa: E402
from bench.similar_pairs import OUT, PROBLEMS, _writing  # noqa: E402

WORD_CHARS = "用地规划施工许可融资贷款招聘工供电增容专利补贴停车道路排污环评消防验收税务社保燃气供水网络厂房租金物流"


def quality() -> list[str]:
    from portal.services.classes.similarity import similarity
    from portal.services.classes.suggestions import THRESHOLD

    rows = [json.loads(line) for line in OUT.read_text(encoding="utf-8").splitlines()]
    scored = [
        (similarity(f"{r['a']['title']} {r['a']['content']}", f"{r['b']['title']} {r['b']['content']}"), r["same"])
        for r in rows
    ]
    lines = [f"labelled pairs: {len(rows)} ({sum(r['same'] for r in rows)} same problem)"]
    lines += ["| threshold | precision | recall |", "|---|---|---|"]
    for threshold in sorted({0.1, 0.13, THRESHOLD, 0.2, 0.25}):
        flagged = [same for score, same in scored if score >= threshold]
        precision = sum(flagged) / len(flagged) if flagged else 1.0
        recall = sum(flagged) / sum(same for _, same in scored)
        mark = " (chosen)" if threshold == THRESHOLD else ""
        lines.append(f"| {threshold}{mark} | {precision:.3f} | {recall:.3f} |")
    return lines


def bulk_load(count: int, rng: random.Random) -> None:
    from sqlalchemy import insert, text
    from sqlmodel import select

    from portal.core.clock import now
    from portal.core.db import get_engine, session_scope
    from portal.models.tables import Demand, Enterprise, Topic

    with session_scope() as session:
        topics = {name: tid for tid, name in session.exec(select(Topic.id, Topic.name))}
        enterprises = list(session.exec(select(Enterprise.id)))
    problems = [(topic, writing) for topic, group in PROBLEMS.items() for writings in group for writing in writings]
    words = sorted({rng.choice(WORD_CHARS) + rng.choice(WORD_CHARS) for _ in range(400)})
    moment = now()
    for start in range(0, count, 5000):
        rows = []
        for i in range(start, min(count, start + 5000)):
            if i % 2 == 0:
                topic, (title, content) = rng.choice(problems)
                written = _writing(rng, title, content)
            else:
                topic = rng.choice(list(topics))
                written = {
                    "title": "".join(rng.sample(words, 2)),
                    "content": "、".join(rng.sample(words, 6)) + "等困难。",
                }
            open_ = rng.random() < 0.4
            row = demand_row(f"QB{i:012d}", enterprise_id=rng.choice(enterprises), topic_id=topics[topic],
                             status=rng.choice(["待受理", "办理中", "待评价"]) if open_ else "已办结",
                             title=written["title"][:50], content=written["content"], moment=moment)  # fmt: skip
            row["closed_at"] = None if open_ else moment - timedelta(days=rng.uniform(0, 365))
            rows.append(row)
        with session_scope() as session:
            session.exec(insert(Demand), params=rows)
    with session_scope() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:  # what autovacuum does after a bulk load
        with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE demand"))
    else:
        with session_scope() as session:
            session.exec(text("ANALYZE"))


def lookups(queries: int, rng: random.Random) -> list[str]:
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Demand, Topic, User
    from portal.services.accounts.actor import Actor
    from portal.services.classes.suggestions import similar_demands

    with session_scope() as session:
        topics = {name: tid for tid, name in session.exec(select(Topic.id, Topic.name))}
        u = session.exec(select(User).where(User.username == "qiye1")).one()
    actor = Actor(user_id=u.id, username=u.username, role=u.role, display_name=u.display_name, unit_id=None,
                  enterprise_id=u.enterprise_id)  # fmt: skip
    problems = [(topic, writing) for topic, group in PROBLEMS.items() for writings in group for writing in writings]
    problem_of = {
        title: (topic, n) for topic, group in PROBLEMS.items() for n, ws in enumerate(group) for title, _ in ws
    }
    samples, found, right = [], 0, 0
    for _ in range(queries):
        topic, (title, content) = rng.choice(problems)
        typed = _writing(rng, title, content)
        start = time.perf_counter()
        result = similar_demands(actor=actor, topic_id=topics[topic], title=typed["title"], content=typed["content"])
        samples.append((time.perf_counter() - start) * 1000)
        found += bool(result.records)
        if result.demand_ids:  # is the first suggestion a writing of the same problem?
            with session_scope() as session:
                first = session.get(Demand, result.demand_ids[0]).title
            right += problem_of.get(first) == problem_of[title]
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    return [f"similar_demands: {queries} lookups, p50 {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, "
            f"max {samples[-1]:.1f} ms; {found} suggested, first the same problem: {right}"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demands", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: the run uses a fresh database on it")
    args = parser.parse_args()
    print("\n".join(quality()))
    workdir = tempfile.mkdtemp(prefix="qs-bench-similar-")
    os.environ["PORTAL_PRIVATE_UPLOAD_DIR"] = f"{workdir}/uploads"
    with bench_database("qs_bench_similar", workdir, args.postgres):
        from portal.cli import migrate
        from portal.seed.demo import seed_demo_world

        migrate()
        seed_demo_world(with_demands=False)
        rng = random.Random(26)
        start = time.perf_counter()
        bulk_load(args.demands, rng)
        kind = "PostgreSQL" if os.environ["PORTAL_DATABASE_URL"].startswith("postgresql") else "SQLite"
        print(f"{kind}: {args.demands:,} demands loaded in {time.perf_counter() - start:.0f} s")
        print("\n".join(lookups(args.queries, rng)))


if __name__ == "__main__":
    main()
