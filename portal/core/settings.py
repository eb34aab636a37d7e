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
    demo_force: bool
    private_upload_dir: Path
    data_dir: Path
    public_origin: str | None
    session_hours: int
    session_idle_minutes: int
    login_max_failures: int
    login_lock_minutes: int
    login_delay_after_failures: int
    login_max_delay_seconds: int
    login_max_failures_per_username: int
    registrations_per_address_hour: int
    min_free_disk_mb: int
    export_max_running: int
    log_format: str
    metrics_token: str | None
    trusted_proxies: tuple[str, ...]
    backup_dir: Path | None
    backup_keep_days: int

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def unsafe_demo_reason(self) -> str | None:
        """Why the portal must not start: demo accounts with published passwords on a public https
        origin look like production. PORTAL_DEMO_FORCE=1 overrides (a public demo site)."""
        if self.demo_mode and not self.demo_force and (self.public_origin or "").lower().startswith("https://"):
            return (
                "演示模式(PORTAL_DEMO_MODE=1)不能在 https 正式地址上启动:演示账号的密码是公开的。"
                "请关闭演示模式,或确为演示站点时设置 PORTAL_DEMO_FORCE=1。"
            )
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(os.environ.get("PORTAL_DATA_DIR") or PROJECT_ROOT / "data")
    return Settings(
        database_url=os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{data_dir / 'portal.db'}",
        redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
        timezone=os.environ.get("PORTAL_TIMEZONE", "Asia/Shanghai"),
        # Off unless asked for: `make run` turns it on for the embedded setup (DESIGN §8).
        demo_mode=_bool("PORTAL_DEMO_MODE", False),
        demo_force=_bool("PORTAL_DEMO_FORCE", False),
        data_dir=data_dir,
        private_upload_dir=Path(os.environ.get("PORTAL_PRIVATE_UPLOAD_DIR") or data_dir / "private_uploads"),
        public_origin=os.environ.get("PORTAL_PUBLIC_ORIGIN") or None,
        session_hours=_int("PORTAL_SESSION_HOURS", 12),
        session_idle_minutes=_int("PORTAL_SESSION_IDLE_MINUTES", 120),
        login_max_failures=_int("PORTAL_LOGIN_MAX_FAILURES", 5),
        login_lock_minutes=_int("PORTAL_LOGIN_LOCK_MINUTES", 15),
        # Failures from one address (password spraying, or many people behind one NAT): from this many
        # on, each attempt from the address waits 1, 2, 4 … seconds, at most the maximum; never a lock.
        login_delay_after_failures=_int("PORTAL_LOGIN_DELAY_AFTER_FAILURES", 10),
        login_max_delay_seconds=_int("PORTAL_LOGIN_MAX_DELAY_SECONDS", 60),
        login_max_failures_per_username=_int("PORTAL_LOGIN_MAX_FAILURES_PER_USERNAME", 100),
        registrations_per_address_hour=_int("PORTAL_REGISTRATIONS_PER_ADDRESS_HOUR", 10),
        # Below this much free space on the upload disk, new uploads are refused with a message.
        min_free_disk_mb=_int("PORTAL_MIN_FREE_DISK_MB", 1024),
        # 导出台账 child processes writing files at once, across all workers (more wait as 排队).
        export_max_running=_int("PORTAL_EXPORT_MAX_RUNNING", 2),
        # "json" (one object per line, the default) or "text" (the old form, for development).
        log_format="text" if os.environ.get("PORTAL_LOG_FORMAT", "").strip().lower() == "text" else "json",
        # A bearer token that opens /api/metrics and the detail of /api/health to a remote collector.
        metrics_token=(os.environ.get("PORTAL_METRICS_TOKEN") or "").strip() or None,
        # Peers whose X-Forwarded-For / X-Real-IP is believed (the reverse proxy): addresses or networks.
        trusted_proxies=tuple(
            p.strip() for p in os.environ.get("PORTAL_TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if p.strip()
        ),
        # Nightly backups go here (off when unset), kept this many days.
        backup_dir=Path(os.environ["PORTAL_BACKUP_DIR"]) if os.environ.get("PORTAL_BACKUP_DIR") else None,
        backup_keep_days=_int("PORTAL_BACKUP_KEEP_DAYS", 14),
    )
