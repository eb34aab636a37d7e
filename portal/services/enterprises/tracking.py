"""进度查询 (/track), public and without an account: 诉求编号 + the last four digits of the demand's 联系电话
→ its status and public timeline (the unit that acted, never a staff member's name, no staff-only event,
no attachment).

A wrong pair says 未找到 (and to check both) and nothing else: an unknown code and a wrong phone take the same path (one
lookup by code, one constant-time comparison against the stored tail or a stand-in) and give the same
message. Guessing is slowed per address like logins (from the 5th miss in an hour each further one holds
the address 1, 2, 4 … ≤ 300 seconds) and capped per code (10 misses an hour lock that code's lookups for
the hour, whoever asks, so spreading guesses over many addresses does not help; the counter is kept for
any code typed, existing or not). Every lookup is logged in ``track_lookup``."""

from __future__ import annotations

import hmac
import re
from datetime import timedelta

from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.models.records.enterprises import TrackEvent, TrackResult
from portal.models.tables import Demand, TimelineEvent, TrackLookup
from portal.services.accounts.throttle import Limit, held_until, record_failure, throttle_key
from portal.services.base.errors import ServiceError, ValidationFailed
from portal.services.base.text import clean_text
from portal.services.demands import timeline

NOT_FOUND = "未找到:请核对诉求编号和登记时留的联系电话后四位"
THROTTLED = "查询过于频繁,请稍后再试"
ADDRESS_LIMIT = Limit("track-addr", 5, timedelta(hours=1), max_delay=timedelta(seconds=300))
CODE_LIMIT = Limit("track-code", 10, timedelta(hours=1))
_CODE = re.compile(r"^[A-Z0-9]{4,30}$")
_TAIL = re.compile(r"^\d{4}$")
_STAND_IN = "\x00\x00\x00\x00"  # compared with when there is no such demand: never equal to four digits


def _phone_tail(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[-4:] if len(digits) >= 4 else _STAND_IN


def _events(session, demand: Demand) -> list[TrackEvent]:
    rows = session.exec(
        select(TimelineEvent)
        .where(TimelineEvent.demand_id == demand.id, TimelineEvent.visibility == timeline.PUBLIC)
        .order_by(TimelineEvent.seq)
    ).all()
    # Who acted by unit (or enterprise) only, in the public wording: as the enterprise itself reads it.
    return [
        TrackEvent(
            at=format_instant(e.created_at), who=timeline.public_actor(e), action=e.action, detail=e.public_detail or ""
        )
        for e in rows
    ]


def track_demand(*, code: str, phone_tail: str, client_address: str = "") -> TrackResult:
    """The demand's status and public timeline for a right pair; ``ServiceError(NOT_FOUND)`` for any wrong
    one, ``ServiceError(THROTTLED)`` while the address or the code is held."""
    code = clean_text(code, limit=40).upper().replace(" ", "")
    tail = clean_text(phone_tail, limit=10)
    errors = {}
    if not _CODE.match(code):
        errors["code"] = "请填写诉求编号(如QS202601010001)"
    if not _TAIL.match(tail):
        errors["phone_tail"] = "请填写联系电话的后四位数字"
    if errors:
        raise ValidationFailed(errors)
    address = (client_address or "")[:64]
    address_key, code_key = throttle_key(ADDRESS_LIMIT.kind, address), throttle_key(CODE_LIMIT.kind, code)
    moment = now()
    with session_scope() as session:
        held = held_until(session, address_key, moment) or held_until(session, code_key, moment)
        demand = None if held else session.exec(select(Demand).where(Demand.code == code)).first()
        stored = _phone_tail(demand.contact_phone) if demand is not None else _STAND_IN
        found = not held and hmac.compare_digest(stored.encode(), tail.encode())
        session.add(TrackLookup(address=address, code=code, found=found, created_at=moment))
        if held:
            result = None
        elif not found:
            record_failure(session, address_key, ADDRESS_LIMIT, moment)
            record_failure(session, code_key, CODE_LIMIT, moment)
            result = None
        else:
            result = TrackResult(
                code=demand.code,
                title=demand.title,
                status=demand.status,
                channel=demand.channel,
                created_at=format_instant(demand.created_at),
                events=_events(session, demand),
            )
    if held:
        raise ServiceError(THROTTLED)
    if result is None:
        raise ServiceError(NOT_FOUND)
    return result


LOOKUP_KEEP = timedelta(days=180)


def purge_track_lookups(*, keep: timedelta = LOOKUP_KEEP) -> int:
    """The 进度查询 log is kept half a year (enough to investigate a guessing campaign), then deleted: anonymous
    requests must not grow a table for ever. Returns how many rows went."""
    from sqlalchemy import delete

    with session_scope() as session:
        result = session.exec(delete(TrackLookup).where(TrackLookup.created_at < now() - keep))
        return result.rowcount or 0
