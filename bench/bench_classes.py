"""Benchmark of the nightly grouping of 一类问题 (issue #26): a day's new demands against 90 days of history.

    .venv/bin/python bench/bench_classes.py [--new 2000] [--history 40000] [--postgres URL]

Loads ``--history`` demands spread over the last 90 days and ``--new`` demands of the last day, from
enterprises of every 镇街 and on every 诉求事项. Texts are drawn from 40 recurring problems, each said in
many ways (so real groups exist) mixed with unrelated one-off demands. The grouping cursor is put one day
back, then one run of ``grouping.group_new_demands`` is timed (the job's work: read the new demands, their
buckets' 90 days, compare, write the groups), and a second run with nothing new.
Target: 2 000 new demands against 90 days in ≤ 30 s.
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

from bench.databases import bench_database  # noqa: E402

CHUNK = 10000
PLACES = ["工业园区", "高新区", "开发区", "物流园", "科技园", "东区", "西区", "南区", "北区", "产业园"]
PROBLEMS = [
    "突然停电影响生产线",
    "供水管网压力不足",
    "天然气开户安装慢",
    "宽带网络信号差",
    "道路破损车辆通行难",
    "污水管道堵塞外溢",
    "路灯损坏夜间出行不便",
    "公交站点距离太远",
    "招工难技术工人短缺",
    "稳岗补贴迟迟未到账",
    "社保缴费系统登录失败",
    "施工许可审批进度慢",
    "消防验收预约排队久",
    "不动产登记资料反复补正",
    "土地出让金缴纳期限紧",
    "环评审批材料要求不明",
    "贷款审批周期长利率高",
    "研发费用加计扣除口径不清",
    "高新技术企业认定材料复杂",
    "出口退税办理时间长",
]
FILLER = "今年以来多次出现经营受到明显损失员工反映强烈附近企业同样遇到此类情况请求尽快安排人员现场查看并给予答复"


def _text(rng: random.Random, recurring: bool) -> tuple[str, str]:
    if recurring:
        problem, place = rng.choice(PROBLEMS), rng.choice(PLACES)
        start = rng.randint(0, len(FILLER) - 20)
        return f"{place}{problem}", f"我司位于{place},{problem},{FILLER[start : start + 20]}。"
    words = "".join(rng.choice(FILLER) for _ in range(30))
    return f"其他事项{rng.randint(1, 10**6)}", f"{words}。"


def bulk_load(history: int, new: int) -> None:
    """Demands over 90 days (history) and the last day (new), in chunks, tokens as intake writes them."""
    from sqlalchemy import insert, text
    from sqlmodel import select

    from portal.core.clock import now
    from portal.core.db import session_scope
    from portal.models.enums import UnitKind
    from portal.models.tables import Demand, Enterprise, Topic, Unit
    from portal.services.base.fulltext import cjk_bigrams

    rng = random.Random(26)
    moment = now()
    with session_scope() as session:
        towns = list(session.exec(select(Unit.id).where(Unit.kind.in_([UnitKind.TOWN, UnitKind.PARK]))))
        session.add_all(
            Enterprise(
                name=f"基准企业{i}",
                credit_code=f"BENCH{i:013d}",
                town_unit_id=towns[i % len(towns)],
                contact_name="张三",
                contact_phone="13800000000",
            )
            for i in range(200)
        )
        session.flush()
        enterprises = list(session.exec(select(Enterprise.id)))
        topics = list(session.exec(select(Topic.id)))
    total = history + new
    for start in range(0, total, CHUNK):
        rows = []
        for i in range(start, min(start + CHUNK, total)):
            age = timedelta(days=rng.uniform(1.2, 90)) if i < history else timedelta(hours=rng.uniform(0.2, 23))
            title, content = _text(rng, rng.random() < 0.5)
            created = moment - age
            rows.append(
                dict(
                    code=f"QB{i:012d}",
                    enterprise_id=rng.choice(enterprises),
                    kind="求助",
                    topic_id=rng.choice(topics),
                    title=title[:50],
                    content=content,
                    contact_name="张三",
                    contact_phone="13800000000",
                    status=rng.choice(["办理中", "已办结", "待评价"]),
                    round=1,
                    channel="线上提交",
                    created_at=created,
                    updated_at=created,
                    search_tokens=cjk_bigrams(f"{title} {content}"),
                    version=1,
                    instant_answer="",
                    reject_reason="",
                    closed_unrated=False,
                )
            )
        with session_scope() as session:
            session.exec(insert(Demand), params=rows)
    with session_scope() as session:
        session.exec(text("ANALYZE" if session.get_bind().dialect.name == "sqlite" else "ANALYZE demand"))


def run(args) -> list[str]:
    from portal.cli import migrate
    from portal.core.clock import now
    from portal.core.db import session_scope
    from portal.models.tables import GroupingCursor
    from portal.seed.demo import seed_demo_world
    from portal.services.classes import grouping

    migrate()
    seed_demo_world(with_demands=False)
    started = time.perf_counter()
    bulk_load(args.history, args.new)
    load_s = time.perf_counter() - started
    with session_scope() as session:
        session.add(GroupingCursor(id=1, up_to=now() - timedelta(days=1)))
    kind = "PostgreSQL" if os.environ["PORTAL_DATABASE_URL"].startswith("postgresql") else "SQLite"
    lines = [f"{kind}: {args.history:,} demands over 90 days + {args.new:,} new (load {load_s:.0f} s)"]
    started = time.perf_counter()
    summary = grouping.group_new_demands(up_to=now())
    lines.append(f"nightly grouping: {time.perf_counter() - started:.1f} s — {summary}")
    started = time.perf_counter()
    summary = grouping.group_new_demands(up_to=now())
    lines.append(f"again, nothing new: {(time.perf_counter() - started) * 1000:.0f} ms — {summary}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new", type=int, default=2000)
    parser.add_argument("--history", type=int, default=40000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: the run uses a fresh database on it")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="qs-bench-classes-")
    os.environ["PORTAL_PRIVATE_UPLOAD_DIR"] = f"{workdir}/uploads"
    with bench_database("qs_bench_classes", workdir, args.postgres):
        print("\n".join(run(args)))


if __name__ == "__main__":
    main()
