"""Database fixtures: every service test runs on SQLite and, when PORTAL_TEST_DATABASE_URL is set, on
PostgreSQL too (one fresh UTF-8 database per run, emptied between tests)."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _use_database(url: str) -> None:
    from portal.core.settings import get_settings
    from portal.services.calendar.store import invalidate_calendar_cache

    os.environ["PORTAL_DATABASE_URL"] = url
    get_settings.cache_clear()
    invalidate_calendar_cache()


def migrate(url: str) -> None:
    from portal.cli import migrate as run_migrations

    _use_database(url)
    run_migrations()


def _dispose(url: str) -> None:
    from portal.core.db import engine_for

    engine_for(url).dispose()
    engine_for.cache_clear()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    migrate(url)
    _dispose(url)
    return path


def create_pg_database(name: str) -> str:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        # DESIGN §9: pg_trgm needs a UTF-8 ctype for Chinese, whatever the cluster's default is.
        connection.execute(
            text(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
        )
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(name: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_database():
    name = f"portal_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = create_pg_database(name)
    migrate(url)
    yield url
    _dispose(url)
    drop_pg_database(name)


def _truncate_all(url: str) -> None:
    from sqlmodel import SQLModel

    import portal.models  # noqa: F401

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """A migrated, empty database on each backend; yields its URL."""
    if request.param == "sqlite":
        path = tmp_path / "portal.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_database")
        _truncate_all(url)
    previous = os.environ.get("PORTAL_DATABASE_URL")
    _use_database(url)
    yield url
    if request.param == "sqlite":
        _dispose(url)
    if previous is None:
        os.environ.pop("PORTAL_DATABASE_URL", None)
    else:
        os.environ["PORTAL_DATABASE_URL"] = previous
    from portal.core.settings import get_settings

    get_settings.cache_clear()


@pytest.fixture
def seeded(db):
    """Reference data (units, catalogue, rules, official calendar) loaded."""
    from portal.core.db import session_scope
    from portal.seed.demo import seed_reference_data

    with session_scope() as session:
        seed_reference_data(session)
    return db


@pytest.fixture
def demo(db):
    """The whole demo world."""
    from portal.seed.demo import seed_demo_world

    seed_demo_world()
    return db


@pytest.fixture
def demo_accounts(db):
    """The demo units, catalogue and accounts, without the demo demands (tests make their own)."""
    from portal.seed.demo import seed_demo_world

    seed_demo_world(with_demands=False)
    return db
