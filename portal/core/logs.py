"""Logging for every process (issue #24): one JSON object per line by default (python-json-logger), the
old ``time name level message`` text with ``PORTAL_LOG_FORMAT=text``.

Each line carries ``time``, ``level``, ``logger``, ``message`` and, inside an event or a request, its
``event_id`` (or ``request_id``), the ``route`` (the handler's name or the HTTP route), the ``user_id``
once a session is resolved and, on the closing line, ``duration_ms``. The context is a dict held in a
context variable (``begin``): Reflex runs each event in a task of its own, so it is that event's alone,
and threads started with ``run_in_threadpool`` see the same dict.

Never logged: passwords, tokens, tickets, cookies, demand text. Nothing in the portal passes them to a
logger; as a second line of defence ``_Redact`` masks ``password=…``, ``token=…``, ``ticket=…``, a
``qs_session`` cookie and ``Authorization`` values in any message, and drops extra fields whose names
say they are secret or free text.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
import traceback
from contextvars import ContextVar

from portal.core.settings import get_settings

_CONTEXT: ContextVar[dict | None] = ContextVar("portal_log_context", default=None)
_CONFIGURED = False
_SECRET_FIELDS = re.compile(r"password|passwd|token|ticket|cookie|secret|authorization|content|description|text")
_SECRET_VALUES = re.compile(
    r"(?i)(password|passwd|pwd|token|ticket|secret|qs_session|authorization|cookie)"
    r"(\"?\s*[:=]\s*\"?|'\s*:\s*')(bearer\s+)?[^\s&\"',;}]+"
)
_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


def begin(kind: str, route: str) -> dict:
    """Open the context of one event (``kind="event"``) or request (``"request"``); returns its dict."""
    context = {f"{kind}_id": secrets.token_hex(6), "route": route, "user_id": None}
    _CONTEXT.set(context)
    return context


def current() -> dict | None:
    return _CONTEXT.get()


def set_user(user_id: int | None) -> None:
    """Name the user of the current event or request (called where a session is resolved)."""
    context = _CONTEXT.get()
    if context is not None and user_id is not None:
        context["user_id"] = user_id


def redact(message: str) -> str:
    return _SECRET_VALUES.sub(lambda m: f"{m.group(1)}{m.group(2)}***", message)


class _Redact(logging.Filter):
    """Adds the context's fields and masks secrets (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_CONTEXT.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for key in [k for k in record.__dict__ if k not in _RESERVED and _SECRET_FIELDS.search(k.lower())]:
            delattr(record, key)
        _database_error_without_values(record)
        return True


def _database_error_without_values(record: logging.LogRecord) -> None:
    """A database error's message carries the row (PostgreSQL's DETAIL: “Failing row contains (…)”, “Key
    (username)=(…) already exists”): the traceback is kept, the message cut to its first line, which names
    the constraint and not the values."""
    from sqlalchemy.exc import DBAPIError

    exc = record.exc_info[1] if record.exc_info else None
    if not isinstance(exc, DBAPIError):
        return
    first_line = (str(exc.orig).splitlines() or [""])[0]
    record.exc_text = (
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_tb(record.exc_info[2]))
        + f"{type(exc).__module__}.{type(exc).__name__}: ({type(exc.orig).__name__}) {first_line}"
    )
    record.exc_info = None


def _json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
        json_ensure_ascii=False,
    )


def configure_logging(*, force: bool = False) -> None:
    """Install one stderr handler on the root logger, once per process (``force`` re-reads the settings)."""
    global _CONFIGURED
    if _CONFIGURED and not force:
        return
    handler = logging.StreamHandler(sys.stderr)
    if get_settings().log_format == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    else:
        handler.setFormatter(_json_formatter())
    handler.addFilter(_Redact())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_portal", False)]:
        root.removeHandler(old)
    handler._portal = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(os.environ.get("PORTAL_LOG_LEVEL", "INFO").upper())
    _CONFIGURED = True
