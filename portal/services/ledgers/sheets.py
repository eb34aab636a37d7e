"""The ledgers of seed 001 (附件 2–5, DESIGN §5; and the 需求计划台账 of seed 000) as rows; ``writers`` turns
them into files (.xlsx, CSV with BOM).

Each ledger has exactly the seed's columns, in its order, under the seed's title and header line (提报单位,
提报时间); to the right, three columns the portal adds so that a row can be traced and re-imported:
诉求编号, 统一社会信用代码 (both always text) and the row's date (a real date). Rows are read in chunks of
``CHUNK`` demands by id, so an export of 100 000 rows holds one chunk in memory; the .xlsx is written by
openpyxl's write-only workbook, which streams rows to disk.

Every text cell is text, the title, 提报 line, column names and footnote included: an .xlsx cell
beginning with = + - @ is stored as a string, never a formula; a CSV cell beginning with one of them (or
a tab / carriage return) gets a leading apostrophe, so a spreadsheet opening the CSV does not evaluate it
(OWASP CSV injection). The .xlsx drops the control characters it cannot hold (a row stored before text
was cleaned on the way in must not fail the file).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from sqlalchemy import DateTime, Row, bindparam, exists, func, literal_column, type_coerce
from sqlmodel import Session, select

from portal.core.dates import parse_day
from portal.core.db import one_of
from portal.core.formatting import local_zone
from portal.core.ids import parse_id
from portal.models.enums import DemandStatus as S
from portal.models.enums import OrderRole, Role
from portal.models.tables import Demand, Enterprise, Rating, Rectification, Unit, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.errors import Forbidden

CHUNK = 1000
EXTRA_COLUMNS = ("诉求编号", "统一社会信用代码")


@dataclass(frozen=True)
class Ledger:
    key: str
    title: str
    columns: tuple[str, ...]
    date_column: str
    header_line: bool = True  # 提报单位 / 提报时间 above the table
    footnote: str = ""
    widths: tuple[int, ...] = ()


LEDGERS: dict[str, Ledger] = {
    ledger.key: ledger
    for ledger in (
        Ledger(
            "problems",
            "企业发展、项目建设问题台账",
            ("序号", "企业名称", "存在问题、困难、诉求描述", "建议解决部门", "企业联系人及联系方式", "备注"),
            "登记日期",
            footnote="问题描述应符合政策要求,简明、准确。",
            widths=(6, 28, 60, 22, 24, 24),
        ),
        Ledger(
            "transfers",
            "企业发展、项目建设问题转办清单",
            ("序号", "企业名称", "诉求描述", "企业联系人及联系方式", "承办单位"),
            "派单日期",
            header_line=False,
            widths=(6, 28, 60, 24, 36),
        ),
        Ledger(
            "feedback",
            "企业发展、项目建设问题解决反馈表",
            ("序号", "企业名称", "诉求描述", "是否解决", "解决方式", "所属镇街(部门)", "联系人及联系方式", "备注"),
            "反馈日期",
            widths=(6, 28, 50, 10, 50, 22, 24, 16),
        ),
        Ledger(
            "satisfaction",
            "企业发展、项目建设问题解决情况满意度评价表",
            ("序号", "问题描述", "解决情况", "解决部门", "满意度评价", "意见建议", "差评整改"),
            "评价日期",
            footnote="满意度评价:1.非常满意 2.满意 3.基本满意 4.不满意 5.非常不满意(4、5为差评,转差评整改)",
            widths=(6, 50, 50, 22, 16, 40, 40),
        ),
        # Seed 000's 需求计划台账: the demands from visits and meetings that carry a 计划周期 (issue #22).
        Ledger(
            "plans",
            "需求计划台账",
            ("序号", "企业名称", "需求描述", "计划周期", "来源渠道", "办理状态", "承办单位"),
            "登记日期",
            widths=(6, 28, 50, 10, 12, 10, 24),
        ),
    )
}
LEDGER_CHOICES = [(ledger.key, ledger.title) for ledger in LEDGERS.values()]


@dataclass
class ExportFilters:
    """What to export: demands received in [date_from, date_to], with an order for ``unit_id``, from
    enterprises of the 镇街 ``town_id``, in ``status``. Client text; ``scoped`` checks it."""

    date_from: str = ""
    date_to: str = ""
    unit_id: str = ""
    town_id: str = ""
    status: str = ""


@dataclass
class Scope:
    """The checked filters and who may see what (a handler: only its own unit's demands)."""

    day_from: date | None = None
    day_to: date | None = None
    unit_id: int | None = None
    town_id: int | None = None
    status: str = ""
    conditions: list = field(default_factory=list)


def scoped(actor: Actor, filters: ExportFilters) -> Scope:
    """The filters checked, plus the viewer's scope. Enterprises and admins export nothing."""
    if actor.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER):
        raise Forbidden("无权导出台账")
    scope = Scope(
        day_from=parse_day(filters.date_from),
        day_to=parse_day(filters.date_to),
        unit_id=parse_id(filters.unit_id),
        town_id=parse_id(filters.town_id),
        status=filters.status if filters.status in {s.value for s in S} else "",
    )
    if actor.role == Role.HANDLER:
        if scope.unit_id not in (None, actor.unit_id):
            raise Forbidden("承办单位只能导出本单位的台账")
        scope.unit_id = actor.unit_id
    zone = local_zone()
    if scope.day_from:
        scope.conditions.append(Demand.created_at >= datetime.combine(scope.day_from, dtime.min, tzinfo=zone))
    if scope.day_to:
        end = datetime.combine(scope.day_to + timedelta(days=1), dtime.min, tzinfo=zone)
        scope.conditions.append(Demand.created_at < end)
    if scope.unit_id:
        scope.conditions.append(Demand.id.in_(select(WorkOrder.demand_id).where(WorkOrder.unit_id == scope.unit_id)))
    if scope.town_id:
        scope.conditions.append(
            Demand.enterprise_id.in_(select(Enterprise.id).where(Enterprise.town_unit_id == scope.town_id))
        )
    if scope.status:
        scope.conditions.append(Demand.status == scope.status)
    return scope


def _ledger_conditions(ledger: Ledger, after_id: int = 0) -> list:
    """Which demands belong on the ledger: all (问题台账), dispatched ones, answered ones, rated ones."""
    if ledger.key == "transfers":
        return [Demand.lead_unit_id.is_not(None)]
    # EXISTS per demand through the demand_id indexes: walking demands by id, a chunk costs its own rows
    # (an IN over every answered order was a scan of work_order per chunk). The repeated ``> after_id``
    # lets PostgreSQL's merge semi-join start at the chunk: without it every chunk read the index from the
    # start (14 ms instead of 1.4 ms a chunk at 30 000 rows, growing with the table).
    if ledger.key == "feedback":
        answered = (
            WorkOrder.demand_id == Demand.id,
            WorkOrder.demand_id > after_id,
            WorkOrder.feedback_at.is_not(None),
        )
        return [exists().where(*answered)]
    if ledger.key == "satisfaction":
        return [exists().where(Rating.demand_id == Demand.id, Rating.demand_id > after_id)]
    if ledger.key == "plans":
        return [Demand.plan_horizon.is_not(None)]
    return []


def count_rows(session: Session, ledger: Ledger, scope: Scope) -> int:
    where = [*scope.conditions, *_ledger_conditions(ledger)]
    return session.exec(select(func.count()).select_from(Demand).where(*where)).one()


@dataclass
class _Chunk:
    """What one chunk of demands needs besides the demand rows: unit names and the latest order and rating."""

    units: dict[int, Unit]
    lead: dict[int, Row] = field(default_factory=dict)
    co_units: dict[int, list[str]] = field(default_factory=dict)
    rating: dict[int, Row] = field(default_factory=dict)
    rectification: dict[int, Row] = field(default_factory=dict)


def _stored(column):
    """A time column read as the database stores it, without the UTC type's per-value conversion (three or
    four per row, a quarter of an export's CPU); ``_local_day`` converts the one date a row shows."""
    return type_coerce(column, DateTime(timezone=True)).label(column.key)


# Plain rows of the columns a ledger shows, not ORM objects: building 300 000 objects was most of an
# export's time (measured with cProfile on 100 000 rows). The enterprise's name and credit code are joined in.
_DEMAND_COLUMNS = (
    Demand.id,
    Demand.code,
    Demand.title,
    Demand.content,
    Demand.contact_name,
    Demand.contact_phone,
    Demand.status,
    Demand.channel,
    Demand.suggested_unit_id,
    Demand.lead_unit_id,
    _stored(Demand.created_at),
    Demand.plan_horizon,
    Enterprise.name.label("enterprise_name"),
    Enterprise.credit_code,
)
_ORDER_COLUMNS = (
    WorkOrder.demand_id,
    WorkOrder.unit_id,
    WorkOrder.order_role,
    WorkOrder.reply_content,
    _stored(WorkOrder.dispatched_at),
    _stored(WorkOrder.feedback_at),
)


def _in_chunk(session: Session, column, ids: list[int]):
    """``column`` is one of the chunk's demand ids, given as ONE parameter (PostgreSQL ``= ANY(:ids)`` through
    ``core.db.one_of``, SQLite ``IN (SELECT value FROM json_each(:ids))``): a list of 1 000 bound ids cost more to
    expand and parse (SQLAlchemy's expanding IN, psycopg's query split) than the rows cost to read, and a subquery
    of the chunk made PostgreSQL's planner scan the whole order table for every chunk."""
    if session.get_bind().dialect.name == "postgresql":
        return one_of(session, column, ids)
    listed = select(literal_column("value")).select_from(func.json_each(bindparam("chunk_ids", value=json.dumps(ids))))
    return column.in_(listed)


def _load_chunk(session: Session, ledger: Ledger, ids: list[int], units: dict[int, Unit]) -> _Chunk:
    """What the ledger shows of the chunk's orders and ratings (问题台账: neither)."""
    chunk = _Chunk(units=units)
    if ledger.key in ("problems", "plans"):
        return chunk
    for order in session.exec(
        select(*_ORDER_COLUMNS).where(_in_chunk(session, WorkOrder.demand_id, ids)).order_by(WorkOrder.id)
    ):
        if order.order_role == OrderRole.LEAD:
            chunk.lead[order.demand_id] = order  # the latest lead order wins
        else:
            name = units[order.unit_id].name if order.unit_id in units else ""
            chunk.co_units.setdefault(order.demand_id, [])
            if name not in chunk.co_units[order.demand_id]:
                chunk.co_units[order.demand_id].append(name)
    if ledger.key != "satisfaction":
        return chunk
    ratings = select(Rating.demand_id, Rating.satisfaction, Rating.comment, _stored(Rating.created_at), Rating.excluded)
    for rating in session.exec(ratings.where(_in_chunk(session, Rating.demand_id, ids)).order_by(Rating.id)):
        chunk.rating[rating.demand_id] = rating
    cases = select(Rectification.demand_id, Rectification.status, Rectification.report, Rectification.rerating)
    for case in session.exec(cases.where(_in_chunk(session, Rectification.demand_id, ids)).order_by(Rectification.id)):
        chunk.rectification[case.demand_id] = case
    return chunk


def _rectified(case: Row | None) -> str:
    """差评整改: the case's status, the 整改情况 and the re-rating."""
    if case is None:
        return ""
    return ";".join(p for p in (case.status, case.report, f"再评价:{case.rerating}" if case.rerating else "") if p)


def _local_day(moment: datetime | None) -> date | None:
    """The local date of a stored instant (SQLite stores UTC without a zone, PostgreSQL returns it aware)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(local_zone()).date()


def _solved(demand: Row) -> str:
    if demand.status == S.CLOSED:
        return "是"
    if demand.status == S.FEEDBACK:
        return "已答复,待评价"
    return "否"


def _row(ledger: Ledger, demand: Row, chunk: _Chunk) -> tuple[list, date | None]:
    """The seed's columns for one demand, and the date the appended date column shows."""
    name = demand.enterprise_name or ""
    described = f"{demand.title}:{demand.content}"
    contact = f"{demand.contact_name} {demand.contact_phone}"
    lead = chunk.lead.get(demand.id)
    lead_unit = chunk.units.get(demand.lead_unit_id) if demand.lead_unit_id else None
    lead_name = lead_unit.name if lead_unit else ""
    reply = lead.reply_content if lead else ""
    if ledger.key == "problems":
        suggested = chunk.units.get(demand.suggested_unit_id) if demand.suggested_unit_id else None
        remark = f"{demand.status};{demand.channel}"
        return [name, described, suggested.name if suggested else "", contact, remark], _local_day(demand.created_at)
    if ledger.key == "plans":
        row = [name, described, demand.plan_horizon, demand.channel, demand.status, lead_name]
        return row, _local_day(demand.created_at)
    if ledger.key == "transfers":
        co = chunk.co_units.get(demand.id, [])
        handled_by = f"主办:{lead_name}" + (f";协办:{'、'.join(co)}" if co else "")
        return [name, described, contact, handled_by], _local_day(lead.dispatched_at if lead else None)
    if ledger.key == "feedback":
        unit_contact = f"{lead_unit.contact_name} {lead_unit.contact_phone}".strip() if lead_unit else ""
        row = [name, described, _solved(demand), reply, lead_name, unit_contact, demand.status]
        return row, _local_day(lead.feedback_at if lead else None)
    rating = chunk.rating.get(demand.id)
    level = (rating.satisfaction + ("(申诉成立,不计入满意率)" if rating.excluded else "")) if rating else ""
    row = [
        described,
        reply,
        lead_name,
        level,
        rating.comment if rating else "",
        _rectified(chunk.rectification.get(demand.id)),
    ]
    return row, _local_day(rating.created_at if rating else None)


def ledger_rows(session: Session, ledger: Ledger, scope: Scope) -> Iterator[tuple[list, str, str, date | None]]:
    """(the seed's columns after 序号, demand code, credit code, date) for every row, oldest first."""
    units = {u.id: u for u in session.exec(select(Unit))}
    last_id = 0
    while True:
        where = [*scope.conditions, *_ledger_conditions(ledger, last_id), Demand.id > last_id]
        query = select(*_DEMAND_COLUMNS).outerjoin(Enterprise, Enterprise.id == Demand.enterprise_id)
        demands = session.exec(query.where(*where).order_by(Demand.id).limit(CHUNK)).all()
        if not demands:
            return
        chunk = _load_chunk(session, ledger, [d.id for d in demands], units)
        for demand in demands:
            row, day = _row(ledger, demand, chunk)
            yield row, demand.code, demand.credit_code or "", day
        last_id = demands[-1].id
