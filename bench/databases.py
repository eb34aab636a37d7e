"""The database a benchmark runs on: a SQLite file in the run's work folder, or a fresh UTF-8 database on
the PostgreSQL server given (made as the test suite makes its own, dropped afterwards)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bench_database(name: str, workdir: str, postgres_url: str | None) -> Iterator[str]:
    """Point PORTAL_DATABASE_URL at the benchmark's database for the block; yields its URL."""
    if not postgres_url:
        os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{workdir}/bench.db"
        yield os.environ["PORTAL_DATABASE_URL"]
        return
    import tests.conftest as test_db

    test_db.PG_URL = postgres_url
    pg_name = f"{name}_{os.getpid()}"
    os.environ["PORTAL_DATABASE_URL"] = test_db.create_pg_database(pg_name)
    try:
        yield os.environ["PORTAL_DATABASE_URL"]
    finally:
        from portal.core.db import get_engine

        get_engine().dispose()
        test_db.drop_pg_database(pg_name)
