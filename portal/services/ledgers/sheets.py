"""The ledgers of seed 001 (附件 2–5, DESIGN §5; and the 需求计划台账 of seed 000) as rows; ``writers`` turns
them into files (.xlsx, CSV with BOM).

Each ledger has exactly the seed's columns, in its order, under the seed's title and header line (提报单位,
提报时间); to the right, three columns the portal adds so that a row can be traced and re-imported:
诉求编号, 统一社会信用代码 (both always text) and the row's date (a real date). Rows come from one statement
per export, streamed ``CHUNK`` rows at a time, so an export of 100 000 rows holds one chunk in memory; the
.xlsx is written by openpyxl's write-only workbook, which streams rows to disk.

Every text cell is text, the title, 提报 line, column names and footnote included: an .xlsx cell
beginning with = + - @ is stored as a string, never a formula; a CSV cell beginning with one of them (or
a tab / carriage return) gets a leading apostrophe, so a spreadsheet opening the CSV does not evaluate it
(OWASP CSV injection). The .xlsx drops the control characters it cannot hold (a row stored before text
was cleaned on the way in must not fail the file).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from sqlalchemy import DateTime, Row, bindparam, exists, func, literal_column, type_coerce
from sqlalchemy.orm import aliased
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


def _ledger_conditions(ledger: Ledger) -> list:
    """Which demands belong on the ledger: all (问题台账), dispatched ones, answered ones, rated ones."""
    if ledger.key == "transfers":
        return [Demand.lead_unit_id.is_not(None)]
    if ledger.key == "feedback":  # EXISTS per demand through the demand_id index
        return [exists().where(WorkOrder.demand_id == Demand.id, WorkOrder.feedback_at.is_not(None))]
    if ledger.key == "satisfaction":
        return [exists().where(Rating.demand_id == Demand.id)]
    if ledger.key == "plans":
        return [Demand.plan_horizon.is_not(None)]
    return []


def count_rows(session: Session, ledger: Ledger, scope: Scope) -> int:
    where = [*scope.conditions, *_ledger_conditions(ledger)]
    return session.exec(select(func.count()).select_from(Demand).where(*where)).one()


def _stored(column, label: str | None = None):
    """A time column read as the database stores it, without the UTC type's per-value conversion;
    ``_LocalDay`` converts the one date a row shows."""
    return type_coerce(column, DateTime(timezone=True)).label(label or column.key)


def _latest(model, *where):
    """The id of the demand's latest ``model`` row (highest id), correlated: one index probe per demand."""
    return select(func.max(model.id)).where(model.demand_id == Demand.id, *where).correlate(Demand).scalar_subquery()


_LEAD = aliased(WorkOrder, name="lead_order")
_RATING = aliased(Rating, name="latest_rating")
_CASE = aliased(Rectification, name="latest_case")
_NAME = func.coalesce(Enterprise.name, "")
_DESCRIBED = Demand.title + ":" + Demand.content
_CONTACT = Demand.contact_name + " " + Demand.contact_phone
_CODES = (Demand.code, func.coalesce(Enterprise.credit_code, ""))
_REPLY = func.coalesce(_LEAD.reply_content, "")

# Per ledger, the row's cells as the database gives them, the last being the instant whose local date the
# date column shows. Text is concatenated and the latest lead order, rating and 整改 case joined in SQL; what
# Python adds per row (``_shape``) is unit names and contacts from a dict and the date.
_SELECTED = {
    "problems": (_NAME, _DESCRIBED, Demand.suggested_unit_id, _CONTACT, Demand.status + ";" + Demand.channel,
                 *_CODES, _stored(Demand.created_at)),
    "plans": (_NAME, _DESCRIBED, Demand.plan_horizon, Demand.channel, Demand.status, Demand.lead_unit_id,
              *_CODES, _stored(Demand.created_at)),
    "transfers": (_NAME, _DESCRIBED, _CONTACT, Demand.lead_unit_id, *_CODES, _stored(_LEAD.dispatched_at, "at")),
    "feedback": (_NAME, _DESCRIBED, Demand.status, _REPLY, Demand.lead_unit_id, *_CODES,
                 _stored(_LEAD.feedback_at, "at")),
    "satisfaction": (_DESCRIBED, _REPLY, Demand.lead_unit_id, _RATING.satisfaction, _RATING.excluded,
                     _RATING.comment, _CASE.status, _CASE.report, _CASE.rerating, *_CODES,
                     _stored(_RATING.created_at, "at")),
}  # fmt: skip


def _ledger_query(ledger: Ledger, scope: Scope):
    """Every row of the ledger in one statement, oldest demand first."""
    query = select(Demand.id, *_SELECTED[ledger.key]).outerjoin(Enterprise, Enterprise.id == Demand.enterprise_id)
    if ledger.key in ("transfers", "feedback", "satisfaction"):
        query = query.outerjoin(_LEAD, _LEAD.id == _latest(WorkOrder, WorkOrder.order_role == OrderRole.LEAD))
    if ledger.key == "satisfaction":  # a rated demand: its latest rating (the inner join is the ledger's condition)
        query = query.join(_RATING, _RATING.id == _latest(Rating)).outerjoin(_CASE, _CASE.id == _latest(Rectification))
        return query.where(*scope.conditions).order_by(Demand.id)
    return query.where(*scope.conditions, *_ledger_conditions(ledger)).order_by(Demand.id)


def _in_chunk(session: Session, column, ids: list[int]):
    """``column`` is one of the chunk's demand ids, given as ONE parameter (PostgreSQL ``= ANY(:ids)`` through
    ``core.db.one_of``, SQLite ``IN (SELECT value FROM json_each(:ids))``): a list of 1 000 bound ids cost more to
    expand and parse (SQLAlchemy's expanding IN, psycopg's query split) than the rows cost to read."""
    if session.get_bind().dialect.name == "postgresql":
        return one_of(session, column, ids)
    listed = select(literal_column("value")).select_from(func.json_each(bindparam("chunk_ids", value=json.dumps(ids))))
    return column.in_(listed)


def _co_units(session: Session, ids: list[int], names: dict[int | None, str]) -> dict[int, str]:
    """转办清单: each demand's co-units (协办), named once each in order of their orders."""
    listed: dict[int, list[str]] = {}
    query = select(WorkOrder.demand_id, WorkOrder.unit_id).where(
        _in_chunk(session, WorkOrder.demand_id, ids), WorkOrder.order_role != OrderRole.LEAD
    )
    for demand_id, unit_id in session.exec(query.order_by(WorkOrder.id)):
        co = listed.setdefault(demand_id, [])
        if (name := names.get(unit_id, "")) not in co:
            co.append(name)
    return {demand_id: ";协办:" + "、".join(co) for demand_id, co in listed.items()}


class _LocalDay:
    """The local date of a stored instant (SQLite stores UTC without a zone, PostgreSQL returns it aware); the
    zone looked up once per export, not per row."""

    def __init__(self) -> None:
        self.zone = local_zone()

    def __call__(self, moment: datetime | None) -> date | None:
        if moment is None:
            return None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(self.zone).date()


_SOLVED = {S.CLOSED.value: "是", S.FEEDBACK.value: "已答复,待评价"}  # any other status: 否


def _shape(ledger: Ledger, names: dict, contacts: dict, co_units: dict, day) -> Callable[[Row], tuple]:
    """The function turning one selected row into (the row's text cells after 序号, its date)."""
    if ledger.key == "problems":
        return lambda r: ((r[1], r[2], names.get(r[3], ""), r[4], r[5], r[6], r[7]), day(r[8]))
    if ledger.key == "plans":
        return lambda r: ((r[1], r[2], r[3], r[4], r[5], names.get(r[6], ""), r[7], r[8]), day(r[9]))
    if ledger.key == "transfers":
        return lambda r: (
            (r[1], r[2], r[3], "主办:" + names.get(r[4], "") + co_units.get(r[0], ""), r[5], r[6]),
            day(r[7]),
        )
    if ledger.key == "feedback":
        return lambda r: (
            (r[1], r[2], _SOLVED.get(r[3], "否"), r[4], names.get(r[5], ""), contacts.get(r[5], ""), r[3], r[6], r[7]),
            day(r[8]),
        )

    def rated(r: Row) -> tuple:
        level = r[4] + "(申诉成立,不计入满意率)" if r[5] else r[4]
        case = ";".join(p for p in (r[7], r[8], f"再评价:{r[9]}" if r[9] else "") if p) if r[7] is not None else ""
        return (r[1], r[2], names.get(r[3], ""), level, r[6], case, r[10], r[11]), day(r[12])

    return rated


def ledger_rows(session: Session, ledger: Ledger, scope: Scope) -> Iterator[tuple[tuple[str, ...], date | None]]:
    """(the row's text cells after 序号 — the seed's columns, demand code, credit code — and its date) for every
    row, oldest first. One statement streamed ``CHUNK`` rows at a time (a server-side cursor on PostgreSQL;
    SQLite steps its cursor), so an export holds one chunk in memory and pays one query plan, not one a chunk."""
    names: dict[int | None, str] = {}
    contacts: dict[int | None, str] = {}
    for unit in session.exec(select(Unit)):
        names[unit.id] = unit.name
        contacts[unit.id] = f"{unit.contact_name} {unit.contact_phone}".strip()
    co_units: dict[int, str] = {}
    shape = _shape(ledger, names, contacts, co_units, _LocalDay())
    result = session.connection().execute(_ledger_query(ledger, scope).execution_options(yield_per=CHUNK))
    for rows in result.partitions():
        if ledger.key == "transfers":
            co_units.clear()
            co_units.update(_co_units(session, [r[0] for r in rows], names))
        yield from map(shape, rows)
