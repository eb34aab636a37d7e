"""What ``/api/health`` knows (issue #24): the database and its migration head, Redis, the scheduler's
lease holder and each job's last run, the free disk of the private file store.

Anyone may learn ``ok`` or ``degraded``; the detail (which names hosts, pids and job summaries) only the
local host, an administrator's session or the bearer of ``PORTAL_METRICS_TOKEN`` (``may_see_detail``).
"""

from __future__ import annotations

import fcntl
import shutil
from functools import lru_cache
from pathlib import Path

from sqlalchemy import text

from portal.core.db import get_engine
from portal.core.settings import PROJECT_ROOT, get_settings
from portal.models.enums import Role
from portal.services.accounts.actor import Actor
from portal.services.operations.job_runs import scheduler_health

# The scheduler's PostgreSQL advisory lock key (jobs/leader.py holds it; kept here so services do not
# import the scheduler process).
SCHEDULER_LOCK_KEY = 0x51534A42


def may_see_detail(*, client_is_local: bool, token_ok: bool, actor: Actor | None) -> bool:
    """The detail is for the local host, a configured token or an administrator."""
    return client_is_local or token_ok or (actor is not None and actor.role == Role.ADMIN)


@lru_cache(maxsize=1)
def migration_head() -> str | None:
    """The newest revision of the migration scripts shipped with this code."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


def _database() -> dict:
    try:
        with get_engine().connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # noqa: BLE001 - any failure is "down", named for the operator
        return {"ok": False, "error": type(exc).__name__}
    head = migration_head()
    return {"ok": revision == head, "revision": revision, "head": head}


def _redis() -> dict:
    url = get_settings().redis_url
    if not url:
        return {"ok": True, "configured": False}
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "configured": True, "error": type(exc).__name__}
    return {"ok": True, "configured": True}


def _sqlite_lease() -> dict:
    db_path = Path(get_settings().database_url.split("///", 1)[-1])
    lock_path = db_path.with_name(db_path.name + ".scheduler.lock")
    if not lock_path.exists():
        return {"held": False}
    with open(lock_path) as handle:
        holder = handle.read().strip()
        try:  # a shared lock is refused only while a scheduler holds the exclusive one
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return {"held": True, "holder": f"pid {holder}"}
        fcntl.flock(handle, fcntl.LOCK_UN)
    return {"held": False}


def _postgres_lease() -> dict:
    sql = text(
        "SELECT a.application_name, a.client_addr, a.backend_start FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :key "
        # Advisory locks are per database: another portal on the same server holds its own lease.
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with get_engine().connect() as connection:
        row = connection.execute(sql, {"key": SCHEDULER_LOCK_KEY}).first()
    if row is None:
        return {"held": False}
    return {"held": True, "holder": row.application_name or str(row.client_addr), "since": str(row.backend_start)}


def _scheduler() -> dict:
    try:
        lease = _sqlite_lease() if get_settings().is_sqlite else _postgres_lease()
        jobs = scheduler_health()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}
    # No job has ever run (a fresh install, the web tier alone in the tests): not a failure by itself.
    return {"ok": jobs["ok"], "lease": lease, "ran": jobs["ran"], "jobs": jobs["jobs"]}


def _disk() -> dict:
    settings = get_settings()
    path = settings.private_upload_dir
    while not path.exists() and path != path.parent:
        path = path.parent
    usage = shutil.disk_usage(path)
    free_mb = usage.free // (1024 * 1024)
    return {"ok": free_mb >= settings.min_free_disk_mb, "free_mb": free_mb, "minimum_mb": settings.min_free_disk_mb}


def health_report() -> dict:
    """Every check, and ``status``: ``ok`` when all pass, else ``degraded``."""
    checks = {"database": _database(), "redis": _redis(), "scheduler": _scheduler(), "disk": _disk()}
    status = "ok" if all(check["ok"] for check in checks.values()) else "degraded"
    return {"status": status, **checks}
