"""Benchmark of the public policy search (issue #11).

    .venv/bin/python bench/bench_policies.py [--policies 10000] [--postgres URL]

Generates N published policies of realistic Chinese text (titles and bodies assembled from the phrases
policy documents are made of, with issuers, years and tags), then times ``search_policies`` for
two-character, four-character and multi-word queries, with and without filters: p50 and p95 over 30
runs each, printed as a table for the README.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import bench_database  # noqa: E402

ISSUERS = [
    "市工业和信息化局",
    "市科学技术局",
    "市财政局",
    "市人力资源和社会保障局",
    "市地方金融管理局",
    "市商务局",
    "市自然资源和规划局",
    "市住房和城乡建设局",
    "市市场监督管理局",
    "市农业农村局",
]
SUBJECTS = [
    "中小微企业",
    "制造业企业",
    "高新技术企业",
    "外贸企业",
    "个体工商户",
    "专精特新企业",
    "农业龙头企业",
    "科技型中小企业",
    "服务业企业",
    "建筑业企业",
]
ACTIONS = [
    "融资担保",
    "贷款贴息",
    "技术改造",
    "研发投入",
    "人才引进",
    "稳岗就业",
    "用地保障",
    "数字化转型",
    "绿色低碳",
    "品牌建设",
    "出口信用保险",
    "首台套装备",
    "知识产权质押",
    "创业孵化",
    "职业技能培训",
]
FORMS = ["若干措施", "实施细则", "管理办法", "扶持政策", "奖补办法", "实施方案", "操作指引", "申报通知"]
PHRASES = [
    "符合条件的企业可按规定申请",
    "对上年度营业收入增长的给予奖励",
    "按实际投资额的一定比例给予补助",
    "由主管部门会同财政部门审核",
    "申报材料包括营业执照和财务报表",
    "补助资金实行先建后补",
    "对新认定的给予一次性奖励",
    "政策执行期间如遇国家政策调整从其规定",
    "企业可通过本平台在线申报",
    "对吸纳高校毕业生就业的给予补贴",
    "支持企业开展ISO体系认证",
    "鼓励金融机构加大信贷投放",
]
INDUSTRIES = ["制造业", "建筑业", "批发和零售业", "信息传输、软件和信息技术服务业", "农、林、牧、渔业", "住宿和餐饮业"]
SCALES = ["大型", "中型", "小型", "微型"]
TOPICS = ["融资信贷", "科技创新", "人才用工", "用地规划", "税费政策", "惠企政策", "项目建设"]

QUERIES = {
    "2 characters: 融资": dict(query="融资"),
    "2 characters: 人才": dict(query="人才"),
    "4 characters: 贷款贴息": dict(query="贷款贴息"),
    "4 characters: 技术改造": dict(query="技术改造"),
    "multi-word: 制造业 数字化转型 补助": dict(query="制造业 数字化转型 补助"),
    "mixed: 2026年 ISO": dict(query="2026年 ISO"),
    "2 characters + filters (发布部门, 行业)": dict(query="补助", issuer="市财政局", industry="制造业"),
    "filters only (事项, 规模)": dict(topic="融资信贷", scale="小型"),
    "no keyword, no filter (newest)": dict(),
}


def generate(count: int) -> None:
    from sqlalchemy import func, insert, text
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Policy, PolicyTag
    from portal.services.policies.library import policy_tokens

    rng = random.Random(5)
    today = date.today()
    with session_scope() as session:
        first_id = (session.exec(select(func.max(Policy.id))).one() or 0) + 1
    rows, tags = [], []
    for i in range(count):
        year = rng.choice([2023, 2024, 2025, 2026])
        subject, action = rng.choice(SUBJECTS), rng.choice(ACTIONS)
        title = f"{year}年支持{subject}{action}{rng.choice(FORMS)}(第{i}号)"
        summary = f"为支持{subject}{action}," + rng.choice(PHRASES) + "。"
        body = "\n".join(f"{n}. " + rng.choice(PHRASES) + f",{rng.choice(ACTIONS)}。" for n in range(1, 9))
        policy = Policy(
            id=first_id + i,
            title=title,
            issuer=rng.choice(ISSUERS),
            doc_number=f"政发〔{year}〕{i}号",
            published_on=today - timedelta(days=rng.randint(0, 1000)),
            summary=summary,
            body=body,
            interpretation="政策解读:" + rng.choice(PHRASES),
            guide="申兑指南:" + rng.choice(PHRASES),
            status="已发布",
            effective_to=today + timedelta(days=rng.randint(30, 1500)),
        )
        row = policy.model_dump()
        row["search_tokens"] = policy_tokens(policy)
        row["created_at"] = row["updated_at"] = policy.created_at
        rows.append(row)
        tags.append(dict(policy_id=policy.id, kind="主题", value=rng.choice(TOPICS)))
        tags.append(dict(policy_id=policy.id, kind="行业", value=rng.choice(INDUSTRIES)))
        tags.append(dict(policy_id=policy.id, kind="规模", value=rng.choice(SCALES)))
    with session_scope() as session:
        for start in range(0, len(rows), 2000):
            session.exec(insert(Policy), params=rows[start : start + 2000])
        session.exec(insert(PolicyTag), params=tags)
    with session_scope() as session:
        session.exec(text("ANALYZE" if session.get_bind().dialect.name == "sqlite" else "ANALYZE policy, policy_tag"))


def timed(fn, repeat: int = 30) -> tuple[float, float, int]:
    samples, total = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        total = fn()["total"]
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: the run uses a fresh database on it")
    args = parser.parse_args()
    with bench_database("qs_bench_pol", tempfile.mkdtemp(prefix="qs-bench-pol-"), args.postgres):
        from portal.cli import migrate
        from portal.services.policies import library

        migrate()
        generate(args.policies)
        kind = "PostgreSQL" if args.postgres else "SQLite"
        print(f"{kind}: {args.policies:,} published policies\n| query | p50 ms | p95 ms | matches |\n|---|---|---|---|")
        for name, params in QUERIES.items():
            p50, p95, total = timed(lambda params=params: library.search_policies(**params))
            print(f"| {name} | {p50:.1f} | {p95:.1f} | {total} |")


if __name__ == "__main__":
    main()
