from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, select

import portal.models  # noqa: F401
from portal.core.db import get_engine, session_scope
from portal.core.security import credit_code_error
from portal.models.tables import Enterprise, Policy, Unit, User
from portal.seed import demo as demo_service


def test_upgrade_head_leaves_nothing_for_autogenerate(db):
    with get_engine().connect() as connection:
        from portal.models.migration_filters import include_name

        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_demo_world_is_complete_and_idempotent(db):
    first = demo_service.seed_demo_world()
    second = demo_service.seed_demo_world()
    assert first == second
    with session_scope() as session:
        users = {u.username: u for u in session.exec(select(User))}
        units = {u.id: u for u in session.exec(select(Unit))}
        qiye1 = session.get(Enterprise, users["qiye1"].enterprise_id)
        qiye2 = session.get(Enterprise, users["qiye2"].enterprise_id)
        published = session.exec(select(Policy).where(Policy.status == "已发布")).all()
    expected = {
        "admin": "admin",
        "zhongxin": "dispatcher",
        "ziguiju": "handler",
        "zhujianju": "handler",
        "dongjie": "handler",
        "lingdao": "leader",
        "qiye1": "enterprise",
        "qiye2": "enterprise",
    }
    assert {name: users[name].role for name in expected} == expected
    assert units[users["zhongxin"].unit_id].name == "市政府事务推进中心"
    assert units[users["ziguiju"].unit_id].name == "市自然资源和规划局"
    assert units[users["dongjie"].unit_id].kind == "镇街"
    assert qiye1.name == "泰安示例科技有限公司" and qiye1.industry == "制造业" and qiye1.scale == "小型"
    assert credit_code_error(qiye1.credit_code) is None and credit_code_error(qiye2.credit_code) is None
    assert qiye2.town_unit_id != qiye1.town_unit_id and qiye2.industry != qiye1.industry
    assert any(u.is_fallback for u in units.values())
    assert len(published) >= 30


def test_demo_world_has_a_demand_in_every_status(db):
    from sqlmodel import func

    from portal.models.enums import DemandStatus
    from portal.models.tables import Demand, RevisitTask
    from portal.services.demands import timeline

    demo_service.seed_demo_world()
    with session_scope() as session:
        statuses = dict(session.exec(select(Demand.status, func.count()).group_by(Demand.status)).all())
        assert session.exec(select(RevisitTask)).first() is not None
        ids = session.exec(select(Demand.id)).all()
        assert all(timeline.verify_demand(session, i).ok for i in ids)
    assert set(statuses) == {s.value for s in DemandStatus}
    from portal.seed.demo_demands import seed_demo_demands

    assert seed_demo_demands() == 0  # idempotent


def test_migration_0006_keys_intact_chains_and_keeps_broken_ones_broken(db):
    """Old timelines (unkeyed SHA-256, no visibility) upgrade to keyed chains with staff-only events;
    a chain tampered with before the upgrade still reads as broken after it."""
    import hashlib
    import json

    from alembic.config import Config
    from sqlalchemy import text

    from alembic import command
    from portal.core.settings import PROJECT_ROOT
    from portal.models.tables import TimelineEvent
    from portal.services.demands import timeline

    demo_service.seed_demo_world()
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    command.downgrade(config, "0005")
    # Rewrite every chain as the 0005 code did: SHA-256 over the event without visibility.
    with get_engine().begin() as connection:
        rows = connection.execute(text("SELECT id, demand_id, seq FROM timeline_event ORDER BY demand_id, seq")).all()
    import sqlalchemy as sa

    from portal.models.types import UTCDateTime

    old = sa.table(
        "timeline_event",
        *(sa.column(n, sa.Integer) for n in ("id", "demand_id", "seq", "actor_id")),
        *(sa.column(n, sa.String) for n in ("actor_label", "action", "detail", "prev_hash", "hash")),
        sa.column("data", sa.JSON),
        sa.column("created_at", UTCDateTime),
    )
    with get_engine().begin() as session:
        prev_of: dict[int, str] = {}
        for row_id, demand_id, _seq in rows:
            event = session.execute(sa.select(old).where(old.c.id == row_id)).one()
            body = {
                "demand_id": event.demand_id,
                "seq": event.seq,
                "actor_id": event.actor_id,
                "actor_label": event.actor_label,
                "action": event.action,
                "detail": event.detail,
                "data": event.data or {},
                "created_at": event.created_at.isoformat(timespec="microseconds"),
                "prev_hash": prev_of.get(demand_id, ""),
            }
            digest = hashlib.sha256(
                json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
            ).hexdigest()
            session.execute(
                sa.update(old).where(old.c.id == row_id).values(hash=digest, prev_hash=prev_of.get(demand_id, ""))
            )
            prev_of[demand_id] = digest
    tampered = rows[-1][1]
    with get_engine().begin() as connection:
        connection.execute(
            text("UPDATE timeline_event SET detail = '改过' WHERE demand_id = :d AND seq = 1"), {"d": tampered}
        )
    command.upgrade(config, "head")
    reports = {r.demand_id: r for r in timeline.verify_all()}
    assert not reports[tampered].ok
    assert all(r.ok for d, r in reports.items() if d != tampered)
    with session_scope() as session:
        returns = session.exec(select(TimelineEvent).where(TimelineEvent.action == "退回")).all()
        assert returns and all(e.visibility == "staff" for e in returns)
        submits = session.exec(select(TimelineEvent).where(TimelineEvent.action == "提交诉求")).all()
        assert all(e.visibility == "public" and e.public_detail == e.detail for e in submits)


def test_migration_0019_cleans_stored_text_and_leaves_the_timeline_alone(db):
    """Rows stored dirty before text was cleaned on the way in (written here with raw SQL, as the old code
    stored what was typed) come out of 0019 clean, with their search tokens recomputed; a cleaned name that
    another row already holds is left as it was; hash-chained timeline events are not touched."""
    from alembic.config import Config
    from sqlalchemy import text

    from alembic import command
    from portal.core.clock import now
    from portal.core.settings import PROJECT_ROOT
    from portal.models.tables import Demand, TimelineEvent
    from portal.services.base.fulltext import cjk_bigrams, fulltext_condition
    from portal.services.demands import intake, timeline
    from tests.services.test_lifecycle import actor, form

    demo_service.seed_demo_world(with_demands=False)
    demand_id = intake.submit_demand(actor=actor("qiye1"), form=form())
    with session_scope() as session:  # an event written the old way: its text as typed, in the chain
        timeline.append(session, demand_id=demand_id, actor_id=None, actor_label="系统", action="备注",
                        detail="旧\x0b文本", public_detail="旧\x0b文本", created_at=now())  # fmt: skip
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    command.downgrade(config, "0017")
    dirty = {"title": "施工\x01许可\x0b咨询", "content": "厂房施工\x01许可证\r\n办理进度\x1f慢, cafe\u0301 请协调。"}
    with get_engine().begin() as connection:
        connection.execute(text("UPDATE demand SET title = :title, content = :content WHERE id = :i"),
                           {**dirty, "i": demand_id})  # fmt: skip
        connection.execute(text("UPDATE unit SET name = '东街\x01街道' WHERE name = '东街街道'"))
        connection.execute(text("UPDATE unit SET name = '市住房和城乡建设局\x01' WHERE name = '市自然资源和规划局'"))
        connection.execute(text("UPDATE policy SET body = 'a\r\nb\x0b贷款\x01贴息' WHERE id = 1"))
        events_before = connection.execute(text("SELECT * FROM timeline_event ORDER BY id")).all()
    command.upgrade(config, "head")
    with session_scope() as session:
        demand = session.get(Demand, demand_id)
        assert (demand.title, demand.content) == ("施工许可\n咨询", "厂房施工许可证\n办理进度慢, café 请协调。")
        assert demand.search_tokens == cjk_bigrams(f"{demand.title} {demand.content}")
        dialect = session.get_bind().dialect.name
        found = fulltext_condition(Demand.id, "施工许可证", dialect, "demand_fts", "demand.search_tsv")
        assert session.exec(select(Demand.id).where(found)).all() == [demand_id]  # the index follows the tokens
        names = set(session.exec(select(Unit.name)).all())
        assert "东街街道" in names and "市住房和城乡建设局\x01" in names  # the clean name is taken: left as it was
        policy = session.get(Policy, 1)
        assert policy.body == "a\nb\n贷款贴息" and "款贴" in policy.search_tokens.split()
        assert session.exec(select(TimelineEvent).order_by(TimelineEvent.id)).all()[-1].detail == "旧\x0b文本"
    with get_engine().connect() as connection:
        assert connection.execute(text("SELECT * FROM timeline_event ORDER BY id")).all() == events_before
    assert all(report.ok for report in timeline.verify_all())
