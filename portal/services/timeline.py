"""The tamper-evident timeline: every event hashes its own content together with the previous event's
hash, per demand. Editing, deleting or reordering a stored event breaks the chain at that point."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal.core.db import session_scope
from portal.models.tables import TimelineEvent


def _digest(event: TimelineEvent) -> str:
    """SHA-256 over the event's content and the previous event's hash."""
    body = json.dumps(
        {
            "demand_id": event.demand_id,
            "seq": event.seq,
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "action": event.action,
            "detail": event.detail,
            "data": event.data or {},
            "created_at": event.created_at.isoformat(timespec="microseconds"),
            "prev_hash": event.prev_hash,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    demand_id: int,
    actor_id: int | None,
    actor_label: str,
    action: str,
    detail: str = "",
    data: dict | None = None,
    created_at: datetime,
) -> TimelineEvent:
    """Add the next event. Callers hold the demand's version lock, so seq cannot be taken twice
    (and the unique (demand_id, seq) constraint would refuse it if it were)."""
    last = session.exec(
        select(TimelineEvent).where(TimelineEvent.demand_id == demand_id).order_by(TimelineEvent.seq.desc()).limit(1)
    ).first()
    event = TimelineEvent(
        demand_id=demand_id,
        seq=(last.seq + 1) if last else 1,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        detail=detail,
        data=data or {},
        created_at=created_at,
        prev_hash=last.hash if last else "",
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    demand_id: int
    events: int
    ok: bool
    broken_seq: int | None = None
    reason: str = ""


def verify_demand(session: Session, demand_id: int) -> ChainReport:
    events = session.exec(
        select(TimelineEvent).where(TimelineEvent.demand_id == demand_id).order_by(TimelineEvent.seq)
    ).all()
    prev_hash = ""
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainReport(demand_id, len(events), False, event.seq, f"缺少第{expected_seq}条记录")
        if event.prev_hash != prev_hash:
            return ChainReport(demand_id, len(events), False, event.seq, "与上一条记录的链接不符")
        if _digest(event) != event.hash:
            return ChainReport(demand_id, len(events), False, event.seq, "记录内容被改动")
        prev_hash = event.hash
    return ChainReport(demand_id, len(events), True)


def verify_all() -> list[ChainReport]:
    """Every demand's chain; the broken ones first."""
    with session_scope() as session:
        ids = session.exec(select(TimelineEvent.demand_id).group_by(TimelineEvent.demand_id)).all()
        reports = [verify_demand(session, demand_id) for demand_id in ids]
    return sorted(reports, key=lambda r: (r.ok, r.demand_id))
