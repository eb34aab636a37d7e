"""A real SMTP server for the outbox tests and the bench (aiosmtpd on a free local port), and the settings
that point the portal's channels at it."""

from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What arrived: (recipients, parsed message). ``refuse`` answers every DATA with a temporary failure."""

    def __init__(self, refuse: bool = False):
        self.messages: list = []
        self.refuse = refuse
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Mailbox temporarily unavailable"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def texts(self) -> list[str]:
        return [m.get_body(("plain",)).get_content() for _, m in self.messages]


@contextmanager
def smtp_server(refuse: bool = False):
    inbox, port = Inbox(refuse), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def use_channels(port: int | None, sms_dir=None, **extra: str) -> None:
    """Point the channels at a local SMTP port (``None``: e-mail off) and an SMS folder (``None``: SMS off)."""
    from portal.core.channels import get_channel_settings

    values = {
        "PORTAL_SMTP_HOST": "127.0.0.1" if port else "",
        "PORTAL_SMTP_PORT": str(port or ""),
        "PORTAL_SMTP_STARTTLS": "0",
        "PORTAL_SMTP_FROM": "noreply@portal.example.cn",
        "PORTAL_SMS_ADAPTER": "file" if sms_dir else "",
        "PORTAL_SMS_DIR": str(sms_dir or ""),
        "PORTAL_BASE_URL": "https://qsjb.taian.gov.cn",
        **extra,
    }
    for name, value in values.items():
        os.environ[name] = value
    get_channel_settings.cache_clear()


def clear_channels() -> None:
    from portal.core.channels import get_channel_settings

    for name in list(os.environ):
        if name.startswith(("PORTAL_SMTP_", "PORTAL_SMS_", "PORTAL_OUTBOX_")) or name == "PORTAL_BASE_URL":
            del os.environ[name]
    get_channel_settings.cache_clear()
