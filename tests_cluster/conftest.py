"""One cluster for the whole session (its build takes minutes): ``scripts/cluster.sh up`` with a private
PostgreSQL database, port, Redis database and data folder, and a standby scheduler. test_cluster.py
looks at it healthy; test_worker_killed.py (run after it) kills a worker and the active scheduler."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "")
# A Redis database of the cluster's own (flushed before and after), not the one tests_multiworker uses.
CLUSTER_REDIS_DB = os.environ.get("PORTAL_TEST_CLUSTER_REDIS_DB", "13")
SCHEDULER_RETRY_SECONDS = 3
ENABLED = bool(os.environ.get("PORTAL_TEST_CLUSTER") and PG_URL and REDIS_URL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_redis_url(url: str, db: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    if not ENABLED:
        pytest.skip("PORTAL_TEST_CLUSTER=1 with PostgreSQL and Redis test URLs")
    import redis

    import tests.conftest as test_db

    name = f"portal_cluster_{uuid.uuid4().hex[:6]}"
    test_db.PG_URL = PG_URL
    database_url = test_db.create_pg_database(name)
    redis_url = private_redis_url(REDIS_URL, CLUSTER_REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    port = free_port()
    run_dir = tmp_path_factory.mktemp("cluster")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        CLUSTER_PORT=str(port),
        CLUSTER_BACKEND_PORT=str(free_port()),
        CLUSTER_RUN_DIR=str(run_dir),
        CLUSTER_STANDBY_SCHEDULER="1",
        PORTAL_DATABASE_URL=database_url,
        PORTAL_DATA_DIR=str(tmp_path_factory.mktemp("data")),
        PORTAL_SCHEDULER_RETRY_SECONDS=str(SCHEDULER_RETRY_SECONDS),
        REFLEX_REDIS_URL=redis_url,
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
        yield {
            "url": f"http://127.0.0.1:{port}",
            "database_url": database_url,
            "script": script,
            "env": env,
            "run_dir": run_dir,
        }
    finally:
        script("down")
        redis.Redis.from_url(redis_url).flushdb()
        test_db.drop_pg_database(name)
