"""Health and metrics (issue #24): who sees what (local host, a remote client, a proxy's forged header,
the token, an administrator's session), what the figures say, and JSON logs without secrets."""

from __future__ import annotations

import io
import json
import logging

import pytest
from starlette.testclient import TestClient  # noqa: I001

from portal.core.settings import get_settings

REMOTE = ("203.0.113.9", 40000)
LOCAL = ("127.0.0.1", 40000)
TOKEN = "metrics-token-for-the-test-0123456789"


@pytest.fixture
def api(db, monkeypatch):
    monkeypatch.setenv("PORTAL_METRICS_TOKEN", TOKEN)
    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", "127.0.0.1")
    get_settings.cache_clear()
    from portal.api.observe import observe_requests
    from portal.api.routes import build_api

    app = observe_requests(build_api())
    yield lambda client, cookies=None: TestClient(app, client=client, cookies=cookies)
    get_settings.cache_clear()


def _session_token(username: str) -> str:
    from portal.seed.demo import DEMO_PASSWORD
    from portal.services.accounts import sessions

    result = sessions.login(username=username, password=DEMO_PASSWORD, client_address="127.0.0.1")
    return sessions.redeem_ticket(result.ticket)[0]


def test_health_detail_only_for_local_host_token_or_admin(api, demo_accounts):
    remote = api(REMOTE).get("/api/health")
    assert remote.status_code == 200 and remote.json() == {"status": "ok"}
    local = api(LOCAL).get("/api/health").json()
    assert local["status"] == "ok" and local["database"]["revision"] == local["database"]["head"]
    assert set(local) == {"status", "database", "redis", "scheduler", "disk"}
    assert local["scheduler"]["lease"] == {"held": False}
    with_token = api(REMOTE).get("/api/health", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert "database" in with_token
    wrong_token = api(REMOTE).get("/api/health", headers={"Authorization": "Bearer nope"}).json()
    assert wrong_token == {"status": "ok"}
    from portal.routes import SESSION_COOKIE

    admin = api(REMOTE, {SESSION_COOKIE: _session_token("admin")}).get("/api/health").json()
    assert "scheduler" in admin
    dispatcher = api(REMOTE, {SESSION_COOKIE: _session_token("zhongxin")}).get("/api/health").json()
    assert dispatcher == {"status": "ok"}


def test_a_forged_forwarded_header_is_believed_only_from_the_trusted_proxy(api, db):
    # A remote client claiming to be the local host: its header is its own, not a proxy's.
    forged = api(REMOTE).get("/api/health", headers={"X-Forwarded-For": "127.0.0.1"}).json()
    assert forged == {"status": "ok"}
    # Through the proxy (the local host) a remote client stays remote, whatever it wrote to the left.
    relayed = api(LOCAL).get("/api/health", headers={"X-Forwarded-For": "127.0.0.1, 198.51.100.7"}).json()
    assert relayed == {"status": "ok"}
    assert api(LOCAL).get("/api/metrics", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 403
    assert api(LOCAL).get("/api/metrics", headers={"X-Real-IP": "198.51.100.7"}).status_code == 403
    # A local client relayed by the proxy is local.
    assert "database" in api(LOCAL).get("/api/health", headers={"X-Forwarded-For": "127.0.0.1"}).json()


def test_health_degrades_on_a_stale_job_and_a_full_disk(api, db, monkeypatch):
    from datetime import timedelta

    from portal.core.clock import now
    from portal.services.operations import job_runs

    job_runs.record_run("supervise_orders", 60, now() - timedelta(hours=1), "ok")
    from portal.core.db import session_scope
    from portal.models.tables import JobRun

    with session_scope() as session:
        run = session.get(JobRun, "supervise_orders")
        run.last_success_at = now() - timedelta(minutes=10)
        session.add(run)
    response = api(REMOTE).get("/api/health")
    assert response.status_code == 503 and response.json() == {"status": "degraded"}
    detail = api(LOCAL).get("/api/health").json()
    assert detail["scheduler"]["jobs"]["supervise_orders"]["healthy"] is False
    job_runs.record_run("supervise_orders", 60, now(), "ok")
    assert api(REMOTE).get("/api/health").status_code == 200
    monkeypatch.setenv("PORTAL_MIN_FREE_DISK_MB", str(10**12))
    get_settings.cache_clear()
    detail = api(LOCAL).get("/api/health")
    assert detail.status_code == 503 and detail.json()["disk"]["ok"] is False


def test_metrics_only_for_local_host_or_token(api, demo):
    assert api(REMOTE).get("/api/metrics").status_code == 403
    from portal.routes import SESSION_COOKIE

    admin = api(REMOTE, {SESSION_COOKIE: _session_token("admin")}).get("/api/metrics")
    assert admin.status_code == 403  # a browser session is not a collector
    assert api(REMOTE).get("/api/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    text = api(REMOTE).get("/api/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert "portal_open_demands{" in text and "portal_overdue_work_orders" in text
    local = api(LOCAL).get("/api/metrics")
    assert local.status_code == 200 and local.headers["content-type"].startswith("text/plain")


def test_metrics_count_open_demands_and_login_failures(api, demo):
    from sqlalchemy import func
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Demand
    from portal.services.accounts import sessions
    from portal.services.base.errors import LoginFailed

    with session_scope() as session:
        handling = session.exec(select(func.count()).where(Demand.status == "办理中")).one()

    def sample(text: str, name: str) -> float:
        line = next(line for line in text.splitlines() if line.startswith(name + " ") or line.startswith(name + "{"))
        return float(line.rsplit(" ", 1)[1])

    before = api(LOCAL).get("/api/metrics").text
    assert sample(before, 'portal_open_demands{status="办理中"}') == handling
    with pytest.raises(LoginFailed):
        sessions.login(username="admin", password="Wrong-password-1", client_address="203.0.113.1")
    after = api(LOCAL).get("/api/metrics").text
    assert sample(after, "portal_login_failures_total") == sample(before, "portal_login_failures_total") + 1
    assert 'portal_http_requests_total{route="/api/metrics",status="2xx"}' in after


def test_json_log_lines_carry_context_and_no_secrets(demo_accounts, monkeypatch):
    from portal.core import logs
    from portal.services.accounts import sessions
    from portal.services.base.errors import LoginFailed

    monkeypatch.delenv("PORTAL_LOG_FORMAT", raising=False)
    get_settings.cache_clear()
    logs.configure_logging(force=True)
    stream = io.StringIO()
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "_portal", False))
    handler.setStream(stream)
    secret = "Sup3r-Secret-Passw0rd"
    try:
        context = logs.begin("event", "state.login_state.login")
        with pytest.raises(LoginFailed):
            sessions.login(username="admin", password=secret, client_address="203.0.113.1")
        token = _session_token("admin")
        sessions.resolve_session(token)
        log = logging.getLogger("portal.test")
        # Even a careless line cannot carry them.
        log.warning("login password=%s token=%s cookie qs_session=%s", secret, token, token)
        log.info("event handled", extra={**context, "duration_ms": 3.5, "password": secret, "content": "诉求正文"})
    finally:
        logs.configure_logging(force=True)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "nothing logged"
    raw = stream.getvalue()
    assert secret not in raw and token not in raw and "诉求正文" not in raw
    last = lines[-1]
    assert {"time", "level", "logger", "message", "event_id", "route", "user_id", "duration_ms"} <= set(last)
    assert last["route"] == "state.login_state.login" and last["user_id"] is not None and last["level"] == "INFO"


def test_text_format_keeps_the_old_lines(monkeypatch):
    from portal.core import logs

    monkeypatch.setenv("PORTAL_LOG_FORMAT", "text")
    get_settings.cache_clear()
    logs.configure_logging(force=True)
    stream = io.StringIO()
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_portal", False))
    handler.setStream(stream)
    logging.getLogger("portal.jobs").info("job x: nothing due")
    monkeypatch.delenv("PORTAL_LOG_FORMAT")
    get_settings.cache_clear()
    logs.configure_logging(force=True)
    assert " portal.jobs INFO job x: nothing due" in stream.getvalue()


def test_client_address_rules(monkeypatch):
    from portal.core.network import client_address

    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    get_settings.cache_clear()
    try:
        assert client_address("203.0.113.5", "1.2.3.4") == "203.0.113.5"
        assert client_address("127.0.0.1", "1.2.3.4, 198.51.100.2") == "198.51.100.2"
        assert client_address("127.0.0.1", "198.51.100.2, 10.1.2.3") == "198.51.100.2"
        assert client_address("127.0.0.1", "", "198.51.100.3") == "198.51.100.3"
        assert client_address("127.0.0.1", "garbage") == "127.0.0.1"
        assert client_address("127.0.0.1", "") == "127.0.0.1"
    finally:
        get_settings.cache_clear()


def test_metrics_show_the_outbox_waiting_failed_and_its_oldest_due(api, demo):
    from datetime import timedelta

    from sqlmodel import select

    from portal.core.clock import fixed, now, use_clock
    from portal.core.db import session_scope
    from portal.models.tables import OutboxMessage, User

    moment = now()
    with session_scope() as session:
        user_id = session.exec(select(User.id).where(User.username == "zhongxin")).one()
        rows = [("邮件", "待发送", 300), ("邮件", "待发送", -60), ("短信", "失败", 900), ("短信", "已发送", 4000)]
        for i, (channel, status, waited) in enumerate(rows):
            session.add(OutboxMessage(notice_key=f"metrics-{i}", user_id=user_id, channel=channel, kind="新工单",
                                      title="新工单", status=status,
                                      next_attempt_at=moment - timedelta(seconds=waited)))  # fmt: skip
    with use_clock(fixed(moment)):
        text = api(LOCAL).get("/api/metrics").text
    assert 'portal_outbox_messages{channel="邮件",status="待发送"} 2.0' in text
    assert 'portal_outbox_messages{channel="短信",status="失败"} 1.0' in text
    assert "已发送" not in text  # sent rows only grow: not counted at each scrape
    assert "portal_outbox_oldest_due_seconds 300.0" in text  # the one due in a minute does not count yet
