"""Private attachments: checked by content (not only by name), stored outside any public mount,
read back only through ``attachment_for_download`` which applies the same visibility rules as the
demand they belong to."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import filetype
from sqlmodel import Session

from portal.core.settings import get_settings
from portal.models.tables import Attachment
from portal.services.base.errors import ValidationFailed
from portal.services.base.text import clean_text

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_SUBMISSION = 5

# extension → the content types its bytes may show; .doc/.xls are OLE containers, .docx/.xlsx zips.
ALLOWED = {
    "pdf": {"application/pdf"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "png": {"image/png"},
    "doc": {"application/msword"},
    "xls": {"application/vnd.ms-excel", "application/msword"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}
ALLOWED_LABEL = "pdf、jpg、png、doc、docx、xls、xlsx"


@dataclass(frozen=True)
class UploadedFile:
    """A file as the person sent it: their file name and the bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str


def _safe_name(name: str) -> str:
    base = os.path.basename(clean_text(name, limit=1000).replace("\\", "/")).strip() or "附件"
    return "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')[:150] or "附件"


def check_file(filename: str, data: bytes) -> str:
    """The content type of an acceptable file, else ``ValidationFailed`` on the ``files`` field."""
    name = _safe_name(filename)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ValidationFailed({"files": f"“{name}”的类型不允许,仅支持{ALLOWED_LABEL}"})
    if len(data) == 0:
        raise ValidationFailed({"files": f"“{name}”是空文件"})
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed({"files": f"“{name}”超过20MB"})
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ALLOWED[ext]:
        raise ValidationFailed({"files": f"“{name}”的内容与扩展名不符,请上传真实的{ext}文件"})
    return sorted(ALLOWED[ext])[0] if ext != "xls" else "application/vnd.ms-excel"


def storage_dir() -> Path:
    path = get_settings().private_upload_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(filename: str, data: bytes) -> CheckedFile:
    """Check and write the bytes under a random key. The caller records the row in its transaction."""
    content_type = check_file(filename, data)
    key = uuid.uuid4().hex
    target = storage_dir() / key
    with open(target, "xb") as handle:
        handle.write(data)
    return CheckedFile(
        filename=_safe_name(filename),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
    )


def discard(stored: list[CheckedFile]) -> None:
    """Remove written files whose database rows were not committed (no orphan bytes left behind)."""
    for item in stored:
        try:
            (storage_dir() / item.storage_key).unlink()
        except FileNotFoundError:
            pass


@contextmanager
def kept_only_if_committed() -> Iterator[list[CheckedFile]]:
    """Collects the files written inside the block; if the block fails (its transaction included),
    they are removed again, so no bytes outlive a write that did not happen."""
    stored: list[CheckedFile] = []
    try:
        yield stored
    except BaseException:
        discard(stored)
        raise


def attach(
    session: Session,
    stored: list[CheckedFile],
    upload: UploadedFile,
    *,
    demand_id: int | None = None,
    purpose: str,
    uploaded_by_id: int,
    work_order_id: int | None = None,
    policy_id: int | None = None,
) -> Attachment:
    """Check and store one upload and add its row to ``session``; ``stored`` is the list from
    ``kept_only_if_committed``."""
    checked = store(upload.filename, upload.data)
    stored.append(checked)
    row = Attachment(
        demand_id=demand_id,
        work_order_id=work_order_id,
        policy_id=policy_id,
        purpose=purpose,
        uploaded_by_id=uploaded_by_id,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        storage_key=checked.storage_key,
    )
    session.add(row)
    return row


def path_of(storage_key: str) -> Path:
    if not storage_key.isalnum():
        raise ValueError("bad storage key")
    return storage_dir() / storage_key


# ── staging: files chosen in a form before it is submitted ────────────────────────────────────
#
# Staged files live in staging/<user id>/<random>: bound to the user who chose them, capped per user
# across all of that user's tabs and connections (a lock file serialises the check between workers),
# refused when the disk is nearly full, and removed by the scheduler after STAGING_MAX_AGE.

MAX_STAGED_FILES_PER_USER = 10
MAX_STAGED_BYTES_PER_USER = 60 * 1024 * 1024
STAGING_MAX_AGE = timedelta(hours=6)
DISK_FULL = "服务器存储空间不足,暂时无法上传附件,请稍后再试或联系管理员"


def _staging_root() -> Path:
    return storage_dir() / "staging"


def _user_staging(owner_id: int) -> Path:
    if not isinstance(owner_id, int) or isinstance(owner_id, bool) or owner_id <= 0:
        raise ValueError("bad owner")
    directory = _staging_root() / str(owner_id)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@contextmanager
def _user_lock(directory: Path) -> Iterator[None]:
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _staged_files(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.is_file() and p.name.isalnum()]


def stage(filename: str, data: bytes, *, owner_id: int) -> tuple[str, str]:
    """Check a file as soon as it is chosen and park it for ``owner_id``. Returns (token, safe name).

    The state keeps the token in a backend-only var, so a browser can neither name nor read a staged
    file; and a token only opens a file in its owner's folder (``read_staged``)."""
    check_file(filename, data)
    directory = _user_staging(owner_id)
    if shutil.disk_usage(directory).free - len(data) < get_settings().min_free_disk_mb * 1024 * 1024:
        raise ValidationFailed({"files": DISK_FULL})
    with _user_lock(directory):
        held = _staged_files(directory)
        if len(held) >= MAX_STAGED_FILES_PER_USER:
            raise ValidationFailed({"files": f"待提交的附件已达{MAX_STAGED_FILES_PER_USER}个,请先提交或移除"})
        if sum(p.stat().st_size for p in held) + len(data) > MAX_STAGED_BYTES_PER_USER:
            raise ValidationFailed({"files": f"待提交的附件合计不能超过{MAX_STAGED_BYTES_PER_USER // 1024 // 1024}MB"})
        token = uuid.uuid4().hex
        with open(directory / token, "xb") as handle:
            handle.write(data)
    return token, _safe_name(filename)


def _staged_path(token: str, owner_id: int) -> Path:
    if not isinstance(token, str) or not token.isalnum() or not token.isascii():
        raise ValueError("bad token")
    return _user_staging(owner_id) / token


def read_staged(token: str, *, owner_id: int) -> bytes:
    """The bytes of ``owner_id``'s staged file; a missing one (purged, or never theirs) is a clear
    message, not a traceback."""
    try:
        return _staged_path(token, owner_id).read_bytes()
    except FileNotFoundError as exc:
        raise ValidationFailed({"files": "待提交的附件已过期,请重新选择"}) from exc


def drop_staged(tokens: list[str], *, owner_id: int) -> None:
    for token in tokens:
        try:
            _staged_path(token, owner_id).unlink()
        except (FileNotFoundError, ValueError):
            pass


def purge_staged(*, max_age: timedelta = STAGING_MAX_AGE) -> int:
    """Remove staged files older than ``max_age`` (forms abandoned in a tab; a scheduler job)."""
    root = _staging_root()
    if not root.exists():
        return 0
    cutoff = time.time() - max_age.total_seconds()
    removed = 0
    for directory in (d for d in root.iterdir() if d.is_dir()):
        with _user_lock(directory):
            for path in _staged_files(directory):
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    removed += 1
    return removed
