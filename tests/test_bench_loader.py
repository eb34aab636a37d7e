"""The benches' bulk loader (``bench/databases.insert_rows``): COPY on PostgreSQL, an INSERT elsewhere, must
store exactly the rows given, awkward text included, and the stored search tokens must be searchable."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bench.bench_demands import demand_row
from bench.databases import insert_rows

AWKWARD = ["制表\t符", "换行\n与回车\r", "反斜杠\\N 不是空值", "引号 ' \" 与 | ,", "普通标题"]


def test_insert_rows_stores_the_rows_given(demo_accounts):
    from portal.core.db import session_scope
    from portal.models.tables import Demand, Enterprise, Topic

    with session_scope() as session:
        enterprise_id = session.exec(select(Enterprise.id)).first()
        topic_id = session.exec(select(Topic.id)).first()
    moment = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)

    def rows():
        for i, text in enumerate(AWKWARD):
            row = demand_row(
                f"QB{i:012d}",
                enterprise_id=enterprise_id,
                topic_id=topic_id,
                status="待受理",
                title=f"{text}{i}",
                content=f"企业反映增容困难:{text}",
                moment=moment,
            )
            yield row | {"due_at": None, "closed_unrated": i % 2 == 1}

    insert_rows(Demand, rows())
    insert_rows(Demand, iter(()))  # an empty batch writes nothing
    with session_scope() as session:
        stored = {d.code: d for d in session.exec(select(Demand))}
    assert sorted(stored) == [f"QB{i:012d}" for i in range(len(AWKWARD))]
    for expected in rows():
        demand = stored[expected["code"]]
        for column, value in expected.items():
            got = getattr(demand, column)
            if isinstance(value, datetime):
                got = got.replace(tzinfo=got.tzinfo or UTC)
            assert got == value, column


def test_copied_rows_are_found_by_keyword(demo_accounts):
    from portal.core.db import session_scope
    from portal.models.tables import Demand, Enterprise, Topic, User
    from portal.services.accounts.sessions import actor_of
    from portal.services.demands import lists

    with session_scope() as session:
        enterprise_id = session.exec(select(Enterprise.id)).first()
        topic_id = session.exec(select(Topic.id)).first()
        centre = actor_of(session.exec(select(User).where(User.username == "zhongxin")).one())
    texts = [("用地问题", "企业反映用地困难"), ("供电增容", "企业反映供电增容困难"), ("融资问题", "融资难")]
    insert_rows(
        Demand,
        (
            demand_row(
                f"QB{i:012d}",
                enterprise_id=enterprise_id,
                topic_id=topic_id,
                status="办理中",
                title=title,
                content=content,
                moment=datetime.now(UTC),
            )
            for i, (title, content) in enumerate(texts)
        ),
    )
    found = lists.search_demands(actor=centre, filters={"keyword": "增容"})
    assert [row["code"] for row in found["rows"]] == ["QB000000000001"]
