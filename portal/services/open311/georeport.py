"""The Open311 GeoReport v2 reads (issue #27): ``services``, ``requests`` (list, one), and the extension
GeoReport never defined, ``updates`` (a request's public timeline).

What is public. GeoReport publishes a request's description and address; here an enterprise's words
and who it is are not public anywhere in the portal (进度查询 needs the code *and* the phone's last four
digits), so a public request carries only: its code, open/closed and the status word, the topic
(service), the unit responsible (the lead unit once dispatched, else the 推进中心), and its times. Never
the enterprise, the contact, the phone, the title or the text, nor the words of any timeline event — an
event is shown by its action word (派单, 签收, 办理反馈 …) and by who acted as a unit (an enterprise as
“企业”). The system whose key posted a demand reads that demand's description and the public wording of
its events too (``own``): it sent them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.formatting import iso_instant, local_zone
from portal.core.ids import parse_bounded_int, parse_id
from portal.models.enums import DemandStatus as S
from portal.models.enums import Role, UnitKind
from portal.models.tables import ApiRequest, Demand, DispatchRule, TimelineEvent, Topic, Unit, User
from portal.services.demands import timeline
from portal.services.open311.keys import KeyHolder

CLOSED = (S.CLOSED, S.REJECTED, S.WITHDRAWN)
DEFAULT_DAYS = 90  # GeoReport: without dates, the last 90 days
PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, DEPTH_MAX = 50, 100, 10_000
IDS_MAX = 50
# What a demand's code and a GeoReport token are made of: anything else names none (and a NUL byte would
# be refused by PostgreSQL as a query parameter: a 500 instead of a 404).
CODE_SHAPE = re.compile(r"^[A-Z0-9]{1,30}$")
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class BadQuery(ValueError):
    """A parameter the spec's 400 answers (message in Chinese, naming the parameter)."""


def services(session: Session) -> list[dict]:
    """``services.json``: the catalogue's active topics, by their class (group) and order."""
    rules = {r.topic_id: r for r in session.exec(select(DispatchRule))}
    topics = session.exec(select(Topic).where(Topic.active == True).order_by(Topic.sort_order, Topic.id))  # noqa: E712
    return [
        {
            "service_code": str(t.id),
            "service_name": t.name,
            "description": f"{t.topic_class}:{t.name}",
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(rules[t.id].keywords.replace(",", " ").split()) if t.id in rules else "",  # noqa: RUF001
            "group": t.topic_class,
        }
        for t in topics
    ]


@dataclass(frozen=True)
class Query:
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    topic_ids: tuple[int, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = PAGE_SIZE_DEFAULT


def _instant(raw: str, name: str, *, end: bool = False) -> datetime:
    """An ISO 8601 date or date-time; a date alone is its day's start (``end``: the next day's start)."""
    try:
        if len(raw) <= 10:
            day = date.fromisoformat(raw)
            return datetime.combine(day + timedelta(days=1 if end else 0), time.min, tzinfo=local_zone())
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise BadQuery(f"{name} 须为 ISO 8601 日期或时间,如 2026-11-01T00:00:00+08:00") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=local_zone())


def _list(raw: str, name: str) -> list[str]:
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if len(items) > IDS_MAX:
        raise BadQuery(f"{name} 最多{IDS_MAX}项")
    return items


def parse_query(session: Session, params: dict[str, str]) -> Query:
    """The list's filters (``BadQuery`` for any malformed one): ``service_request_id`` (a comma list: then
    the other filters are ignored, as the spec says), ``status``, ``service_code``, ``start_date``,
    ``end_date`` (the last 90 days without them), ``page``, ``page_size`` (≤ 100)."""
    page = parse_bounded_int(params.get("page") or "1", low=1, high=DEPTH_MAX)
    size = parse_bounded_int(params.get("page_size") or str(PAGE_SIZE_DEFAULT), low=1, high=PAGE_SIZE_MAX)
    if page is None or size is None:
        raise BadQuery(f"page 须为正整数,page_size 须为1–{PAGE_SIZE_MAX}的整数")
    if page * size > DEPTH_MAX:
        raise BadQuery(f"最多翻阅前{DEPTH_MAX}条,请用 start_date / end_date 缩小范围")
    if codes := _list(params.get("service_request_id", ""), "service_request_id"):
        codes = [c.upper() for c in codes]
        return Query(codes=tuple(c for c in codes if CODE_SHAPE.match(c)) or ("",), page=page, page_size=size)
    statuses = _list(params.get("status", ""), "status")
    if any(s not in ("open", "closed") for s in statuses):
        raise BadQuery("status 只能是 open 或 closed")
    topic_ids = [parse_id(c) for c in _list(params.get("service_code", ""), "service_code")]
    if any(t is None or session.get(Topic, t) is None for t in topic_ids):
        raise BadQuery("service_code 未知:请先读取 services.json")
    end = _instant(params["end_date"], "end_date", end=True) if params.get("end_date") else now()
    start = _instant(params["start_date"], "start_date") if params.get("start_date") else None
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS)
    if start > end:
        raise BadQuery("start_date 不能晚于 end_date")
    return Query(statuses=tuple(statuses), topic_ids=tuple(topic_ids), start=start, end=end, page=page, page_size=size)


def _where(query: Query) -> list:
    if query.codes:
        return [Demand.code.in_(query.codes)]
    where = [Demand.created_at >= query.start, Demand.created_at <= query.end]
    if set(query.statuses) == {"open"}:
        where.append(Demand.status.not_in(CLOSED))
    elif set(query.statuses) == {"closed"}:
        where.append(Demand.status.in_(CLOSED))
    if query.topic_ids:
        where.append(Demand.topic_id.in_(query.topic_ids))
    return where


def requests(session: Session, query: Query, holder: KeyHolder | None) -> list[dict]:
    """One page of requests, newest first (by requested_datetime, then code)."""
    demands = session.exec(
        select(Demand)
        .where(*_where(query))
        .order_by(Demand.created_at.desc(), Demand.id.desc())
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    ).all()
    return request_records(session, demands, holder)


def demand_by_code(session: Session, code: str) -> Demand | None:
    code = (code or "").strip().upper()
    return session.exec(select(Demand).where(Demand.code == code)).first() if CODE_SHAPE.match(code) else None


def own_ids(session: Session, holder: KeyHolder | None, demand_ids: list[int]) -> set[int]:
    """Which of ``demand_ids`` the key posted itself."""
    if holder is None or not demand_ids:
        return set()
    return set(
        session.exec(
            select(ApiRequest.demand_id).where(ApiRequest.api_key_id == holder.id, ApiRequest.demand_id.in_(demand_ids))
        ).all()
    )


def request_records(session: Session, demands: list[Demand], holder: KeyHolder | None) -> list[dict]:
    topics = {t.id: t.name for t in session.exec(select(Topic))}
    unit_ids = {d.lead_unit_id for d in demands if d.lead_unit_id}
    units = {u.id: u.name for u in session.exec(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    centre = session.exec(select(Unit.name).where(Unit.kind == UnitKind.CENTER).order_by(Unit.id)).first() or ""
    own = own_ids(session, holder, [d.id for d in demands])
    return [
        {
            "service_request_id": d.code,
            "status": "closed" if d.status in CLOSED else "open",
            "status_notes": d.status,
            "service_name": topics.get(d.topic_id, ""),
            "service_code": str(d.topic_id) if d.topic_id else "",
            "description": d.content if d.id in own else None,
            "agency_responsible": units.get(d.lead_unit_id, centre),
            "service_notice": None,
            "requested_datetime": iso_instant(d.created_at),
            "updated_datetime": iso_instant(d.updated_at),
            "expected_datetime": iso_instant(d.due_at),
            "address": None,
            "address_id": None,
            "zipcode": None,
            "lat": None,
            "long": None,
            "media_url": None,
        }
        for d in demands
    ]


def updates(session: Session, demand: Demand, holder: KeyHolder | None) -> list[dict]:
    """``requests/{code}/updates.json``: the public timeline events, oldest first."""
    own = demand.id in own_ids(session, holder, [demand.id])
    rows = session.exec(
        select(TimelineEvent, User.role)
        .outerjoin(User, User.id == TimelineEvent.actor_id)
        .where(TimelineEvent.demand_id == demand.id, TimelineEvent.visibility == timeline.PUBLIC)
        .order_by(TimelineEvent.seq)
    ).all()
    return [
        {
            "update_id": f"{demand.code}-{event.seq}",
            "service_request_id": demand.code,
            "updated_datetime": iso_instant(event.created_at),
            "description": event.action,
            "agency": "企业" if role == Role.ENTERPRISE else timeline.public_actor(event),
            "notes": (event.public_detail or None) if own else None,
        }
        for event, role in rows
    ]
