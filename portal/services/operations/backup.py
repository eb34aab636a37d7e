"""One archive holding everything the portal cannot rebuild (issue #24): a consistent database dump, the
private file store (attachments, policy originals, 导出台账 files; not the 6-hour staging area) and the
timeline key (unless ``without_key``).

The archive is a tar file. Its members are ``database/portal.sqlite3`` (SQLite's online backup API: a
consistent copy while the portal runs) or ``database/portal.pgdump`` (``pg_dump --format=custom``: one
snapshot), ``files/<name>`` and ``timeline.key``; the last member, ``MANIFEST.json``, names the format,
the database kind, the migration revision and the SHA-256 of every other member. Without the manifest
(a truncated archive) or with another format (a foreign one) ``restore`` refuses before it touches
anything. The archive is written under a temporary name in the target folder and renamed only when
complete and flushed to disk, so a full disk leaves no partial archive named as complete.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from portal.core import keys
from portal.core.clock import now
from portal.core.db import get_engine
from portal.core.settings import get_settings
from portal.services.base.errors import ServiceError

FORMAT = "qiye-suqiu-portal-backup"
VERSION = 1
MANIFEST = "MANIFEST.json"
SQLITE_MEMBER = "database/portal.sqlite3"
PG_MEMBER = "database/portal.pgdump"
KEY_MEMBER = "timeline.key"
SKIPPED_DIRS = {"staging"}  # staged files live six hours at most; a backup does not carry them


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it."""

    def __init__(self, handle) -> None:
        self._handle, self.digest = handle, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._handle.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def libpq_url(database_url: str) -> str:
    """``postgresql+psycopg://…`` as the PostgreSQL tools spell it."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _revision() -> str | None:
    with get_engine().connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _dump_database(workdir: Path) -> tuple[str, Path]:
    settings = get_settings()
    if settings.is_sqlite:
        target = workdir / "portal.sqlite3"
        source = sqlite3.connect(settings.database_url.split("///", 1)[-1])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy, pages=4096)  # online: writers wait only between steps
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER, target
    if shutil.which("pg_dump") is None:
        raise ServiceError("找不到 pg_dump,请安装 PostgreSQL 客户端工具(postgresql-client)后再备份")
    target = workdir / "portal.pgdump"
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-acl", "--file", str(target)]
    done = subprocess.run([*command, libpq_url(settings.database_url)], capture_output=True, text=True)
    if done.returncode != 0:
        raise ServiceError(f"pg_dump 失败:{done.stderr.strip()[:300]}")
    return PG_MEMBER, target


def _private_files() -> list[tuple[str, Path]]:
    root = get_settings().private_upload_dir
    if not root.exists():
        return []
    found = []
    for directory, subdirs, names in os.walk(root):
        if Path(directory) == root:
            subdirs[:] = [d for d in subdirs if d not in SKIPPED_DIRS]
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append(("files/" + path.relative_to(root).as_posix(), path))
    return sorted(found)


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> str:
    with open(path, "rb") as handle:
        info = archive.gettarinfo(fileobj=handle, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        hashing = _Hashing(handle)
        archive.addfile(info, io.BufferedReader(hashing, buffer_size=1 << 20))
    return hashing.digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> str:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(now().timestamp())
    archive.addfile(info, io.BytesIO(data))
    return hashlib.sha256(data).hexdigest()


def write_backup(path: str | os.PathLike, *, with_key: bool = True) -> dict:
    """Write the archive to ``path`` (complete or not at all); returns its manifest."""
    target = Path(path).resolve()
    if target.is_dir():
        raise ServiceError(f"{target} 是一个目录,请给出备份文件的路径")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".portal-backup-") as workdir:
            revision = _revision()
            member, dump = _dump_database(Path(workdir))
            hashes = {}
            with open(partial, "xb") as raw:
                with tarfile.open(fileobj=raw, mode="w|", format=tarfile.PAX_FORMAT) as archive:
                    hashes[member] = _add_file(archive, member, dump)
                    dump.unlink()
                    for name, file_path in _private_files():
                        hashes[name] = _add_file(archive, name, file_path)
                    if with_key:
                        hashes[KEY_MEMBER] = _add_bytes(archive, KEY_MEMBER, keys.timeline_key())
                    manifest = {
                        "format": FORMAT,
                        "version": VERSION,
                        "created_at": now().isoformat(),
                        "database": "sqlite" if member == SQLITE_MEMBER else "postgresql",
                        "revision": revision,
                        "members": hashes,
                    }
                    _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, target)
    except OSError as exc:
        raise ServiceError(f"备份失败,未生成备份文件:{exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return manifest


NIGHTLY_PREFIX = "portal-"
NIGHTLY_SUFFIX = ".tar"


def nightly_backup(moment=None) -> dict:
    """The scheduler's backup into ``PORTAL_BACKUP_DIR``: one archive a day (``portal-YYYYMMDD.tar``,
    skipped when today's exists, so a restart or a second scheduler does not make another), and the
    archives older than ``PORTAL_BACKUP_KEEP_DAYS`` days removed. Nothing when the folder is unset."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    settings = get_settings()
    if settings.backup_dir is None:
        return {"skipped": "PORTAL_BACKUP_DIR unset"}
    today = (moment or now()).astimezone(ZoneInfo(settings.timezone)).date()
    folder = settings.backup_dir
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{NIGHTLY_PREFIX}{today:%Y%m%d}{NIGHTLY_SUFFIX}"
    written = 0
    if not target.exists():
        write_backup(target)
        written = 1
    oldest = today - timedelta(days=max(settings.backup_keep_days, 1) - 1)
    removed = 0
    for old in folder.glob(f"{NIGHTLY_PREFIX}*{NIGHTLY_SUFFIX}"):
        stamp = old.name[len(NIGHTLY_PREFIX) : -len(NIGHTLY_SUFFIX)]
        if len(stamp) == 8 and stamp.isdigit() and stamp < f"{oldest:%Y%m%d}":
            old.unlink()
            removed += 1
    return {"written": written, "removed": removed}
