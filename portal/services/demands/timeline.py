"""The tamper-evident timeline: every event's HMAC covers its own content (both the staff and the
public wording, and its visibility) together with the previous event's hash, per demand. Editing,
deleting or reordering a stored event breaks the chain at that point, and without the key (which is
not in the database, see ``portal.core.keys``) the chain cannot be recomputed."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal.core.db import session_scope
from portal.core.keys import timeline_key
from portal.models.tables import TimelineEvent

PUBLIC = "public"
STAFF = "staff"
STAFF_WITHOUT_UNIT = "工作人员"


def public_actor(event: TimelineEvent) -> str:
    """Who acted, as anyone outside the staff reads it: the unit (or enterprise) before “·”; a system (no
    user: 系统, a key's system) by its name; a staff member with no unit (an admin changing the 工作日历, a
    leader), whose label is the person's name, as 工作人员."""
    label = event.actor_label or ""
    if "·" in label or event.actor_id is None:
        return label.split("·")[0]
    return STAFF_WITHOUT_UNIT


def chain_body(event: TimelineEvent) -> bytes:
    """What the chain covers of one event: its content (both wordings, the visibility) and the link."""
    return json.dumps(
        {
            "demand_id": event.demand_id,
            "seq": event.seq,
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "action": event.action,
            "detail": event.detail,
            "visibility": event.visibility,
            "public_detail": event.public_detail,
            "data": event.data or {},
            "created_at": event.created_at.isoformat(timespec="microseconds"),
            "prev_hash": event.prev_hash,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")


def _digest(event: TimelineEvent, key: bytes | None = None) -> str:
    """HMAC-SHA-256 of ``chain_body``, keyed by ``timeline_key()`` unless ``key`` is given."""
    return hmac.new(key or timeline_key(), chain_body(event), hashlib.sha256).hexdigest()


def append(session: Session, *, demand_id: int, **fields) -> TimelineEvent:
    """Add the next event (``fields``: those of ``chained_event``; ``public_detail`` None makes it
    staff-only). Callers hold the demand's version lock, so seq cannot be taken twice (and the unique
    (demand_id, seq) constraint would refuse it if it were)."""
    last = session.exec(
        select(TimelineEvent).where(TimelineEvent.demand_id == demand_id).order_by(TimelineEvent.seq.desc()).limit(1)
    ).first()
    event = chained_event(last, demand_id=demand_id, **fields)
    session.add(event)
    session.flush()
    return event


def chained_event(
    last: TimelineEvent | None,
    *,
    demand_id: int,
    actor_id: int | None,
    actor_label: str,
    action: str,
    detail: str = "",
    public_detail: str | None = None,
    data: dict | None = None,
    created_at: datetime,
) -> TimelineEvent:
    """The event after ``last`` (None: a new demand's first event), hashed, not yet added: a bulk writer
    (台账导入) adds many first events with one flush."""
    event = TimelineEvent(
        demand_id=demand_id,
        seq=(last.seq + 1) if last else 1,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        detail=detail,
        visibility=STAFF if public_detail is None else PUBLIC,
        public_detail=public_detail or "",
        data=data or {},
        created_at=created_at,
        prev_hash=last.hash if last else "",
    )
    event.hash = _digest(event)
    return event


@dataclass(frozen=True)
class ChainReport:
    demand_id: int
    events: int
    ok: bool
    broken_seq: int | None = None
    reason: str = ""


def verify_demand(session: Session, demand_id: int, key: bytes | None = None) -> ChainReport:
    events = session.exec(
        select(TimelineEvent).where(TimelineEvent.demand_id == demand_id).order_by(TimelineEvent.seq)
    ).all()
    prev_hash = ""
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainReport(demand_id, len(events), False, event.seq, f"缺少第{expected_seq}条记录")
        if event.prev_hash != prev_hash:
            return ChainReport(demand_id, len(events), False, event.seq, "与上一条记录的链接不符")
        if not hmac.compare_digest(_digest(event, key), event.hash):
            return ChainReport(demand_id, len(events), False, event.seq, "记录内容被改动")
        prev_hash = event.hash
    return ChainReport(demand_id, len(events), True)


def verify_all() -> list[ChainReport]:
    """Every demand's chain; the broken ones first."""
    with session_scope() as session:
        ids = session.exec(select(TimelineEvent.demand_id).group_by(TimelineEvent.demand_id)).all()
        reports = [verify_demand(session, demand_id) for demand_id in ids]
    return sorted(reports, key=lambda r: (r.ok, r.demand_id))


def rehash_demand(session: Session, demand_id: int, key: bytes) -> None:
    """Recompute one demand's chain under ``key`` (key rotation; the caller has verified it first)."""
    prev_hash = ""
    events = session.exec(
        select(TimelineEvent).where(TimelineEvent.demand_id == demand_id).order_by(TimelineEvent.seq)
    ).all()
    for event in events:
        event.prev_hash = prev_hash
        event.hash = _digest(event, key)
        prev_hash = event.hash
        session.add(event)
