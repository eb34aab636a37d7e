"""The audit of account and settings changes, one row per change written in the changing transaction,
and of bulk personal data leaving or entering the portal (issue #20): every 导出台账 request and every
导入台账 preview and import, with who, which ledger or file, the filters and the row count."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from datetime import time as dtime

from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.dates import parse_day
from portal.core.db import session_scope
from portal.core.formatting import format_instant, local_zone
from portal.models.enums import ROLE_LABELS, Role, role_word
from portal.models.records.admin import AuditRow
from portal.models.tables import AuditEntry
from portal.services.accounts.actor import Actor
from portal.services.base.access import actor_label
from portal.services.base.errors import Forbidden
from portal.services.base.text import clean_text


def record_audit(session: Session, actor: Actor | None, action: str, target: str, detail: str) -> None:
    """One audit row. Target and detail are composed of typed text: they pass through ``clean_text`` too."""
    session.add(
        AuditEntry(
            created_at=now(),
            actor_id=actor.user_id if actor else None,
            actor_label=actor_label(session, actor),
            action=action,
            target=clean_text(target, limit=200)[:200],
            detail=clean_text(detail, limit=20000),
        )
    )


AUDIT_PAGE = 50
# Entries written before roles were named in Chinese say “角色 handler → dispatcher”; they are shown in words.
_ROLE_CODE = re.compile(r"(?<=角色 )(" + "|".join(ROLE_LABELS) + r")\b(?: → (" + "|".join(ROLE_LABELS) + r")\b)?")


def _role_words(detail: str) -> str:
    return _ROLE_CODE.sub(lambda m: role_word(m[1]) + (f" → {role_word(m[2])}" if m[2] else ""), detail)


def list_entries(*, actor: Actor, section: str = "", who: str = "", day_from=None, day_to=None) -> list[AuditRow]:
    """审计日志 for admins, newest first (50), filtered by section (the action word), by who acted (part of
    the name) and by date (both days included)."""
    if actor is None or actor.role != Role.ADMIN:
        raise Forbidden()
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(AUDIT_PAGE)
    if isinstance(section, str) and section:
        query = query.where(AuditEntry.action == section[:40])
    if isinstance(who, str) and who.strip():
        query = query.where(AuditEntry.actor_label.contains(who.strip()[:50]))
    if (first := parse_day(day_from)) is not None:
        query = query.where(AuditEntry.created_at >= datetime.combine(first, dtime.min, tzinfo=local_zone()))
    if (last := parse_day(day_to)) is not None:
        query = query.where(
            AuditEntry.created_at < datetime.combine(last + timedelta(days=1), dtime.min, tzinfo=local_zone())
        )
    with session_scope() as session:
        rows = session.exec(query).all()
    return [
        AuditRow(
            at=format_instant(e.created_at),
            who=e.actor_label,
            section=e.action,
            target=e.target,
            detail=_role_words(e.detail),
        )
        for e in rows
    ]


def audit_sections() -> list[str]:
    """The section words present in the log, for the filter."""
    with session_scope() as session:
        return list(session.exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all())
