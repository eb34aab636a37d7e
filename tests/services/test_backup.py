"""Backup and restore (issue #24): a round trip into an empty database on each backend (row counts, a
sample of rows, files by hash, the timeline verifies), a non-empty target refused without --force, a
truncated, tampered or foreign archive refused with nothing changed, a full disk leaving no archive,
and the nightly job's one-a-day and retention."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from portal.core.settings import get_settings


def _use(monkeypatch, url: str, data_dir: Path) -> None:
    from portal.core import keys
    from portal.services.calendar.store import invalidate_calendar_cache

    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PORTAL_PRIVATE_UPLOAD_DIR", str(data_dir / "uploads"))
    monkeypatch.delenv("PORTAL_TIMELINE_KEY", raising=False)
    get_settings.cache_clear()
    keys.timeline_key.cache_clear()
    invalidate_calendar_cache()


@pytest.fixture
def source(db, tmp_path, monkeypatch):
    """The demo world with its own data folder (key, uploads) and a few private files."""
    from portal.seed.demo import seed_demo_world

    _use(monkeypatch, db, tmp_path / "source")
    seed_demo_world()
    uploads = tmp_path / "source" / "uploads"
    (uploads / "exports" / "7").mkdir(parents=True)
    (uploads / "staging" / "3").mkdir(parents=True)
    (uploads / "a1b2c3").write_bytes(b"%PDF-1.4 attachment " + os.urandom(2000))
    (uploads / "exports" / "7" / "ledger.xlsx").write_bytes(os.urandom(5000))
    (uploads / "staging" / "3" / "half-chosen").write_bytes(b"staged")
    yield db
    get_settings.cache_clear()


def _snapshot(url: str, files_root: Path) -> dict:
    from sqlmodel import SQLModel

    import portal.models  # noqa: F401
    from portal.core.db import engine_for

    engine = engine_for(url)
    counts, samples = {}, {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            counts[table.name] = connection.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar()
        for table in ("demand", "timeline_event", "user", "work_order"):
            rows = connection.execute(text(f'SELECT * FROM "{table}" ORDER BY id LIMIT 20')).all()
            samples[table] = [tuple(str(v) for v in row) for row in rows]
    files = {
        p.relative_to(files_root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files_root.rglob("*")
        if p.is_file()
    }
    return {"counts": counts, "samples": samples, "files": files}


@pytest.fixture
def empty_target(db, tmp_path, monkeypatch):
    """An empty database of the same kind as ``db`` (SQLite: a new file, not even migrated)."""
    if db.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'target' / 'restored.db'}"
        return
    import tests.conftest as test_db

    name = f"portal_restore_{uuid.uuid4().hex[:8]}"
    url = test_db.create_pg_database(name)
    yield url
    from portal.core.db import engine_for

    engine_for(url).dispose()
    test_db.drop_pg_database(name)


def test_round_trip_into_an_empty_database(source, empty_target, tmp_path, monkeypatch):
    from portal.cli import main, migrate
    from portal.core import keys
    from portal.services.base.errors import ServiceError
    from portal.services.demands import timeline
    from portal.services.operations.backup import write_backup
    from portal.services.operations.restore import NOT_EMPTY, restore_backup

    archive = tmp_path / "out" / "portal.tar"
    assert main(["backup", str(archive)]) == 0
    before = _snapshot(source, tmp_path / "source" / "uploads")
    key = keys.timeline_key()
    assert before["counts"]["demand"] > 0 and before["counts"]["timeline_event"] > 0

    _use(monkeypatch, empty_target, tmp_path / "target")
    restored = restore_backup(archive, migrate=migrate)
    assert restored["key"] and restored["files"] == 2
    after = _snapshot(empty_target, tmp_path / "target" / "uploads")
    assert after["counts"] == before["counts"]
    assert after["samples"] == before["samples"]
    expected_files = {k: v for k, v in before["files"].items() if not k.startswith("staging/")}
    assert after["files"] == expected_files  # staged files are transient and stay behind
    assert keys.timeline_key() == key
    assert all(report.ok for report in timeline.verify_all())
    assert main(["verify-timeline"]) == 0
    # Again, now that it holds data: refused without --force, nothing changed.
    with pytest.raises(ServiceError) as refused:
        restore_backup(archive, migrate=migrate)
    assert refused.value.message == NOT_EMPTY
    assert main(["restore", str(archive)]) == 1
    assert main(["restore", str(archive), "--force"]) == 0
    assert _snapshot(empty_target, tmp_path / "target" / "uploads")["counts"] == before["counts"]
    # Without the key: the archive says so and the key stays out of it.
    bare = write_backup(tmp_path / "bare.tar", with_key=False)
    assert "timeline.key" not in bare["members"]


def _counts(url: str) -> dict:
    return _snapshot(url, Path("/nonexistent"))["counts"]


def test_truncated_tampered_or_foreign_archives_change_nothing(source, empty_target, tmp_path, monkeypatch):
    from portal.cli import migrate
    from portal.services.base.errors import ServiceError
    from portal.services.operations.backup import write_backup
    from portal.services.operations.restore import DAMAGED, FOREIGN, restore_backup

    archive = tmp_path / "good.tar"
    write_backup(archive)
    data = archive.read_bytes()
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(data[: len(data) // 2])
    tampered = tmp_path / "tampered.tar"
    position = data.index(b"%PDF-1.4 attachment ")
    tampered.write_bytes(data[:position] + b"%PDF-1.4 ATTACHMENT " + data[position + 20 :])
    not_tar = tmp_path / "photo.jpg"
    not_tar.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(4000))
    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as other:
        payload = b'{"format": "someone-else"}'
        info = tarfile.TarInfo("MANIFEST.json")
        info.size = len(payload)
        other.addfile(info, io.BytesIO(payload))

    # A source holding data is the target with --force: still nothing may change.
    before = _counts(source)
    for bad, message in ((truncated, DAMAGED), (tampered, DAMAGED), (not_tar, FOREIGN), (foreign, FOREIGN)):
        with pytest.raises(ServiceError) as refused:
            restore_backup(bad, force=True, migrate=migrate)
        assert refused.value.message == message, bad.name
        assert _counts(source) == before
    # And an empty target stays empty (not even migrated).
    _use(monkeypatch, empty_target, tmp_path / "target")
    with pytest.raises(ServiceError):
        restore_backup(truncated, migrate=migrate)
    assert not (tmp_path / "target" / "uploads").exists()


def test_a_full_disk_leaves_no_archive(source, tmp_path, monkeypatch):
    from portal.services.base.errors import ServiceError
    from portal.services.operations import backup

    real = backup._add_file
    calls = {"n": 0}

    def failing(archive, name, path):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(archive, name, path)

    monkeypatch.setattr(backup, "_add_file", failing)
    target = tmp_path / "out" / "portal.tar"
    with pytest.raises(ServiceError) as failed:
        backup.write_backup(target)
    assert "No space left" in failed.value.message
    assert list((tmp_path / "out").iterdir()) == []  # neither the archive nor a partial file


def test_nightly_backup_once_a_day_with_retention(source, tmp_path, monkeypatch):
    from datetime import UTC, datetime

    from portal.services.operations.backup import nightly_backup

    folder = tmp_path / "nightly"
    folder.mkdir()
    (folder / "portal-20200101.tar").write_bytes(b"old")
    (folder / "notes.txt").write_text("kept")
    monkeypatch.setenv("PORTAL_BACKUP_DIR", str(folder))
    monkeypatch.setenv("PORTAL_BACKUP_KEEP_DAYS", "7")
    get_settings.cache_clear()
    moment = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)  # 04:00 on the 11th in Asia/Shanghai
    assert nightly_backup(moment) == {"written": 1, "removed": 1}
    assert nightly_backup(moment) == {"written": 0, "removed": 0}
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "portal-20260311.tar"]
    monkeypatch.delenv("PORTAL_BACKUP_DIR")
    get_settings.cache_clear()
    assert nightly_backup(moment) == {"skipped": "PORTAL_BACKUP_DIR unset"}
