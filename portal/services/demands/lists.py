"""The demand lists, paged on the server: the enterprise's own, the dispatch queues, a unit's work orders
and staff search. Visibility: an enterprise sees its own demands; dispatchers and leaders all; a handler
those its unit has (or had) a work order on."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import TypedDict

from sqlalchemy import func
from sqlmodel import Session, select

from portal.core.calendar import WorkingCalendar
from portal.core.clock import now
from portal.core.dates import parse_day
from portal.core.db import session_scope
from portal.core.formatting import format_instant, local_zone
from portal.core.ids import parse_id
from portal.models.enums import Channel, Role
from portal.models.enums import DemandStatus as S
from portal.models.enums import WorkOrderStatus as W
from portal.models.records.common import Page
from portal.models.records.demands import DemandRow, OrderRow
from portal.models.tables import Demand, Enterprise, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.errors import Forbidden
from portal.services.base.fulltext import fulltext_condition
from portal.services.base.paging import paginate
from portal.services.calendar.store import get_calendar
from portal.services.demands.list_statements import LIVE_DEMAND_STATUSES, demand_page

DEMAND_STATUSES = frozenset(s.value for s in S)
CHANNELS = frozenset(c.value for c in Channel)
ORDER_TABS = {
    "待签收": [W.PENDING_SIGN],
    "办理中": [W.HANDLING],
    "已反馈": [W.FED_BACK],
    "已退回": [W.RETURNED, W.CANCELLED],
}


def days_left(session: Session, due: datetime | None, moment: datetime) -> tuple[str, bool]:
    """("剩N个工作日" or "超期N个工作日", overdue?) for a running deadline."""
    return _days_left(get_calendar(session), due, moment)


def _days_left(calendar: WorkingCalendar, due: datetime | None, moment: datetime) -> tuple[str, bool]:
    if due is None:
        return "", False
    if moment > due:
        return f"超期{max(1, calendar.working_days_between(due, moment))}个工作日", True
    return f"剩{calendar.working_days_between(moment, due)}个工作日", False


def names_by_id(session: Session, model, ids) -> dict[int, str]:
    """id → name for the given rows of a table with a ``name`` column, in one query."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {row.id: row.name for row in session.exec(select(model).where(model.id.in_(ids)))}


def _demand_rows(session: Session, rows) -> list[DemandRow]:
    """The records of ``rows``: tuples in ``list_statements.demand_list_query``'s column order."""
    moment, calendar = now(), get_calendar(session)  # once a page, not once a row
    records = []
    for demand_id, code, title, kind, status, channel, created_at, due_at, topic, enterprise, lead_unit in rows:
        live = status in LIVE_DEMAND_STATUSES
        left, overdue = _days_left(calendar, due_at, moment) if live else ("", False)
        records.append(
            DemandRow(
                id=demand_id,
                code=code,
                title=title,
                kind=kind,
                topic=topic or "",
                status=status,
                channel=channel,
                enterprise_name=enterprise or "",
                lead_unit=lead_unit or "",
                created_at=format_instant(created_at),
                due_at=format_instant(due_at) if live else "",
                days_left=left,
                overdue=overdue,
            )
        )
    return records


def _order_list_query(*where):
    """The unit's orders with their demand's code, title and enterprise, in one query."""
    return (
        select(
            WorkOrder.id,
            WorkOrder.demand_id,
            WorkOrder.order_role,
            WorkOrder.status,
            WorkOrder.level,
            WorkOrder.sign_due_at,
            WorkOrder.due_at,
            Demand.code,
            Demand.title,
            Enterprise.name.label("enterprise"),
        )
        .join(Demand, Demand.id == WorkOrder.demand_id)
        .outerjoin(Enterprise, Enterprise.id == Demand.enterprise_id)
        .where(*where)
    )


def _order_rows(session: Session, rows) -> list[OrderRow]:
    moment, calendar = now(), get_calendar(session)
    records = []
    for r in rows:
        live = r.status in (W.PENDING_SIGN, W.HANDLING)
        left, overdue = _days_left(calendar, r.due_at, moment) if live else ("", False)
        records.append(
            OrderRow(
                order_id=r.id,
                demand_id=r.demand_id,
                code=r.code,
                title=r.title,
                enterprise_name=r.enterprise or "",
                order_role=r.order_role,
                status=r.status,
                level=r.level,
                sign_due_at=format_instant(r.sign_due_at),
                due_at=format_instant(r.due_at),
                days_left=left,
                overdue=overdue,
            )
        )
    return records


def my_demands(*, actor: Actor, status: str = "", page: int = 1) -> Page:
    """The enterprise's demands, newest first, optionally of one status."""
    if actor.role != Role.ENTERPRISE:
        raise Forbidden()
    names, params = ("enterprise_id",), {"enterprise_id": actor.enterprise_id}
    if status in DEMAND_STATUSES:
        names, params["status"] = (*names, "status"), status
    with session_scope() as session:
        return demand_page(session, names, params, page, _demand_rows, order="newest")


def dispatch_queue(*, actor: Actor, status: str, page: int = 1) -> Page:
    """待受理 or 退回待派, oldest first."""
    if actor.role != Role.DISPATCHER:
        raise Forbidden()
    status = status if status in (S.SUBMITTED, S.RETURNED) else S.SUBMITTED
    with session_scope() as session:
        return demand_page(session, ("status",), {"status": status}, page, _demand_rows, order="oldest")


def unit_orders(*, actor: Actor, tab: str, page: int = 1) -> Page:
    """The handler's unit's work orders in one tab, most urgent first."""
    if actor.role != Role.HANDLER or not actor.unit_id:
        raise Forbidden()
    statuses = ORDER_TABS.get(tab, ORDER_TABS["待签收"])
    with session_scope() as session:
        where = [WorkOrder.unit_id == actor.unit_id, WorkOrder.status.in_(statuses)]
        query = _order_list_query(*where).order_by(WorkOrder.due_at, WorkOrder.id)
        count = select(func.count()).select_from(WorkOrder).where(*where)
        return paginate(session, query, count, page, _order_rows)


def order_tab_counts(*, actor: Actor) -> dict[str, int]:
    """How many of the unit's orders each tab holds."""
    if actor.role != Role.HANDLER:
        raise Forbidden()
    with session_scope() as session:
        rows = session.exec(
            select(WorkOrder.status, func.count()).where(WorkOrder.unit_id == actor.unit_id).group_by(WorkOrder.status)
        ).all()
    by_status = dict(rows)
    return {tab: sum(by_status.get(s, 0) for s in statuses) for tab, statuses in ORDER_TABS.items()}


class SearchFilters(TypedDict, total=False):
    code: str
    enterprise: str
    keyword: str
    status: str
    unit_id: str
    date_from: str
    date_to: str
    channel: str
    overdue_only: bool


# A search may reach back to 2000 and forward to the end of next year; any other date in a filter is
# ignored rather than handed to the database (DESIGN §8: every client date is bounded).
EARLIEST_SEARCH_DAY = date(2000, 1, 1)


def _day(raw) -> date | None:
    day = parse_day(raw)
    latest = date(now().year + 1, 12, 31)
    return day if day is not None and EARLIEST_SEARCH_DAY <= day <= latest else None


def _filter_conditions(actor: Actor, filters: SearchFilters) -> tuple[tuple[str, ...], dict]:
    """The conditions (by name, ``list_statements.CONDITIONS``) and their values that need no database
    round trip, but the status and the keyword (see ``search_demands``)."""
    params = {}
    if code := (filters.get("code") or "").strip().upper():
        params["code_prefix"] = f"{code}%"
    if (channel := filters.get("channel") or "") in CHANNELS:
        params["channel"] = channel
    if unit_id := parse_id(filters.get("unit_id")):
        params["unit_id"] = unit_id
    if day := _day(filters.get("date_from")):
        params["created_from"] = datetime.combine(day, dtime.min, tzinfo=local_zone())
    if day := _day(filters.get("date_to")):
        params["created_before"] = datetime.combine(day + timedelta(days=1), dtime.min, tzinfo=local_zone())
    names = tuple(params)
    if filters.get("overdue_only") is True:
        names, params["moment"] = (*names, "overdue"), now()
    if actor.role == Role.HANDLER:
        names, params["actor_unit_id"] = (*names, "actor_unit_id"), actor.unit_id
    if name := (filters.get("enterprise") or "").strip():
        names, params["enterprise_name"] = (*names, "enterprise_name"), name
    return names, params


def search_demands(*, actor: Actor, filters: SearchFilters, page: int = 1) -> Page:
    """Staff search, newest first. Handlers only find demands their unit has an order on."""
    if actor.role not in (Role.DISPATCHER, Role.HANDLER, Role.LEADER):
        raise Forbidden()
    keyword = (filters.get("keyword") or "").strip()[:100]
    names, params = _filter_conditions(actor, filters)
    with session_scope() as session:
        dialect = session.get_bind().dialect.name
        extra = ()
        if keyword:
            # Full-text over bigram tokens (DESIGN §9): 2-character words match, terms are ANDed.
            condition = fulltext_condition(Demand.id, keyword, dialect, "demand_fts", "demand.search_tsv")
            extra = (condition if condition is not None else Demand.id.is_(None),)
        count_names = names
        if (status := filters.get("status") or "") in DEMAND_STATUSES:
            # Counting a keyword within a status, PostgreSQL ANDs the full-text bitmap with the status
            # index's (a quarter of the table: 50 ms at 1 M demands). ``status || ''`` cannot use that
            # index, so the count reads the full-text matches alone until it has 1 001 (≈ 20 ms). The page
            # keeps the plain test: with its true selectivity the planner walks the primary key backwards.
            unindexed = bool(keyword) and dialect == "postgresql"
            count_names = (*names, "status_unindexed" if unindexed else "status")
            names, params["status"] = (*names, "status"), status
        # Newest first: by (created_at, id) through its index, or by id alone for a keyword search — the
        # full-text matches come as ids, and walking the primary key (SQLite: the covering (status, id)
        # index) backwards stops at the 20th match instead of sorting every match by time. Both orders
        # agree: a demand's created_at is set when its row is inserted.
        order = "newest_by_id" if keyword else "newest"
        return demand_page(
            session, names, params, page, _demand_rows, order=order, count_names=count_names, extra=extra
        )
