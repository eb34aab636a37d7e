"""The demand lists' statements, built once per shape and kept (issue #25 item 5).

A page turn used to build its SELECT and its capped count anew, so SQLAlchemy derived a cache key from
the new objects before it found their compiled form, and ran them through the ORM: about half of the
service's CPU (``bench/profile_list_handler.py``). What a list's statements look like depends only on
which filters are present and on its order, so each such shape is built once with a named bound parameter
for every value (the page's offset too). The kept statement objects memoise their cache key, and they run
as Core on the session's connection: rows come back as tuples, never as ORM results.

On PostgreSQL a page is one round trip: the capped count LEFT JOIN LATERAL the page, so every row carries
the count and an empty page still brings one row with it; the kept form runs on the driver's connection
(``core.db.DriverStatement``). The driver's CPU for a second round trip, and SQLAlchemy's execution of
each, were most of the service's time there."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Integer, and_, bindparam, true
from sqlmodel import Session, select

from portal.core.db import DriverStatement
from portal.models.enums import DemandStatus as S
from portal.models.records.common import Page
from portal.models.tables import Demand, Enterprise, Topic, Unit, WorkOrder
from portal.services.base.paging import (
    COUNT_CAP,
    PAGE_SIZE,
    capped_count,
    counted,
    page_number,
    page_of,
    planner_expects_too_many,
)

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

# Each order as (column name, descending?): the page sorts by the table's columns, the one-trip statement
# again by the page's (a join's output has no order of its own).
ORDERS = {
    "newest": (("created_at", True), ("id", True)),
    "newest_by_id": (("id", True),),
    "oldest": (("created_at", False), ("id", False)),
}


def _ordered(columns, order: str) -> list:
    return [columns[name].desc() if descending else columns[name] for name, descending in ORDERS[order]]


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
    page = demand_list_query(*where).order_by(*_ordered(Demand.__table__.c, order))
    page = page.limit(PAGE_SIZE).offset(bindparam("page_offset", type_=Integer))
    return page, capped_count(Demand.id, *count_where)


def _one_trip(page, count, order: str):
    """(the capped count, *the page's columns) for each row of the page, one row of (count, NULLs…) for an
    empty page. The page's subquery takes no value from the count's: PostgreSQL plans both as they were."""
    capped = count.subquery("capped")
    rows = page.subquery("page").lateral("page")
    return select(*capped.c, *rows.c).select_from(capped.outerjoin(rows, true())).order_by(*_ordered(rows.c, order))


# Shapes are few (which of a dozen filters are present, three orders); a full cache costs a few MB at most.
_kept_statements = lru_cache(maxsize=1024)(_statements)


@lru_cache(maxsize=1024)
def _kept_one_trip(names: tuple[str, ...], count_names: tuple[str, ...], order: str, dialect) -> DriverStatement:
    return DriverStatement(_one_trip(*_statements(names, count_names, order), order), dialect)


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
    number = page_number(page)
    params = {**params, "page_offset": (number - 1) * PAGE_SIZE}
    if session.get_bind().dialect.name != "postgresql":
        return _two_trips(session, names, count_names, params, number, to_rows, order=order, extra=extra)
    # The read runs in autocommit: it needs no transaction of its own (under READ COMMITTED each statement
    # has its own snapshot anyway), and the BEGIN and COMMIT round trips go.
    connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    if not extra:
        rows = _kept_one_trip(names, count_names, order, connection.dialect).rows(connection, params)
    else:
        page_query, count_query = _statements(names, count_names, order, extra)
        # A full-text match: its GIN bitmap is built whole before counting, so the planner is asked first
        # (paging.counted) and a count it expects to pass far beyond the cap is not run.
        if planner_expects_too_many(session, page_query, params, connection):
            rows = connection.execute(page_query, params).all()
            return page_of(to_rows(session, rows), COUNT_CAP + 1, number)
        rows = connection.execute(_one_trip(page_query, count_query, order), params).all()
    total = rows[0][0]
    return page_of(to_rows(session, [row[1:] for row in rows if row[1] is not None]), total, number)


def _two_trips(session: Session, names, count_names, params: dict, number: int, to_rows, *, order, extra) -> Page:
    """SQLite: the capped count, then the page (no round trips to save; on SQLite switching the connection
    to autocommit and back costs more than a SELECT's implicit transaction)."""
    if extra:
        page_query, count_query = _statements(names, count_names, order, extra)
    else:
        page_query, count_query = _kept_statements(names, count_names, order)
    connection = session.connection()
    if extra:
        total = counted(session, page_query, count_query, params=params, connection=connection)
    else:  # an index walk that stops at the cap: cheaper than asking the planner first
        total = connection.execute(count_query, params).scalar_one()
    rows = connection.execute(page_query, params).all()
    return page_of(to_rows(session, rows), total, number)
