"""需求计划台账 (seed 000): the demands from visits and meetings that carry a 计划周期 (近期开展 / 中期计划 /
长期谋划), by horizon, with their status. The same rows export as .xlsx (``ledgers.sheets`` "plans")."""

from __future__ import annotations

from sqlalchemy import case
from sqlmodel import select

from portal import routes
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.models.enums import PlanHorizon
from portal.models.records.collection import PlanRow
from portal.models.tables import Demand, Enterprise
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role
from portal.services.enterprises.collected import READERS
from portal.services.enterprises.directory import area_condition

LIST_LIMIT = 300
HORIZON_ORDER = case({h.value: i for i, h in enumerate(PlanHorizon)}, value=Demand.plan_horizon, else_=99)


def list_plans(*, actor: Actor, horizon: str = "") -> list[PlanRow]:
    """The ledger's rows (a handler: its area's enterprises), near term first, newest first within a horizon."""
    require_role(actor, *READERS)
    with session_scope() as session:
        query = (
            select(Demand, Enterprise.name)
            .join(Enterprise, Enterprise.id == Demand.enterprise_id)
            .where(Demand.plan_horizon.is_not(None))
        )
        if isinstance(horizon, str) and horizon in {h.value for h in PlanHorizon}:
            query = query.where(Demand.plan_horizon == horizon)
        if (area := area_condition(session, actor)) is not None:
            query = query.where(area)
        query = query.order_by(HORIZON_ORDER, Demand.created_at.desc(), Demand.id.desc()).limit(LIST_LIMIT)
        rows = session.exec(query).all()
    return [
        PlanRow(
            demand_id=d.id,
            code=d.code,
            title=d.title,
            enterprise=name,
            horizon=d.plan_horizon or "",
            channel=d.channel,
            status=d.status,
            created=format_instant(d.created_at, with_time=False),
            link=routes.staff_demand(d.id),
        )
        for d, name in rows
    ]
