"""Settings of the channels outside the portal (issue #27): SMTP for 邮件, a gateway for 短信, the public
address links point to. Read once per process like ``settings.get_settings``; tests call
``get_channel_settings.cache_clear()``. A channel with nothing configured is off: nothing is queued for it.

Secrets (the SMTP password, the gateway token) are kept out of ``repr`` so a logged object shows none."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from portal.core.settings import _bool, _int, get_settings

SMS_ADAPTERS = ("file", "http")
DEFAULT_SMS_TEMPLATE = '{"mobile": "{phone}", "content": "{text}"}'


@dataclass(frozen=True)
class ChannelSettings:
    base_url: str
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str = field(repr=False)
    smtp_starttls: bool
    smtp_sender: str
    smtp_timeout: int
    smtp_connections: int
    sms_adapter: str  # "" (off), "file" or "http"
    sms_dir: Path
    sms_url: str = field(repr=False)  # a provider may take its key in the query or as the URL's password
    sms_token: str = field(repr=False)
    sms_template: str
    batch_size: int
    max_attempts: int

    @property
    def email_on(self) -> bool:
        return bool(self.smtp_host)

    @property
    def sms_on(self) -> bool:
        return self.sms_adapter == "file" or (self.sms_adapter == "http" and bool(self.sms_url))

    def secrets(self) -> tuple[str, ...]:
        """What an error message must never show (httpx names the URL it was refused at)."""
        url = urlsplit(self.sms_url) if self.sms_url else None
        in_url = (url.query, url.password or "") if url else ()
        return tuple(s for s in (self.smtp_password, self.sms_token, *in_url) if s)


def _env(name: str, default: str = "") -> str:
    return (os.environ.get(name) or default).strip()


@lru_cache(maxsize=1)
def get_channel_settings() -> ChannelSettings:
    base = get_settings()
    adapter = _env("PORTAL_SMS_ADAPTER").lower()
    host = _env("PORTAL_SMTP_HOST")
    return ChannelSettings(
        # Unset, the address ``make run`` serves (its PORT, 3000 by default), so links work on the demo box.
        base_url=(_env("PORTAL_BASE_URL") or base.public_origin or f"http://localhost:{_local_port()}").rstrip("/"),
        smtp_host=host,
        smtp_port=_int("PORTAL_SMTP_PORT", 587),
        smtp_user=_env("PORTAL_SMTP_USER"),
        smtp_password=os.environ.get("PORTAL_SMTP_PASSWORD") or "",
        smtp_starttls=_bool("PORTAL_SMTP_STARTTLS", True),
        smtp_sender=_env("PORTAL_SMTP_FROM") or f"noreply@{host or 'localhost'}",
        smtp_timeout=_int("PORTAL_SMTP_TIMEOUT", 20),
        smtp_connections=max(1, _int("PORTAL_SMTP_CONNECTIONS", 4)),
        sms_adapter=adapter if adapter in SMS_ADAPTERS else "",
        sms_dir=Path(_env("PORTAL_SMS_DIR") or base.data_dir / "sms"),
        sms_url=_env("PORTAL_SMS_URL"),
        sms_token=os.environ.get("PORTAL_SMS_TOKEN") or "",
        sms_template=_env("PORTAL_SMS_TEMPLATE") or DEFAULT_SMS_TEMPLATE,
        batch_size=max(1, _int("PORTAL_OUTBOX_BATCH", 200)),
        max_attempts=max(1, _int("PORTAL_OUTBOX_MAX_ATTEMPTS", 5)),
    )


def _local_port() -> int:
    raw = os.environ.get("PORT", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 65536 else 3000
