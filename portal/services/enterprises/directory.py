"""Which enterprises a staff member may see and pick, and the as-you-type lookup by name or credit code.

Area rule (issue #22): the 推进中心, leaders and admins see every enterprise; a 镇街 handler sees the
enterprises of its own 镇街; a 兜底办 handler every enterprise (the window serves the whole city); any other
unit's handler the enterprises whose 行业主管部门 it is. Enterprises never see this directory."""

from __future__ import annotations

from sqlalchemy import false, or_
from sqlmodel import Session, select

from portal.models.enums import Role, UnitKind
from portal.models.records.enterprises import EnterpriseChoice
from portal.models.tables import Enterprise, Unit
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role
from portal.services.base.errors import NotFound
from portal.services.base.text import clean_text

STAFF = (Role.DISPATCHER, Role.HANDLER, Role.LEADER, Role.ADMIN)
LOOKUP_LIMIT = 10


def area_condition(session: Session, actor: Actor):
    """The SQL condition on ``Enterprise`` that limits rows to ``actor``'s area; ``None`` for no limit."""
    require_role(actor, *STAFF)
    if actor.role != Role.HANDLER:
        return None
    unit = session.get(Unit, actor.unit_id) if actor.unit_id else None
    if unit is None:
        return false()
    if unit.kind == UnitKind.FALLBACK:
        return None
    if unit.kind == UnitKind.TOWN:
        return Enterprise.town_unit_id == unit.id
    return Enterprise.industry_unit_id == unit.id


def visible_enterprise(session: Session, actor: Actor, enterprise_id) -> Enterprise:
    """The enterprise a client-supplied id names if ``actor`` may see it; ``NotFound`` otherwise (a foreign
    enterprise reads exactly like a missing one)."""
    enterprise = get_row(session, Enterprise, enterprise_id, "未找到该企业")
    condition = area_condition(session, actor)
    if (
        condition is not None
        and session.exec(select(Enterprise.id).where(Enterprise.id == enterprise.id, condition)).first() is None
    ):
        raise NotFound("未找到该企业")
    return enterprise


def lookup_condition(query: str):
    """Name contains the words, or the credit code starts with them (codes are typed from the left)."""
    text = clean_text(query, limit=100).replace("%", "").replace("_", "")
    if not text:
        return None
    return or_(Enterprise.name.contains(text), Enterprise.credit_code.startswith(text.upper()))


def find_enterprises(
    *, session: Session, actor: Actor, query: str, limit: int = LOOKUP_LIMIT
) -> list[EnterpriseChoice]:
    """Up to ``limit`` enterprises of ``actor``'s area matching ``query`` (name or credit code), by name."""
    condition = lookup_condition(query)
    if condition is None:
        return []
    statement = select(Enterprise, Unit.name).join(Unit, Unit.id == Enterprise.town_unit_id, isouter=True)
    statement = statement.where(condition)
    area = area_condition(session, actor)
    if area is not None:
        statement = statement.where(area)
    rows = session.exec(statement.order_by(Enterprise.name).limit(max(1, min(limit, 50)))).all()
    return [EnterpriseChoice(id=e.id, name=e.name, credit_code=e.credit_code, town_name=town or "") for e, town in rows]
