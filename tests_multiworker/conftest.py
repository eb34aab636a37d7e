"""The portal with Reflex state in Redis and two backend workers (README § scale-out). Run by
scripts/test.sh as a second pytest session when PORTAL_TEST_REDIS_URL is set (CI sets it), so that its
build does not rewrite .web under the main suite's running server."""

from __future__ import annotations

import os

import pytest

from tests.e2e.conftest import browser, new_page, on_portal_db, start_portal  # noqa: F401  (fixtures)

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "")


@pytest.fixture(scope="session")
def portal_server(tmp_path_factory):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()  # a database of the test's own (e.g. /3): no stale Reflex state
    yield from start_portal(
        tmp_path_factory.mktemp("multiworker"), {"REFLEX_REDIS_URL": REDIS_URL, "GRANIAN_WORKERS": "2"}
    )
    client.flushdb()
