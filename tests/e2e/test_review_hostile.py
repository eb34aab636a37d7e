"""A hostile review of this session's new handlers (issues #26, #27) over the raw socket: an enterprise, the
推进中心 and a unit's handler call 接口密钥, 消息发送, 取消关注 and 通知设置 with real foreign ids, wrong types,
huge strings and missing fields. Nothing changes, no key or address comes back, no handler fails."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from portal.state.classes.follows import FollowedDemandsState
from portal.state.delivery.outbox import OutboxAdminState
from portal.state.delivery.preferences import DeliveryPreferencesState
from portal.state.open311.keys import ApiKeysState
from tests.e2e.test_hostile_client import RawClient, _login_token

pytestmark = pytest.mark.e2e


def _targets(on_portal_db, username: str) -> dict[str, int]:
    """A real key, a real failed message (to the admin) and qiye2's real follow (the demo's)."""
    from portal.core.clock import now
    from portal.core.db import session_scope
    from portal.models.enums import DeliveryStatus, Role
    from portal.models.tables import DemandFollow, OutboxMessage, User
    from portal.services.accounts.actor import Actor
    from portal.services.open311 import keys

    with on_portal_db(), session_scope() as session:
        admin = session.exec(select(User).where(User.role == Role.ADMIN)).first()
        qiye2 = session.exec(select(User).where(User.username == "qiye2")).one()
        follow = session.exec(select(DemandFollow.id).where(DemandFollow.enterprise_id == qiye2.enterprise_id)).first()
        message = OutboxMessage(
            notice_key=f"review-probe-{username}",
            user_id=admin.id,
            channel="邮件",
            kind="预警",
            title="审查用失败消息",
            status=DeliveryStatus.FAILED,
            attempts=5,
            next_attempt_at=now(),
            created_at=now(),
            last_error="SMTPDataError: 451",
        )
        session.add(message)
        session.flush()
        message_id = message.id
        admin_actor = Actor(user_id=admin.id, username=admin.username, role=admin.role, display_name=admin.display_name)
    with on_portal_db():
        key_id, key = keys.create_key(actor=admin_actor, form=keys.KeyForm(name="审查用接入系统", rate_per_minute="5"))
    assert follow is not None
    return {"key": key_id, "message": message_id, "follow": follow, "secret": key}


def _footprint(database_url: str) -> tuple:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        footprint = tuple(
            connection.execute(text(query)).scalar()
            for query in (
                "SELECT count(*) FROM api_key",
                "SELECT count(*) FROM api_key WHERE revoked_at IS NULL",
                "SELECT count(*) FROM outbox_message WHERE status = '失败'",
                "SELECT count(*) FROM demand_follow",
                "SELECT count(*) FROM delivery_preference",
                "SELECT email || '|' || phone FROM \"user\" WHERE username = 'qiye1'",
            )
        )
    engine.dispose()
    return footprint


JUNK_FORMS = [
    {},
    {"email": ["a@b.cn"], "phone": {"x": 1}, "quiet_start": None, "quiet_end": 7},
    {"email": "a@b.cn\r\nBcc: evil@example.com", "phone": "13800000000", "quiet_start": "", "quiet_end": ""},
    {"email": "x" * 100_000 + "@b.cn", "phone": "1" * 5000, "quiet_start": "25:00", "quiet_end": "07:00"},
    {"email": "", "phone": "13800000000\n", "quiet_start": "22:00", "quiet_end": "22:00"},
]


@pytest.mark.parametrize("username", ["qiye1", "zhongxin", "zhujianju"])
def test_the_new_handlers_refuse_foreign_ids_other_roles_and_junk(portal_server, on_portal_db, username):
    ids = _targets(on_portal_db, username)
    before = _footprint(portal_server.database_url)
    log_before = portal_server.log_path.read_text(errors="replace").count("Traceback")
    calls = [
        (ApiKeysState, "create", {"form": {"key_name": "入侵系统", "rate_per_minute": "6000"}}),
        (ApiKeysState, "revoke", {"key_id": ids["key"]}),
        (ApiKeysState, "revoke", {"key_id": str(ids["key"])}),
        (OutboxAdminState, "resend", {"message_id": ids["message"]}),
        (OutboxAdminState, "resend", {"message_id": [ids["message"]]}),
        (FollowedDemandsState, "unfollow", {"follow_id": ids["follow"]}),
        (FollowedDemandsState, "unfollow", {"follow_id": {"id": ids["follow"]}}),
    ]
    calls += [(DeliveryPreferencesState, "save", {"form": form}) for form in JUNK_FORMS]
    calls.append((DeliveryPreferencesState, "save", {"form": "not a form"}))
    client = RawClient(portal_server.url)
    try:
        client.use_session(_login_token(portal_server.database_url, username))
        for state, handler, payload in calls:
            try:
                client.send(f"{state.get_full_name()}.{handler}", payload, path="/my/profile", timeout=3)
            except AssertionError:
                pass  # a refused call that changed nothing may send no delta at all
    finally:
        client.close()
    assert _footprint(portal_server.database_url) == before
    received = client.text()
    for secret in (ids["secret"], ids["secret"][:12], "审查用失败消息", "SMTPDataError"):
        assert secret not in received
    log = portal_server.log_path.read_text(errors="replace")
    assert log.count("Traceback") == log_before, log[-4000:]
