"""Hostile clients against #22 part C: a 镇街 handler reaching for another 镇街's enterprise through raw
handler calls, and brute force on the public 进度查询."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from portal.state.enterprises.intake import IntakeState
from portal.state.enterprises.ledger import EnterpriseFileState
from portal.state.enterprises.track import TrackState
from tests.e2e.test_hostile_client import RawClient, _login_token

pytestmark = pytest.mark.e2e
INTAKE = IntakeState.get_full_name()
FILE = EnterpriseFileState.get_full_name()
TRACK = TrackState.get_full_name()


def _enterprises(on_portal_db) -> dict[str, int]:
    from portal.core.db import session_scope
    from portal.models.tables import Enterprise

    with on_portal_db(), session_scope() as session:
        return {e.name: e.id for e in session.exec(select(Enterprise))}


def test_town_handler_cannot_register_for_another_towns_enterprise(portal_server, on_portal_db):
    other = _enterprises(on_portal_db)["泰山示例建设工程有限公司"]  # 高新技术产业开发区, not 东街街道
    engine = create_engine(portal_server.database_url)
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM demand")).scalar()
    client = RawClient(portal_server.url)
    client.use_session(_login_token(portal_server.database_url, "dongjie"))
    try:
        client.send(f"{INTAKE}.load", {}, path="/staff/intake")
        client.send(f"{INTAKE}.lookup", {"text": "示例"}, path="/staff/intake")
        client.send(f"{INTAKE}.choose", {"enterprise_id": other}, path="/staff/intake")
        client.send(f"{FILE}.load", {}, path=f"/staff/enterprises/{other}")
        form = {
            "channel": "走访征询",
            "enterprise_id": str(other),  # ignored: the choice is kept server-side
            "kind": "求助",
            "topic_id": "1",
            "title": "越权登记的诉求",
            "content": "一个镇街试图替其他镇街的企业登记诉求。",
            "contact_name": "某人",
            "contact_phone": "13805380001",
        }
        client.send(f"{INTAKE}.register", {"form": form}, path="/staff/intake")
    finally:
        client.close()
    received = client.text()
    assert "泰山示例建设工程有限公司" not in received and "91370902MA94R6T3XJ" not in received
    assert "未找到该企业" in received
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM demand")).scalar() == before
    engine.dispose()


def test_track_brute_force_is_throttled_and_logged(portal_server, on_portal_db):
    engine = create_engine(portal_server.database_url)
    client = RawClient(portal_server.url)
    try:
        client.send(f"{TRACK}.load", {}, path="/track")
        for tail in range(6):
            client.send(
                f"{TRACK}.lookup", {"form": {"code": "QS209901010001", "phone_tail": f"{tail:04d}"}}, path="/track"
            )
        assert "查询过于频繁" in client.text()
        with engine.connect() as connection:
            logged = connection.execute(text("SELECT count(*) FROM track_lookup WHERE code='QS209901010001'")).scalar()
        assert logged == 6
    finally:
        client.close()
        # Leave the address free for the other tests of this run (the browser's lookups come from it too).
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM throttle WHERE key LIKE 'track-%'"))
        engine.dispose()
