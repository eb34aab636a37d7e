"""The database a benchmark runs on: a SQLite file in the run's work folder, or a fresh UTF-8 database on
the PostgreSQL server given (made as the test suite makes its own, dropped afterwards; ``BENCH_DB_PREFIX``
prefixes its name)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


@contextmanager
def bench_database(name: str, workdir: str, postgres_url: str | None, *, keep: bool = False) -> Iterator[str]:
    """Point PORTAL_DATABASE_URL at the benchmark's database for the block; yields its URL. ``keep`` leaves a
    PostgreSQL database in place afterwards (its URL printed), to look into a figure with EXPLAIN."""
    if not postgres_url:
        os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{workdir}/bench.db"
        yield os.environ["PORTAL_DATABASE_URL"]
        return
    import tests.conftest as test_db

    test_db.PG_URL = postgres_url
    pg_name = f"{os.environ.get('BENCH_DB_PREFIX', '')}{name}_{os.getpid()}"  # a prefix names a shared server's runs
    os.environ["PORTAL_DATABASE_URL"] = test_db.create_pg_database(pg_name)
    try:
        yield os.environ["PORTAL_DATABASE_URL"]
    finally:
        from portal.core.db import get_engine

        get_engine().dispose()
        if keep:
            print(f"kept: {os.environ['PORTAL_DATABASE_URL']}", flush=True)
        else:
            test_db.drop_pg_database(pg_name)


def insert_rows(table, rows: Iterable[dict]) -> None:
    """Insert one batch of ``rows`` (dicts of the same columns) into ``table`` in one transaction: on
    PostgreSQL with COPY (psycopg 3's ``cursor.copy``, several times faster than an executemany of INSERTs
    for a bulk load), elsewhere with one executemany INSERT. Given a generator, PostgreSQL stores the rows
    sent while the next are made: a queued writer sends them from a thread."""
    from psycopg.copy import QueuedLibpqWriter
    from sqlalchemy import insert

    from portal.core.db import get_engine, session_scope

    engine, rows = get_engine(), iter(rows)
    first = next(rows, None)
    if first is None:
        return
    if engine.dialect.name != "postgresql":
        with session_scope() as session:
            session.exec(insert(table), params=[first, *rows])
        return
    columns = list(first)
    quote = engine.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.__tablename__)} ({', '.join(map(quote, columns))}) FROM STDIN"
    connection = engine.raw_connection()
    try:
        with connection.driver_connection.cursor() as cursor:
            with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
                for row in itertools.chain([first], rows):
                    copy.write_row([row[column] for column in columns])
        connection.commit()
    finally:
        connection.close()
