"""The counters on /staff: what is waiting for this person or their unit right now."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from portal import routes
from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import DemandStatus as S
from portal.models.enums import ExtensionStatus, RevisitStatus, Role
from portal.models.enums import WorkOrderStatus as W
from portal.models.records.common import Counter
from portal.models.tables import Demand, ExtensionRequest, RevisitTask, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.demands.lists import LIVE_DEMAND_STATUSES


def _count(session: Session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _overdue_demands(session: Session, moment: datetime) -> int:
    return _count(session, Demand, Demand.status.in_(LIVE_DEMAND_STATUSES), Demand.due_at < moment)


def _dispatcher(session: Session, moment: datetime) -> list[Counter]:
    late = _overdue_demands(session, moment)
    return [
        Counter(
            label="待受理",
            value=_count(session, Demand, Demand.status == S.SUBMITTED),
            link=routes.STAFF_DISPATCH,
            alert=False,
        ),
        Counter(
            label="退回待派",
            value=_count(session, Demand, Demand.status == S.RETURNED),
            link=routes.STAFF_DISPATCH,
            alert=False,
        ),
        Counter(
            label="延期待审批",
            value=_count(session, ExtensionRequest, ExtensionRequest.status == ExtensionStatus.PENDING),
            link=routes.STAFF_EXTENSIONS,
            alert=False,
        ),
        Counter(
            label="待回访",
            value=_count(session, RevisitTask, RevisitTask.status == RevisitStatus.OPEN),
            link=routes.STAFF_REVISITS,
            alert=False,
        ),
        Counter(
            label="待核查",
            value=_count(session, Demand, Demand.status == S.VERIFYING),
            link=routes.STAFF_VERIFICATIONS,
            alert=False,
        ),
        Counter(label="超期未办结", value=late, link=routes.STAFF_DEMANDS, alert=late > 0),
    ]


def _handler(session: Session, moment: datetime, unit_id: int) -> list[Counter]:
    def orders_in(*statuses, overdue=False) -> int:
        where = [WorkOrder.unit_id == unit_id, WorkOrder.status.in_(statuses)]
        if overdue:
            where.append(WorkOrder.due_at < moment)
        return _count(session, WorkOrder, *where)

    late = orders_in(W.PENDING_SIGN, W.HANDLING, overdue=True)
    return [
        Counter(label="待签收", value=orders_in(W.PENDING_SIGN), link=routes.STAFF_ORDERS, alert=False),
        Counter(label="办理中", value=orders_in(W.HANDLING), link=routes.STAFF_ORDERS, alert=False),
        Counter(label="已超期", value=late, link=routes.STAFF_ORDERS, alert=late > 0),
    ]


def _leader(session: Session, moment: datetime) -> list[Counter]:
    late = _overdue_demands(session, moment)
    return [
        Counter(
            label="办理中",
            value=_count(session, Demand, Demand.status.in_(LIVE_DEMAND_STATUSES)),
            link=routes.STAFF_DEMANDS,
            alert=False,
        ),
        Counter(label="超期未办结", value=late, link=routes.STAFF_DEMANDS, alert=late > 0),
        Counter(
            label="已办结(已销号)",
            value=_count(session, Demand, Demand.status == S.CLOSED),
            link=routes.STAFF_DEMANDS,
            alert=False,
        ),
    ]


def workbench_counters(*, actor: Actor) -> list[Counter]:
    """The numbers on /staff for ``actor``'s role (none for other roles)."""
    moment = now()
    with session_scope() as session:
        if actor.role == Role.DISPATCHER:
            return _dispatcher(session, moment)
        if actor.role == Role.HANDLER and actor.unit_id:
            return _handler(session, moment, actor.unit_id)
        if actor.role == Role.LEADER:
            return _leader(session, moment)
        return []
