"""The cluster of ``scripts/cluster.sh`` (issue #24): PostgreSQL, Redis, two workers and one scheduler
behind nginx. Opt-in (``PORTAL_TEST_CLUSTER=1`` with ``PORTAL_TEST_DATABASE_URL`` and
``PORTAL_TEST_REDIS_URL``; scripts/test.sh runs it last): it builds the portal and starts nginx.

The cluster is tests_cluster/conftest.py's. Checks: pages, the API and the websocket through nginx on
one origin; both workers answer; a login over the socket through nginx; the throttle sees the
client's address, not nginx's; health in detail for the local host with the scheduler's lease;
metrics added up across processes; ``status`` names every piece."""

from __future__ import annotations

import socket

import httpx
import pytest

from portal.state.accounts.forms import LoginState
from tests.e2e.test_hostile_client import RawClient
from tests_cluster.conftest import ENABLED

pytestmark = pytest.mark.skipif(not ENABLED, reason="PORTAL_TEST_CLUSTER=1 with PostgreSQL and Redis test URLs")


def test_one_origin_through_nginx(cluster):
    url = cluster["url"]
    assert httpx.get(f"{url}/login", follow_redirects=True).status_code == 200
    from concurrent.futures import ThreadPoolExecutor

    # Parallel connections: nginx keeps its upstream connections alive, so sequential requests may all
    # ride one of them to one worker.
    with ThreadPoolExecutor(10) as pool:
        pids = set(pool.map(lambda _: httpx.get(f"{url}/api/health").headers.get("x-portal-pid"), range(40)))
    assert len(pids - {None}) == 2, pids
    detail = httpx.get(f"{url}/api/health").json()  # the local host, relayed by nginx
    assert detail["database"]["ok"] and detail["redis"] == {"ok": True, "configured": True}
    lease = detail["scheduler"]["lease"]
    assert lease["held"] and lease["holder"].startswith("portal-scheduler")


def test_login_over_the_socket_and_the_address_the_throttle_sees(cluster, monkeypatch):
    url, login = cluster["url"], f"{LoginState.get_full_name()}.login"
    client = RawClient(url, headers={"Origin": url})
    try:
        client.send(login, {"form": {"username": "zhongxin", "password": "Demo@2026"}}, path="/login")
    finally:
        client.close()
    assert "/api/session/start?ticket=" in client.text()
    # Failures are counted against the client nginx saw, not a header the client forged. The client comes
    # from 127.0.0.2: another machine to the portal (127.0.0.1, nginx's address, is a trusted proxy).
    from tests.e2e.test_hostile_security import _FromSecondLoopback

    monkeypatch.setattr(socket, "socket", _FromSecondLoopback)
    other = url.replace("127.0.0.1", "127.0.0.2")
    forged = RawClient(other, headers={"Origin": url, "X-Forwarded-For": "198.51.100.9"})
    try:
        forged.send(login, {"form": {"username": "zhongxin", "password": "Wrong-1234"}}, path="/login")
    finally:
        forged.close()
    from sqlalchemy import create_engine, text

    from portal.services.accounts.throttle import throttle_key

    engine = create_engine(cluster["database_url"])
    with engine.connect() as connection:
        keys = set(connection.execute(text("SELECT key FROM throttle")).scalars())
    engine.dispose()
    assert throttle_key("login-addr", "127.0.0.2") in keys
    assert throttle_key("login-addr", "198.51.100.9") not in keys
    monkeypatch.undo()
    metrics = httpx.get(f"{url}/api/metrics").text
    assert "portal_login_failures_total 1.0" in metrics
    assert 'portal_events_total{handler="' in metrics and "login" in metrics
    assert 'portal_job_runs_total{job="supervise_orders",outcome="ok"}' in metrics  # the scheduler's, added up


def test_status_and_down(cluster):
    status = cluster["script"]("status")
    assert status.returncode == 0 and "nginx: 运行中" in status.stdout
