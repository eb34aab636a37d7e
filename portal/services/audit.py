"""The audit of account and settings changes: one row per change, written in the changing transaction."""

from __future__ import annotations

from sqlmodel import Session

from portal.core.clock import now
from portal.models.dto import Actor
from portal.models.tables import AuditEntry
from portal.services.workflow import actor_label


def record_audit(session: Session, actor: Actor | None, action: str, target: str, detail: str) -> None:
    session.add(
        AuditEntry(
            created_at=now(),
            actor_id=actor.user_id if actor else None,
            actor_label=actor_label(session, actor),
            action=action,
            target=target[:200],
            detail=detail,
        )
    )
