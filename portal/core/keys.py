"""The secret that keys the timeline's hash chain (DESIGN §8, README § 安全).

With an unkeyed hash, anyone who can write the database can also recompute the chain after editing it.
The key therefore never lives in the database: it comes from ``PORTAL_TIMELINE_KEY`` or, when that is
unset, from ``<data dir>/timeline.key``, generated (256 bits, mode 0600) on first use. Rotation:
``python -m portal.cli rotate-timeline-key``.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from portal.core.settings import get_settings

KEY_ENV = "PORTAL_TIMELINE_KEY"
KEY_FILE_NAME = "timeline.key"
MIN_KEY_CHARS = 32


def key_file() -> Path:
    return get_settings().data_dir / KEY_FILE_NAME


def _checked(raw: str, source: str) -> bytes:
    text = raw.strip()
    if len(text) < MIN_KEY_CHARS:
        raise SystemExit(f"{source} 中的时间线密钥太短(至少{MIN_KEY_CHARS}个字符)")
    return text.encode("utf-8")


def write_key_file(path: Path, key_text: str, *, replace: bool = False) -> None:
    """Write ``path`` readable by the owner only, complete before it appears (temp file, then link or
    rename), so a second worker never reads half a key. Without ``replace`` an existing file wins
    (FileExistsError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key_text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        if replace:
            os.replace(temp, path)
        else:
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)


@lru_cache(maxsize=1)
def timeline_key() -> bytes:
    """The key, from the environment or the key file (created when missing, race-safe across workers)."""
    if raw := os.environ.get(KEY_ENV):
        return _checked(raw, KEY_ENV)
    path = key_file()
    try:
        write_key_file(path, secrets.token_hex(32))
    except FileExistsError:
        pass  # another process (or an earlier run) made it: read that one
    return _checked(path.read_text(encoding="utf-8"), str(path))


def new_key_text() -> str:
    return secrets.token_hex(32)
