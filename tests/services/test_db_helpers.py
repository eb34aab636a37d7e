"""``core.db``'s bulk helpers on SQLite and PostgreSQL: ``bulk_insert`` (a COPY on PostgreSQL) stores what an
ORM insert would — aware UTC times, JSON, enums by value, NULLs, quotes and tabs — and ``one_of`` matches
what ``IN`` does, also for an empty list."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import select

from portal.core.db import bulk_insert, one_of, session_scope
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
