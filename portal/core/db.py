"""Engine and sessions. One engine per process per URL.

SQLite runs in WAL mode with ``synchronous=NORMAL`` (DESIGN §9: 2.4× faster than the default journal)
and enforces foreign keys; PostgreSQL uses a small pool.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from functools import lru_cache, partial
from pathlib import Path

from sqlalchemy import ARRAY, bindparam, event, func, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

from portal.core.settings import get_settings


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    # hide_parameters: an unexpected database error is logged with its traceback; its message must not
    # carry the statement's values (demand text, phone numbers, hashes; core/logs).
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # JIT off: at 10 M demands a capped count is costed for its whole match set (the LIMIT stops it after
    # 1 001 rows), above jit_above_cost, and compiling it made a 265 ms count take 1.7 s (bench_demands).
    engine = create_engine(
        url, pool_size=5, max_overflow=10, hide_parameters=True, connect_args={"options": "-c jit=off"}
    )
    for name, listener in (("connect", _stamp), ("checkin", _stamp), ("checkout", partial(_ping_if_idle, engine))):
        event.listen(engine, name, listener)
    return engine


# A connection is pinged before use (SQLAlchemy's pool_pre_ping did so at every checkout) when it has lain
# in the pool a second or more: that is when a server restart or an idle timeout may have closed it. One
# back from work within the second is handed out as it is: the ping was a round trip, as much CPU as a list
# page's read itself (bench/profile_list_handler.py, issue #25 item 5). Should one die within that second,
# its request fails as any request does during a restart, and the pool discards it on its way back.
PING_AFTER_IDLE_SECONDS = 1.0


def _stamp(_dbapi_connection, record, *_proxy) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(engine: Engine, dbapi_connection, record, _proxy) -> None:
    if time.monotonic() - record.info.get("idle_since", 0.0) < PING_AFTER_IDLE_SECONDS:
        return
    try:
        alive = engine.dialect.do_ping(dbapi_connection)
    except Exception as error:  # the pool discards this connection and checks out (or makes) another
        raise DisconnectionError() from error
    if not alive:
        raise DisconnectionError()


def get_engine() -> Engine:
    return engine_for(get_settings().database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def upsert_into(session: Session, table):
    """``INSERT`` into ``table`` in the session's own dialect, the construct that has ``on_conflict_do_update``
    (SQLite and PostgreSQL spell the same atomic upsert; counters and sequences are built on it)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def bulk_insert(session: Session, table, rows: list[dict]) -> None:
    """INSERT ``rows`` (dicts with the same keys, as one code path builds them) into ``table`` in the
    session's transaction. PostgreSQL: one ``COPY … FROM STDIN`` — an executemany spent most of the sweep's
    batch write building each row's parameters (bench_supervision, issue #25); values still pass through each
    column type's bind processing (UTC times, JSON), enums as their values. SQLite: an executemany, which its
    driver runs natively."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.exec(insert(table), params=rows)
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    quote = dialect.identifier_preparer
    statement = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = []
            for name, process in zip(names, processors, strict=True):
                value = row[name]
                if isinstance(value, Enum):
                    value = value.value
                values.append(process(value) if process is not None and value is not None else value)
            copy.write_row(values)


def bulk_insert_objects(session: Session, objects: list) -> None:
    """``bulk_insert`` of new table-model objects (grouped by table, in order): their column values, the id
    left to the database; nothing is added to the session (nothing reads these rows back in it)."""
    by_table: dict = {}
    for obj in objects:
        by_table.setdefault(type(obj).__table__, []).append(obj)
    for table, group in by_table.items():
        names = [c.name for c in table.columns if not (c.primary_key and c.name == "id")]
        bulk_insert(session, table, [{name: getattr(obj, name) for name in names} for obj in group])


def one_of(session: Session, column, values):
    """``column IN values`` with the values as ONE parameter on PostgreSQL (``= ANY(:array)``): an IN list of
    a batch's 500–1 000 keys is expanded into as many parameters that psycopg splits and PostgreSQL parses
    and plans one by one (the sweep's check for stored notice keys took 120 ms a batch that way). SQLite
    keeps the plain IN."""
    values = list(values)
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    return column == func.any(bindparam(None, value=values, type_=ARRAY(column.type)))


class DriverStatement:
    """A read compiled once for one dialect and run on the driver's own connection, its rows the driver's
    tuples: for a hot read kept per shape (the demand lists, issue #25 item 5). SQLAlchemy's execution of a
    kept statement (its context, the cursor's description, each row's result processing) cost about as
    much CPU as the driver's round trip itself on PostgreSQL (bench/profile_list_handler.py). Values pass
    through their types' bind processing as SQLAlchemy's execution would; results do not, so a
    ``UTCDateTime`` comes back aware in the server session's zone rather than converted to UTC: only for
    callers that show or compare instants, which the zone does not change. A statement's IN lists of fixed
    values are expanded once; its parameters without a value are the ones ``rows`` needs."""

    def __init__(self, statement, dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.positional:  # values are passed by name (psycopg's pyformat)
            raise ValueError(f"{dialect.name}: a dialect with named parameters only")
        self.names = frozenset(name for name, bind in compiled.binds.items() if bind.required)
        expanded = compiled.construct_expanded_state(dict.fromkeys(self.names))
        self.sql = expanded.statement
        self._processors = dict(expanded.processors)
        self._fixed = {
            name: self._processed(name, value) for name, value in expanded.parameters.items() if name not in self.names
        }

    def _processed(self, name: str, value):
        process = self._processors.get(name)
        return value if process is None or value is None else process(value)

    def rows(self, connection, params: dict) -> list[tuple]:
        """All rows for ``params`` (a value for each of ``names``; others are ignored), on ``connection``'s
        DBAPI connection in whatever transaction state the caller has put it."""
        values = dict(self._fixed)
        for name in self.names:
            values[name] = self._processed(name, params[name])
        with connection.connection.driver_connection.cursor() as cursor:
            cursor.execute(self.sql, values)
            return cursor.fetchall()
