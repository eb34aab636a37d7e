"""The cluster of ``scripts/cluster.sh`` (issue #24): PostgreSQL, Redis, two workers and one scheduler
behind nginx. Opt-in (``PORTAL_TEST_CLUSTER=1`` with ``PORTAL_TEST_DATABASE_URL`` and
``PORTAL_TEST_REDIS_URL``; scripts/test.sh runs it last): it builds the portal and starts nginx.

Checks: pages, the API and the websocket through nginx on one origin; both workers answer; a login over
the socket through nginx; the throttle sees the client's address, not nginx's; health in detail for the
local host with the scheduler's lease; metrics added up across processes; ``down`` stops everything."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from portal.state.accounts.forms import LoginState
from tests.e2e.test_hostile_client import RawClient

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(
    not (os.environ.get("PORTAL_TEST_CLUSTER") and PG_URL and REDIS_URL),
    reason="PORTAL_TEST_CLUSTER=1 with PostgreSQL and Redis test URLs",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    import redis

    import tests.conftest as test_db

    name = f"portal_cluster_{uuid.uuid4().hex[:6]}"
    test_db.PG_URL = PG_URL
    database_url = test_db.create_pg_database(name)
    redis.Redis.from_url(REDIS_URL).flushdb()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        CLUSTER_PORT=str(port),
        CLUSTER_BACKEND_PORT=str(_free_port()),
        CLUSTER_RUN_DIR=str(tmp_path_factory.mktemp("cluster")),
        PORTAL_DATABASE_URL=database_url,
        REFLEX_REDIS_URL=REDIS_URL,
        PORTAL_PUBLIC_ORIGIN=f"http://127.0.0.1:{port}",
        PORTAL_PRIVATE_UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads")),
    )

    def script(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "scripts/cluster.sh", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500
        )

    started = script("up")
    assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
    try:
        yield {"url": f"http://127.0.0.1:{port}", "database_url": database_url, "script": script}
    finally:
        script("down")
        redis.Redis.from_url(REDIS_URL).flushdb()
        test_db.drop_pg_database(name)


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
