"""Restore an archive written by ``backup.write_backup`` (issue #24).

Order: the whole archive is read and every member checked against the manifest's SHA-256 (a truncated,
damaged or foreign archive is refused here, before anything changes); then a database holding users
or demands is refused unless ``force``; then the database is replaced (SQLite: the file, swapped in by
rename; PostgreSQL: ``pg_restore --clean --single-transaction``, all or nothing), the private files
written (each to a temporary name, then renamed), the timeline key put back, and the migrations run to
head. ``python -m portal.cli verify-timeline`` then checks every chain under the restored key.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from sqlalchemy import inspect, text

from portal.core import keys
from portal.core.db import engine_for, get_engine
from portal.core.settings import get_settings
from portal.services.base.errors import ServiceError
from portal.services.operations.backup import FORMAT, KEY_MEMBER, MANIFEST, PG_MEMBER, SQLITE_MEMBER, libpq_url

DAMAGED = "备份文件不完整或已损坏,未做任何改动"
FOREIGN = "这不是本平台的备份文件,未做任何改动"
NOT_EMPTY = "目标数据库已有数据(用户或诉求),未做任何改动;确需覆盖请加 --force"
_CHUNK = 1 << 20


def _safe_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts


def _unpack(archive_path: Path, workdir: Path) -> dict:
    """Every member into ``workdir``, hashed; returns the manifest once all hashes match."""
    hashes: dict[str, str] = {}
    manifest, started = None, False
    try:
        with tarfile.open(archive_path, mode="r|") as archive:
            for member in archive:
                started = True
                if not member.isfile() or not _safe_name(member.name):
                    raise ServiceError(FOREIGN)
                source = archive.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(source.read(1 << 22).decode("utf-8"))
                    continue
                target = workdir / "m" / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with open(target, "wb") as out:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                hashes[member.name] = digest.hexdigest()
    except (tarfile.ReadError, EOFError, OSError) as exc:
        if isinstance(exc, tarfile.ReadError) and not started:
            raise ServiceError(FOREIGN) from exc
        raise ServiceError(DAMAGED) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ServiceError(FOREIGN) from exc
    if manifest is None:
        raise ServiceError(DAMAGED if hashes.keys() & {SQLITE_MEMBER, PG_MEMBER} else FOREIGN)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ServiceError(FOREIGN)
    if manifest.get("members") != hashes:
        raise ServiceError(DAMAGED)
    return manifest


def database_is_empty() -> bool:
    """No user and no demand (a freshly migrated database, or none at all)."""
    engine = get_engine()
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in ("user", "demand"):
            if table in tables and connection.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first():
                return False
    return True


def _restore_sqlite(dump: Path) -> None:
    settings = get_settings()
    target = Path(settings.database_url.split("///", 1)[-1])
    engine_for(settings.database_url).dispose()
    incoming = target.with_name(f".{target.name}.{secrets.token_hex(4)}.restoring")
    shutil.copyfile(dump, incoming)
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(incoming, target)


def _restore_postgres(dump: Path) -> None:
    if shutil.which("pg_restore") is None:
        raise ServiceError("找不到 pg_restore,请安装 PostgreSQL 客户端工具(postgresql-client)后再恢复")
    url = get_settings().database_url
    engine_for(url).dispose()
    done = subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            libpq_url(url),
            str(dump),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise ServiceError(f"pg_restore 失败,数据库未改动:{done.stderr.strip()[:300]}")


def _restore_files(unpacked: Path) -> int:
    source_root = unpacked / "files"
    if not source_root.exists():
        return 0
    root = get_settings().private_upload_dir
    count = 0
    for source in sorted(p for p in source_root.rglob("*") if p.is_file()):
        target = root / source.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming = target.with_name(f".{target.name}.{secrets.token_hex(4)}.restoring")
        shutil.copyfile(source, incoming)
        os.replace(incoming, target)
        count += 1
    return count


def restore_backup(path: str | os.PathLike, *, force: bool = False, migrate=None) -> dict:
    """Restore the archive at ``path``; ``migrate`` (the CLI passes alembic upgrade head) runs last.
    Returns what was restored."""
    archive_path = Path(path)
    if not archive_path.is_file():
        raise ServiceError(f"找不到备份文件:{archive_path}")
    settings = get_settings()
    scratch = settings.data_dir if settings.data_dir.exists() else None
    with tempfile.TemporaryDirectory(prefix=".portal-restore-", dir=scratch) as work:
        workdir = Path(work)
        manifest = _unpack(archive_path, workdir)
        kind = "sqlite" if settings.is_sqlite else "postgresql"
        if manifest.get("database") != kind:
            raise ServiceError(f"备份来自 {manifest.get('database')} 数据库,不能恢复到当前的 {kind} 数据库")
        if not force and not database_is_empty():
            raise ServiceError(NOT_EMPTY)
        dump = workdir / "m" / (SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER)
        (_restore_sqlite if kind == "sqlite" else _restore_postgres)(dump)
        files = _restore_files(workdir / "m")
        key_path = workdir / "m" / KEY_MEMBER
        if key_path.exists():
            keys.write_key_file(keys.key_file(), key_path.read_text(encoding="utf-8").strip(), replace=True)
            keys.timeline_key.cache_clear()
    if migrate is not None:
        migrate()
    # With PORTAL_TIMELINE_KEY set, that key wins over the restored file: it must be the archive's.
    return {
        "revision": manifest.get("revision"),
        "files": files,
        "key": KEY_MEMBER in manifest["members"],
        "key_from_environment": bool(os.environ.get(keys.KEY_ENV)),
    }
