"""The demand lists' statements, built once per shape and kept (issue #25 item 5).

A page turn used to build its SELECT and its capped count anew, so SQLAlchemy derived a cache key from
the new objects before it found their compiled form, and ran them through the ORM: about half of the
service's CPU (``bench/profile_list_handler.py``). What a list's statements look like depends only on
which filters are present and on its order, so each such shape is built once with a named bound parameter
for every value (the page's offset too). The kept statement objects memoise their cache key, and they run
as Core on the session's connection: rows come back as tuples, never as ORM results."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Integer, and_, bindparam
from sqlmodel import Session, select

from portal.models.enums import DemandStatus as S
from portal.models.records.common import Page
from portal.models.tables import Demand, Enterprise, Topic, Unit, WorkOrder
from portal.services.base.paging import PAGE_SIZE, capped_count, counted, page_number, page_of

LIVE_DEMAND_STATUSES = (S.DISPATCHED, S.HANDLING, S.REDO)


def _on_units_orders(parameter: str):
    return Demand.id.in_(select(WorkOrder.demand_id).where(WorkOrder.unit_id == bindparam(parameter)))


# Each condition a list may have, its values bound by name: the parameter of the same name (``moment`` for
# overdue_only). ``status_unindexed`` is the status test PostgreSQL cannot read through the status index.
CONDITIONS = {
    "enterprise_id": lambda: Demand.enterprise_id == bindparam("enterprise_id"),
    "status": lambda: Demand.status == bindparam("status"),
    "status_unindexed": lambda: Demand.status + "" == bindparam("status"),
    "code_prefix": lambda: Demand.code.like(bindparam("code_prefix")),
    "channel": lambda: Demand.channel == bindparam("channel"),
    "unit_id": lambda: _on_units_orders("unit_id"),
    "created_from": lambda: Demand.created_at >= bindparam("created_from"),
    "created_before": lambda: Demand.created_at < bindparam("created_before"),
    "overdue": lambda: and_(Demand.status.in_(LIVE_DEMAND_STATUSES), Demand.due_at < bindparam("moment")),
    "actor_unit_id": lambda: _on_units_orders("actor_unit_id"),
    "enterprise_name": lambda: Demand.enterprise_id.in_(
        select(Enterprise.id).where(Enterprise.name.contains(bindparam("enterprise_name")))
    ),
}

ORDERS = {
    "newest": (Demand.created_at.desc(), Demand.id.desc()),
    "newest_by_id": (Demand.id.desc(),),
    "oldest": (Demand.created_at, Demand.id),
}


def demand_list_query(*where):
    """One query per page: only the columns a row shows, the names joined in (no ORM objects, no N+1)."""
    return (
        select(
            Demand.id,
            Demand.code,
            Demand.title,
            Demand.kind,
            Demand.status,
            Demand.channel,
            Demand.created_at,
            Demand.due_at,
            Topic.name.label("topic"),
            Enterprise.name.label("enterprise"),
            Unit.name.label("lead_unit"),
        )
        .outerjoin(Topic, Topic.id == Demand.topic_id)
        .outerjoin(Enterprise, Enterprise.id == Demand.enterprise_id)
        .outerjoin(Unit, Unit.id == Demand.lead_unit_id)
        .where(*where)
    )


def _statements(names: tuple[str, ...], count_names: tuple[str, ...], order: str, extra: tuple = ()):
    """(one page, the capped count) for the named conditions plus ``extra`` ones (built per call)."""
    where = [*(CONDITIONS[name]() for name in names), *extra]
    count_where = [*(CONDITIONS[name]() for name in count_names), *extra]
    page = demand_list_query(*where).order_by(*ORDERS[order])
    page = page.limit(PAGE_SIZE).offset(bindparam("page_offset", type_=Integer))
    return page, capped_count(Demand.id, *count_where)


# Shapes are few (which of a dozen filters are present, three orders); a full cache costs a few MB at most.
_kept_statements = lru_cache(maxsize=1024)(_statements)


def demand_page(
    session: Session,
    names: tuple[str, ...],
    params: dict,
    page,
    to_rows,
    *,
    order: str,
    count_names: tuple[str, ...] | None = None,
    extra: tuple = (),
) -> Page:
    """One page of demands meeting the named conditions (values in ``params``) and ``extra`` ones, in
    ``order``, with the capped count (over ``count_names`` if given). Statements without ``extra``
    conditions (a full-text match, whose text is part of the statement) are built once and kept."""
    count_names = names if count_names is None else count_names
    if extra:
        page_query, count_query = _statements(names, count_names, order, extra)
    else:
        page_query, count_query = _kept_statements(names, count_names, order)
    number = page_number(page)
    # On PostgreSQL the two reads run in autocommit: they need no transaction of their own (under READ
    # COMMITTED each statement has its own snapshot anyway), and the BEGIN and COMMIT round trips go
    # (measured: ~0.1 ms CPU and ~10 % of the wall time less a page). On SQLite, where a SELECT opens no
    # transaction, switching the connection's mode and back costs more than it saves.
    autocommit = session.get_bind().dialect.name == "postgresql"
    connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"} if autocommit else None)
    if extra:  # a full-text match: its GIN bitmap is built whole before counting (paging.counted)
        total = counted(session, page_query, count_query, params=params, connection=connection)
    else:  # an index walk that stops at the cap: cheaper than asking the planner first
        total = connection.execute(count_query, params).scalar_one()
    rows = connection.execute(page_query, {**params, "page_offset": (number - 1) * PAGE_SIZE}).all()
    return page_of(to_rows(session, rows), total, number)
