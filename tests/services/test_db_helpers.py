"""``core.db``'s bulk helpers on SQLite and PostgreSQL: ``bulk_insert`` (a COPY on PostgreSQL) stores what an
ORM insert would — aware UTC times, JSON, enums by value, NULLs, quotes and tabs — and ``one_of`` matches
what ``IN`` does, also for an empty list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, func
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import create_engine, select

from portal.core.db import DriverStatement, bulk_insert, one_of, session_scope
from portal.models.enums import DeliveryStatus
from portal.models.tables import Notification, OutboxMessage, TimelineEvent, User
from tests.services.test_lifecycle import actor, form, topic_id


def test_bulk_insert_stores_what_the_orm_would(demo_accounts):
    from portal.services.demands import intake

    demand_id = intake.submit_demand(actor=actor("qiye1"), form=form(topic_id=topic_id("用地规划")))
    beijing = timezone(timedelta(hours=8))
    moment = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=beijing)
    with session_scope() as session:
        user_id = session.exec(select(User.id).where(User.username == "zhongxin")).one()
        rows = [
            dict(
                notice_key=f"bulk-{i}",
                user_id=user_id,
                channel="邮件",
                kind="新工单",
                title=title,
                body="",
                link="",
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=moment,
                lease_until=None,
                claim="",
                sent_at=None,
                last_error="",
                created_at=moment,
            )  # fmt: skip
            for i, title in enumerate(['带"引号"和\t制表符', "换行\n第二行", "反斜杠 \\N 不是空值"])
        ]
        bulk_insert(session, OutboxMessage.__table__, rows)
        event = dict(demand_id=demand_id, seq=99, actor_id=None, actor_label="系统", action="测试", detail="",
                     visibility="staff", public_detail="", data={"键": [1, "二"], "空": None}, created_at=moment,
                     prev_hash="", hash="x")  # fmt: skip
        bulk_insert(session, TimelineEvent.__table__, [event])
        bulk_insert(session, Notification.__table__, [])  # nothing to write: no statement
    with session_scope() as session:
        stored = session.exec(select(OutboxMessage).where(OutboxMessage.notice_key.like("bulk-%"))).all()
        assert sorted(m.title for m in stored) == sorted(row["title"] for row in rows)
        assert all(m.next_attempt_at == moment and m.next_attempt_at.utcoffset() == timedelta(0) for m in stored)
        assert all(m.status == "待发送" and m.lease_until is None and m.sent_at is None for m in stored)
        written = session.exec(select(TimelineEvent).where(TimelineEvent.seq == 99)).one()
        assert written.data == {"键": [1, "二"], "空": None} and written.created_at == moment


def test_one_of_matches_like_in(demo_accounts):
    with session_scope() as session:
        ids = session.exec(select(User.id).order_by(User.id)).all()
        names = ["qiye1", "zhongxin", "nobody"]
        assert sorted(session.exec(select(User.username).where(one_of(session, User.username, names))).all()) == [
            "qiye1",
            "zhongxin",
        ]
        assert session.exec(select(User.id).where(one_of(session, User.id, ids[:2])).order_by(User.id)).all() == ids[:2]
        assert session.exec(select(User.id).where(one_of(session, User.id, []))).all() == []


def _backend_pid() -> int:
    with session_scope() as session:
        return session.exec(select(func.pg_backend_pid())).one()


def _terminate(url: str, pid: int) -> None:
    """Close a backend from a connection outside the portal's pool (as a server restart would)."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        connection.execute(select(func.pg_terminate_backend(pid)))
    engine.dispose()


def test_a_connection_closed_while_idle_in_the_pool_is_replaced(db, monkeypatch):
    """PostgreSQL: a pooled connection idle past ``PING_AFTER_IDLE_SECONDS`` is pinged at checkout, and one
    the server closed is replaced; within that time it is handed out unpinged (and its use fails)."""
    if not db.startswith("postgresql"):
        pytest.skip("SQLite connections are files, not sessions a server can close")
    from portal.core import db as core_db

    core_db.get_engine().dispose()  # one connection in the pool from here on
    killed = _backend_pid()
    _terminate(db, killed)
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    with pytest.raises(OperationalError):
        _backend_pid()
    killed = _backend_pid()  # the failed one was discarded: a fresh connection
    _terminate(db, killed)
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert _backend_pid() != killed


def test_driver_statement_binds_and_reads_as_sqlalchemy_does(db):
    """``DriverStatement``: the values bound as SQLAlchemy binds them (aware times, enums, a fixed IN list
    expanded), the rows SQLAlchemy's, every unset parameter required; positional dialects refused."""
    statement = (
        select(User.id, User.username, User.created_at)
        .where(User.username.in_(("zhongxin", "nobody")), User.created_at < bindparam("before"))
        .order_by(User.id)
    )
    with session_scope() as session:
        session.add(User(username="zhongxin", password_hash="x", role="dispatcher", display_name="中心"))
        session.flush()
        connection = session.connection()
        if connection.dialect.name != "postgresql":
            with pytest.raises(ValueError):
                DriverStatement(statement, connection.dialect)
            return
        kept = DriverStatement(statement, connection.dialect)
        before = datetime(2100, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))
        expected = [tuple(row) for row in connection.execute(statement, {"before": before})]
        assert kept.names == {"before"}
        assert kept.rows(connection, {"before": before, "unused": 1}) == expected and len(expected) == 1
        assert kept.rows(connection, {"before": datetime(2000, 1, 1, tzinfo=UTC)}) == []
        with pytest.raises(KeyError):
            kept.rows(connection, {})
