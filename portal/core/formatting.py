"""The one way instants are shown: local zone, 年-月-日 order, whatever the browser's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from portal.core.settings import get_settings


def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def format_instant(moment: datetime | None, *, with_time: bool = True) -> str:
    """``2026-11-25 14:30`` (or ``2026-11-25``) in the configured zone; "" for no instant."""
    if moment is None:
        return ""
    return moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def file_stamp(moment: datetime) -> str:
    """``202611300132``: the local minute, for the names of files a person downloads."""
    return moment.astimezone(local_zone()).strftime("%Y%m%d%H%M")


def file_size(size: int) -> str:
    """A file's size as a person reads it: ``512 字节``, ``12 KB``, ``1.5 MB`` (never “0 KB”)."""
    if size < 1024:
        return f"{max(size, 0)} 字节"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def iso_instant(moment: datetime | None) -> str | None:
    """``2026-11-25T14:30:05+08:00``: an instant for other systems (ISO 8601 in the portal's zone); None for none."""
    if moment is None:
        return None
    return moment.astimezone(local_zone()).isoformat(timespec="seconds")
