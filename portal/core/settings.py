"""Settings read from environment variables, with defaults safe for the embedded (SQLite) setup.

Every variable is documented in README.md § 配置. Read once per process through ``get_settings()``;
tests call ``get_settings.cache_clear()`` after changing the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw and raw.strip() else default


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    timezone: str
    demo_mode: bool
    private_upload_dir: Path
    public_origin: str | None
    session_hours: int
    session_idle_minutes: int
    login_max_failures: int
    login_lock_minutes: int

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = PROJECT_ROOT / "data"
    return Settings(
        database_url=os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{data_dir / 'portal.db'}",
        redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
        timezone=os.environ.get("PORTAL_TIMEZONE", "Asia/Shanghai"),
        demo_mode=_bool("PORTAL_DEMO_MODE", True),
        private_upload_dir=Path(os.environ.get("PORTAL_PRIVATE_UPLOAD_DIR") or data_dir / "private_uploads"),
        public_origin=os.environ.get("PORTAL_PUBLIC_ORIGIN") or None,
        session_hours=_int("PORTAL_SESSION_HOURS", 12),
        session_idle_minutes=_int("PORTAL_SESSION_IDLE_MINUTES", 120),
        login_max_failures=_int("PORTAL_LOGIN_MAX_FAILURES", 5),
        login_lock_minutes=_int("PORTAL_LOGIN_LOCK_MINUTES", 15),
    )
