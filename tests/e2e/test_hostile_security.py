"""Issue #7 against the running portal: each test performs the attack the way a hostile client would
(a raw socket, a crafted HTTP request, a forged header) and shows the refusal and that nothing leaked."""

from __future__ import annotations

import socket

import httpx
import pytest
import socketio
from sqlalchemy import create_engine, text

from portal.state.accounts.forms import LoginState
from portal.state.auth import AuthState
from portal.state.demands.centre_queues import CentreQueuesState
from portal.state.demands.detail import DemandDetailState
from portal.state.demands.form import NewDemandState
from portal.state.demands.lists import DispatchQueueState
from tests.e2e.test_hostile_client import NAMESPACE, RawClient, _login_token
from tests.e2e.test_hostile_demands import PDF, _row, _session_client, secret_demand  # noqa: F401

pytestmark = pytest.mark.e2e
HYDRATE = "reflex___state____state.hydrate"
EVIL = "https://evil.example"


def _scalar(database_url: str, sql: str, **params):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        value = connection.execute(text(sql), params).scalar()
    engine.dispose()
    return value


# ── 7. CORS ──────────────────────────────────────────────────────────────────────────────────


def test_a_foreign_origin_gets_no_cors_grant(portal_server):
    response = httpx.get(f"{portal_server.url}/api/health", headers={"Origin": EVIL})
    assert response.headers.get("access-control-allow-origin") not in (EVIL, "*")
    preflight = httpx.options(
        f"{portal_server.url}/_upload",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x"},
    )
    assert preflight.headers.get("access-control-allow-origin") not in (EVIL, "*")
    own = httpx.options(
        f"{portal_server.url}/_upload", headers={"Origin": portal_server.url, "Access-Control-Request-Method": "POST"}
    )
    assert own.headers.get("access-control-allow-origin") == portal_server.url


def test_a_foreign_origin_cannot_open_the_socket(portal_server):
    sio = socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(
            f"{portal_server.url}?token=evil",
            socketio_path="/_event",
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers={"Origin": EVIL},
            wait_timeout=10,
        )
    sio.disconnect()


# ── 3 and 10. logout forgets everything; the token lives only in the cookie var ──────────────


def test_logout_leaves_nothing_of_the_user_in_the_tab(portal_server, secret_demand):  # noqa: F811
    token = _login_token(portal_server.database_url, "zhongxin")
    client = RawClient(portal_server.url)
    client.use_session(token)
    try:
        client.send(
            f"{DemandDetailState.get_full_name()}.load", {}, path=f"/staff/demands/{secret_demand['demand_id']}"
        )
        client.send(f"{CentreQueuesState.get_full_name()}.load_extensions", {}, path="/staff/extensions")
        client.send(f"{DispatchQueueState.get_full_name()}.load", {}, path="/staff/dispatch")
        seen = client.text()
        assert "机密诉求甲乙丙" in seen and "需要更多时间协调" in seen and "13805380001" in seen
        client.deltas.clear()
        client.send(HYDRATE, {}, path="/staff")
        before = client.text()
        # 10: the token is in no var of the whole state tree (it lives in the HttpOnly cookie only).
        assert token not in before and "机密诉求甲乙丙" in before
        client.send(f"{AuthState.get_full_name()}.logout", {}, path="/staff")
        client.deltas.clear()
        client.send(HYDRATE, {}, path="/login")  # what a reload of the tab would get
    finally:
        client.close()
    after = client.text()
    for left_behind in ("机密诉求甲乙丙", "需要更多时间协调", "13805380001", "推进中心", token):
        assert left_behind not in after
    revoked = _scalar(portal_server.database_url, "SELECT count(*) FROM user_session WHERE revoked_at IS NOT NULL")
    assert revoked >= 1


# ── 5. login throttled per address; the address comes from the socket, not a header ──────────


class _FromSecondLoopback(socket.socket):
    """A socket that, sent to 127.0.0.2, also comes from 127.0.0.2 (Linux would pick 127.0.0.1)."""

    def connect(self, address):
        if address[0] == "127.0.0.2":
            self.bind(("127.0.0.2", 0))
        super().connect(address)


def test_a_lock_from_one_address_spares_the_real_user_at_another(portal_server, monkeypatch):
    # 127.0.0.2 is another loopback address: to the portal, another machine.
    monkeypatch.setattr(socket, "socket", _FromSecondLoopback)
    attacker_url = portal_server.url.replace("127.0.0.1", "127.0.0.2")
    login = f"{LoginState.get_full_name()}.login"
    # The socket client sends its URL as Origin; the attacker's browser would be on the portal's page.
    attacker = RawClient(attacker_url, headers={"Origin": portal_server.url})
    try:
        for _ in range(5):
            attacker.send(login, {"form": {"username": "qiye2", "password": "Wrong1234"}}, path="/login")
        attacker.deltas.clear()
        attacker.send(login, {"form": {"username": "qiye2", "password": "Demo@2026"}}, path="/login")
    finally:
        attacker.close()
    assert "登录失败次数过多" in attacker.text()
    # A forged X-Forwarded-For does not make the attacker someone else (no trusted proxy configured).
    forged = RawClient(attacker_url, headers={"Origin": portal_server.url, "X-Forwarded-For": "198.51.100.77"})
    try:
        forged.send(login, {"form": {"username": "qiye2", "password": "Demo@2026"}}, path="/login")
    finally:
        forged.close()
    assert "登录失败次数过多" in forged.text()
    real_user = RawClient(portal_server.url)
    try:
        real_user.send(login, {"form": {"username": "qiye2", "password": "Demo@2026"}}, path="/login")
    finally:
        real_user.close()
    assert "登录失败次数过多" not in real_user.text() and "/api/session/start?ticket=" in real_user.text()


def test_login_and_registration_handlers_hash_off_the_event_loop():
    import inspect

    from portal.state.accounts.forms import RegisterState

    for handler in (LoginState.login, RegisterState.register_enterprise, AuthState.logout):
        assert inspect.iscoroutinefunction(handler.fn), handler.fn.__qualname__


# ── 2. staged uploads: bound to the user, capped across tabs ─────────────────────────────────


def _upload(portal_server, client: RawClient, count: int) -> httpx.Response:
    return httpx.post(
        f"{portal_server.url}/_upload",
        headers={
            "reflex-client-token": client.client_token,
            "reflex-event-handler": f"{NewDemandState.get_full_name()}.upload",
        },
        files=[("files", (f"材料{i}.pdf", PDF, "application/pdf")) for i in range(count)],
        timeout=30,
    )


def test_the_staging_cap_holds_across_tabs(portal_server, on_portal_db):
    from pathlib import Path

    from portal.core.security import credit_code_check_char
    from portal.services.accounts import enterprise_accounts

    first17 = "91370900MA3C0STG1".replace("S", "0")
    with on_portal_db():
        user_id = enterprise_accounts.register_enterprise(
            form=enterprise_accounts.EnterpriseRegistration(
                enterprise_name="暂存测试有限公司",
                credit_code=first17 + credit_code_check_char(first17),
                contact_name="赵六",
                contact_phone="13805380009",
                username="staging01",
                password="Demo@2026",
                password_confirm="Demo@2026",
                industry="制造业",
                scale="小型",
            )
        )
    username = "staging01"
    staging = Path(portal_server.database_url.split("///", 1)[1]).parent / "uploads" / "staging"
    tabs = [_session_client(portal_server, username) for _ in range(3)]
    try:
        for tab in tabs:
            tab.send(f"{NewDemandState.get_full_name()}.load", {}, path="/my/demands/new")
        for tab in tabs[:2]:
            assert _upload(portal_server, tab, 5).status_code == 200
        response = _upload(portal_server, tabs[2], 1)
        staged_before = sorted(staging.rglob("*"))
        anonymous = RawClient(portal_server.url)
        try:
            _upload(portal_server, anonymous, 1)  # no session: nothing may be stored
        finally:
            anonymous.close()
        assert sorted(staging.rglob("*")) == staged_before
    finally:
        for tab in tabs:
            tab.close()
    assert "已达10个" in response.text
    held = [p for p in (staging / str(user_id)).iterdir() if p.name != ".lock"]
    assert len(held) == 10


# ── 6 and 8. junk ids and dates through the real handlers and routes ─────────────────────────


@pytest.mark.parametrize("raw", ["²", "9" * 25, "0x10", "-1"])
def test_junk_ids_in_urls_are_404_not_500(portal_server, raw):
    owner = _login_token(portal_server.database_url, "qiye1")
    response = httpx.get(f"{portal_server.url}/api/files/{raw}", cookies={"qs_session": owner})
    assert response.status_code == 404
    client = _session_client(portal_server, "zhongxin")
    try:
        client.send(f"{DemandDetailState.get_full_name()}.load", {}, path=f"/staff/demands/{raw}")
    finally:
        client.close()
    assert '"not_found_rx_state_": true' in client.text() and "Traceback" not in client.text()


def test_an_extension_to_9999_is_refused_through_the_handler(portal_server, on_portal_db):
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Topic, WorkOrder
    from portal.services.demands import dispatching, handling, intake
    from portal.state.demands.actions import HandlerDemandActions
    from tests.e2e.test_hostile_demands import _actor, _unit

    with on_portal_db():
        with session_scope() as session:
            topic = session.exec(select(Topic.id).where(Topic.name == "项目建设")).one()
        demand_id = intake.submit_demand(
            actor=_actor("qiye1"),
            form=intake.DemandForm(
                kind="求助",
                topic_id=topic,
                title="延期边界测试诉求",
                content="用来验证延期日期上限的诉求内容,足够长。",
                contact_name="王经理",
                contact_phone="13805380001",
            ),
        )
        dispatching.dispatch(
            actor=_actor("zhongxin"), demand_id=demand_id, lead_unit_id=_unit("东街街道"), level="一般"
        )
        with session_scope() as session:
            order_id = session.exec(select(WorkOrder.id).where(WorkOrder.demand_id == demand_id)).one()
        handling.sign(actor=_actor("dongjie"), order_id=order_id)
    path = f"/staff/demands/{demand_id}"
    client = _session_client(portal_server, "dongjie")
    try:
        client.send(f"{DemandDetailState.get_full_name()}.load", {}, path=path)
        client.send(
            f"{HandlerDemandActions.get_full_name()}.request_extension",
            {"form": {"extension_reason": "需要很久很久", "extension_due": "9999-12-31"}},
            path=path,
        )
    finally:
        client.close()
    count = _scalar(
        portal_server.database_url, "SELECT count(*) FROM extension_request WHERE work_order_id=:o", o=order_id
    )
    assert count == 0
    assert "最多60个工作日" in client.text()


# ── 10. the session cookie is HttpOnly and only a same-site ticket makes one ─────────────────


def test_the_session_endpoint_refuses_replayed_cross_site_and_forged_tickets(portal_server, on_portal_db):
    from portal.services.accounts import sessions

    with on_portal_db():
        login = sessions.login(username="qiye1", password="Demo@2026")
        cross_site = sessions.login(username="qiye1", password="Demo@2026")
    start = f"{portal_server.url}/api/session/start"
    # Another site cannot log a visitor into this account (login CSRF): the ticket is refused…
    refused = httpx.get(start, params={"ticket": cross_site.ticket}, headers={"Sec-Fetch-Site": "cross-site"})
    assert (
        refused.status_code == 303 and refused.headers["location"] == "/login" and "set-cookie" not in refused.headers
    )
    granted = httpx.get(start, params={"ticket": login.ticket}, headers={"Sec-Fetch-Site": "same-origin"})
    assert granted.status_code == 303 and granted.headers["location"] == "/my"
    cookie = granted.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    token = granted.cookies["qs_session"]
    replay = httpx.get(start, params={"ticket": login.ticket})
    assert replay.headers["location"] == "/login" and "set-cookie" not in replay.headers
    forged = httpx.get(start, params={"ticket": "A" * 43})
    assert forged.headers["location"] == "/login"
    # The cookie works for the socket; 退出 (a same-origin POST) revokes it and clears it.
    client = RawClient(portal_server.url)
    client.use_session(token)
    try:
        client.send(f"{NewDemandState.get_full_name()}.load", {}, path="/my/demands/new")
    finally:
        client.close()
    assert "王经理" in client.text()
    ended = httpx.post(
        f"{portal_server.url}/api/session/end",
        headers={"Cookie": f"qs_session={token}", "Origin": portal_server.url, "Sec-Fetch-Site": "same-origin"},
    )
    assert ended.headers["location"] == "/login" and 'qs_session=""' in ended.headers["set-cookie"]
    assert _scalar(portal_server.database_url, "SELECT count(*) FROM user_session WHERE revoked_at IS NOT NULL") >= 1
