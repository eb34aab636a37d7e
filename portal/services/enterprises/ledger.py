"""Reading the enterprise file: 企业台账 (search by name, credit code, 镇街, 行业; paged, by name) and one
enterprise's 企业档案 (profile, 1+1+X, notes, its demands, visits, meetings and 需求计划). Dispatchers and
leaders read every enterprise, handlers those of their area (``directory.area_condition``)."""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import exists
from sqlmodel import Session, select

from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_id
from portal.models.enums import INDUSTRIES, Role
from portal.models.records.common import Page
from portal.models.records.enterprises import (
    EnterpriseChoice,
    EnterpriseFile,
    EnterpriseRow,
    FileDemandRow,
    FileMeetingRow,
    FileVisitRow,
)
from portal.models.tables import Demand, Enterprise, Meeting, MeetingEnterprise, Unit, User, Visit, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role
from portal.services.base.paging import capped_count, paginate
from portal.services.base.text import clean_text
from portal.services.enterprises.directory import area_condition, find_enterprises, visible_enterprise
from portal.services.enterprises.registry import may_edit

READ_ROLES = (Role.DISPATCHER, Role.HANDLER, Role.LEADER)
FILE_ROWS = 50  # each section of the file shows the newest 50
SORT_NOTE = "按企业名称排序"


class EnterpriseFilters(TypedDict, total=False):
    name: str
    credit_code: str
    town_unit_id: str
    industry: str


def _has_account():
    return exists().where(User.enterprise_id == Enterprise.id, User.role == Role.ENTERPRISE)


def _conditions(session: Session, actor: Actor, filters: EnterpriseFilters) -> list:
    where = []
    if name := clean_text(filters.get("name") or "", limit=100).replace("%", "").replace("_", ""):
        where.append(Enterprise.name.contains(name))
    if code := clean_text(filters.get("credit_code") or "", limit=18).upper().replace("%", "").replace("_", ""):
        where.append(Enterprise.credit_code.startswith(code))
    if town_id := parse_id(filters.get("town_unit_id")):
        where.append(Enterprise.town_unit_id == town_id)
    if (industry := filters.get("industry") or "") in INDUSTRIES:
        where.append(Enterprise.industry == industry)
    if (area := area_condition(session, actor)) is not None:
        where.append(area)
    return where


def _rows(session: Session, rows) -> list[EnterpriseRow]:
    return [
        EnterpriseRow(
            id=e.id,
            name=e.name,
            credit_code=e.credit_code,
            town_name=town or "",
            industry=e.industry,
            scale=e.scale,
            contact=f"{e.contact_name} {e.contact_phone}",
            account="已注册" if registered else "未注册",
        )
        for e, town, registered in rows
    ]


def search_enterprises(*, actor: Actor, filters: EnterpriseFilters, page: int = 1) -> Page:
    """企业台账: one page of the enterprises of the viewer's area matching ``filters``, by name."""
    require_role(actor, *READ_ROLES)
    with session_scope() as session:
        where = _conditions(session, actor, filters)
        query = (
            select(Enterprise, Unit.name, _has_account().label("registered"))
            .join(Unit, Unit.id == Enterprise.town_unit_id, isouter=True)
            .where(*where)
            .order_by(Enterprise.name, Enterprise.id)
        )
        return paginate(session, query, capped_count(Enterprise.id, *where), page, _rows)


def _names(session: Session, enterprise: Enterprise) -> dict[str, str]:
    town = session.get(Unit, enterprise.town_unit_id) if enterprise.town_unit_id else None
    field = session.get(Unit, enterprise.industry_unit_id) if enterprise.industry_unit_id else None
    person = session.get(User, enterprise.service_user_id) if enterprise.service_user_id else None
    person_unit = session.get(Unit, person.unit_id) if person and person.unit_id else None
    return {
        "town": town.name if town else "",
        "field": field.name if field else "",
        "person": f"{person_unit.name if person_unit else ''}·{person.display_name}" if person else "",
    }


def _demand_rows(session: Session, actor: Actor, enterprise: Enterprise, *where) -> list[FileDemandRow]:
    """The enterprise's demands, newest first. A handler sees those its unit has an order on (it may open
    them) and those its own staff registered (status only), as on every demand list."""
    query = select(Demand).where(Demand.enterprise_id == enterprise.id, *where)
    if actor.role == Role.HANDLER:
        ordered = select(WorkOrder.demand_id).where(WorkOrder.unit_id == actor.unit_id)
        colleagues = select(User.id).where(User.unit_id == actor.unit_id)
        query = query.where(Demand.id.in_(ordered) | Demand.submitted_by_id.in_(colleagues))
    demands = session.exec(query.order_by(Demand.created_at.desc(), Demand.id.desc()).limit(FILE_ROWS)).all()
    linkable: set[int] = set()
    if actor.role == Role.HANDLER and demands:
        linkable = set(session.exec(ordered.where(WorkOrder.demand_id.in_([d.id for d in demands]))).all())
    return [
        FileDemandRow(
            id=d.id,
            code=d.code,
            title=d.title,
            status=d.status,
            channel=d.channel,
            plan_horizon=d.plan_horizon or "",
            created_at=format_instant(d.created_at),
            linkable=actor.role != Role.HANDLER or d.id in linkable,
        )
        for d in demands
    ]


def _visits(session: Session, enterprise: Enterprise) -> list[FileVisitRow]:
    rows = session.exec(
        select(Visit, Unit.name)
        .join(Unit, Unit.id == Visit.unit_id, isouter=True)
        .where(Visit.enterprise_id == enterprise.id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(FILE_ROWS)
    ).all()
    return [
        FileVisitRow(visited_on=v.visited_on.isoformat(), unit=unit or "", visitors=v.visitors, summary=v.summary)
        for v, unit in rows
    ]


def _meetings(session: Session, enterprise: Enterprise) -> list[FileMeetingRow]:
    rows = session.exec(
        select(Meeting, Unit.name)
        .join(MeetingEnterprise, MeetingEnterprise.meeting_id == Meeting.id)
        .join(Unit, Unit.id == Meeting.unit_id, isouter=True)
        .where(MeetingEnterprise.enterprise_id == enterprise.id)
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .limit(FILE_ROWS)
    ).all()
    return [
        FileMeetingRow(held_on=m.held_on.isoformat(), kind=m.kind, title=m.title, unit=unit or "") for m, unit in rows
    ]


def enterprise_file(*, actor: Actor, enterprise_id) -> EnterpriseFile:
    """企业档案 of one enterprise of the viewer's area (``NotFound`` for any other)."""
    require_role(actor, *READ_ROLES)
    with session_scope() as session:
        enterprise = visible_enterprise(session, actor, enterprise_id)
        names = _names(session, enterprise)
        registered = session.exec(
            select(User.id).where(User.enterprise_id == enterprise.id, User.role == Role.ENTERPRISE)
        ).first()
        return EnterpriseFile(
            id=enterprise.id,
            version=enterprise.version,
            name=enterprise.name,
            credit_code=enterprise.credit_code,
            town_unit_id=str(enterprise.town_unit_id or ""),
            town_name=names["town"],
            industry=enterprise.industry,
            scale=enterprise.scale,
            address=enterprise.address,
            contact_name=enterprise.contact_name,
            contact_phone=enterprise.contact_phone,
            industry_unit_id=str(enterprise.industry_unit_id or ""),
            industry_unit_name=names["field"],
            service_user_id=str(enterprise.service_user_id or ""),
            service_user_name=names["person"],
            operations=enterprise.operations,
            difficulties=enterprise.difficulties,
            development_plans=enterprise.development_plans,
            account="已注册" if registered else "未注册(企业以同一统一社会信用代码注册后自动关联)",
            created_at=format_instant(enterprise.created_at),
            updated_at=format_instant(enterprise.updated_at),
            can_edit=may_edit(session, actor, enterprise),
            can_edit_town=actor.role == Role.DISPATCHER,
            demands=_demand_rows(session, actor, enterprise),
            visits=_visits(session, enterprise),
            meetings=_meetings(session, enterprise),
            plans=_demand_rows(session, actor, enterprise, Demand.plan_horizon.is_not(None)),
        )


# ── the enterprise picker (代企业登记诉求; reused by 新增走访 / 新增会议) ───────────────────────────


def lookup_enterprises(*, actor: Actor, query: str) -> list[EnterpriseChoice]:
    """As the name or credit code is typed: up to ten enterprises of the viewer's area."""
    require_role(actor, *READ_ROLES)
    with session_scope() as session:
        return find_enterprises(session=session, actor=actor, query=query if isinstance(query, str) else "")


def enterprise_choice(*, actor: Actor, enterprise_id) -> EnterpriseChoice:
    """The enterprise a client picked, if the viewer's area holds it (``NotFound`` otherwise)."""
    require_role(actor, *READ_ROLES)
    with session_scope() as session:
        enterprise = visible_enterprise(session, actor, enterprise_id)
        town = session.get(Unit, enterprise.town_unit_id) if enterprise.town_unit_id else None
        return EnterpriseChoice(
            id=enterprise.id,
            name=enterprise.name,
            credit_code=enterprise.credit_code,
            town_name=town.name if town else "",
        )
