"""Backup and restore time at N demands (issue #24), on SQLite or PostgreSQL.

    .venv/bin/python bench/bench_backup.py [--demands 100000] [--postgres postgresql+psycopg://postgres@127.0.0.1/postgres]

Loads the demo world and N bulk demands (``bench_demands.demand_row``; no timeline rows, so the demand
table dominates as it would), plus one timeline event per demand when ``--timeline`` is given; then
times ``portal.cli backup`` and ``restore`` into an empty database of the same kind, and checks the
row counts. Prints one line per step for the README.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_demands import demand_row  # noqa: E402
from bench.databases import bench_database, insert_rows  # noqa: E402

WORDS = ["用地", "规划", "施工", "许可", "融资", "贷款", "招聘", "供电", "增容", "专利", "补贴", "停车"]


def _varied_text(rng: random.Random, index: int) -> tuple[str, str]:
    """A title and a three-sentence content from random words, so the full-text index has real work."""
    title = "".join(rng.sample(WORDS, 2)) + f"问题{index}"
    return title, "企业反映" + "、".join(rng.sample(WORDS, 6)) + "等方面的困难,请协调解决。" * 3


def load_bulk_demands(demands: int, *, text=_varied_text, spread_minutes: int = 0) -> None:
    """Migrate, load the demo accounts and reference data, then insert ``demands`` demands in batches of
    10 000 (random enterprise, topic and status; ``text(rng, i)`` gives each title and content; created up to
    ``spread_minutes`` before now; COPY on PostgreSQL), and ANALYZE. Shared by the backup and Open311
    benches."""
    from datetime import timedelta

    from sqlalchemy import text as sql
    from sqlmodel import select

    from portal.cli import migrate
    from portal.core.clock import now
    from portal.core.db import session_scope
    from portal.models.tables import Demand, Enterprise, Topic
    from portal.seed.demo import seed_demo_world

    migrate()
    seed_demo_world(with_demands=False)
    with session_scope() as session:
        topic_ids = list(session.exec(select(Topic.id)))
        enterprise_ids = list(session.exec(select(Enterprise.id)))
    rng, moment = random.Random(7), now()
    for start in range(0, demands, 10000):
        rows = []
        for i in range(start, min(start + 10000, demands)):
            title, content = text(rng, i)
            rows.append(
                demand_row(
                    f"QB{i:012d}",
                    enterprise_id=rng.choice(enterprise_ids),
                    topic_id=rng.choice(topic_ids),
                    status=rng.choice(["待受理", "办理中", "已办结", "待评价"]),
                    title=title,
                    content=content,
                    moment=moment - timedelta(minutes=rng.randrange(spread_minutes)) if spread_minutes else moment,
                )
            )
        insert_rows(Demand, rows)
    with session_scope() as session:
        session.exec(sql("ANALYZE"))


def _count() -> int:
    from sqlalchemy import func
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Demand

    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Demand)).one()


def _use(url: str, data_dir: str) -> None:
    from portal.core import keys
    from portal.core.settings import get_settings

    os.environ["PORTAL_DATABASE_URL"] = url
    os.environ["PORTAL_DATA_DIR"] = data_dir
    os.environ["PORTAL_PRIVATE_UPLOAD_DIR"] = f"{data_dir}/uploads"
    get_settings.cache_clear()
    keys.timeline_key.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demands", type=int, default=100_000)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="qs-bench-backup-")
    from portal.cli import main as cli

    with bench_database("bench_backup_src", workdir, args.postgres) as source_url:
        _use(source_url, f"{workdir}/source")
        started = time.perf_counter()
        load_bulk_demands(args.demands)
        print(f"load {args.demands} demands: {time.perf_counter() - started:.1f} s")
        archive = f"{workdir}/portal.tar"
        started = time.perf_counter()
        assert cli(["backup", archive]) == 0
        backup_s = time.perf_counter() - started
        size_mb = os.path.getsize(archive) / 1e6
        with bench_database("bench_backup_dst", f"{workdir}/target", args.postgres) as target_url:
            Path(f"{workdir}/target").mkdir(exist_ok=True)
            _use(target_url, f"{workdir}/target")
            started = time.perf_counter()
            assert cli(["restore", archive]) == 0
            restore_s = time.perf_counter() - started
            assert _count() == args.demands
    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{kind}, {args.demands} demands: backup {backup_s:.1f} s ({size_mb:.0f} MB), restore {restore_s:.1f} s")


if __name__ == "__main__":
    main()
