"""The primitives every demand action is built from (DESIGN §2, §3).

Every write: checks the actor's role, ownership and the current state; changes the rows; adds exactly
one timeline event; all in one transaction. Concurrent actions on one demand are serialised by a
compare-and-set on ``demand.version`` (``advance_demand``), so of two dispatchers, or of a sign racing a
return, exactly one wins and the other gets ``Conflict``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.db import upsert_into
from portal.models.enums import DemandStatus as S
from portal.models.enums import LimitLevel, OrderRole, Role
from portal.models.enums import WorkOrderStatus as W
from portal.models.tables import Demand, DemandCodeSequence, TimeLimitRule, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.access import actor_label, get_row, require_role
from portal.services.base.errors import Conflict, NotFound, ServiceError
from portal.services.calendar.store import get_calendar
from portal.services.classes.follows import notify_followers
from portal.services.demands import timeline

DEFAULT_LIMITS = {
    LimitLevel.INSTANT: 0,
    LimitLevel.NORMAL: 5,
    LimitLevel.COMPLEX: 15,
    LimitLevel.HARD: 30,
    LimitLevel.REDO: 3,
    LimitLevel.SIGN: 1,
    LimitLevel.RATE: 3,
    LimitLevel.CO_OPINION: 3,
    LimitLevel.APPEAL: 5,
    LimitLevel.WINDOW: 3,
}
LIVE_ORDER_STATUSES = (W.PENDING_SIGN, W.HANDLING, W.FED_BACK)


# ── time limits ─────────────────────────────────────────────────────────────────────────────


def limit_days(session: Session, level: str) -> int:
    rule = session.exec(select(TimeLimitRule).where(TimeLimitRule.level == level)).first()
    return rule.working_days if rule else DEFAULT_LIMITS[LimitLevel(level)]


def due_after(session: Session, start: datetime, level: str) -> datetime:
    """The end of the last working day the ``level`` allows from ``start``."""
    return get_calendar(session).add_working_days(start, limit_days(session, level))


# ── loading with ownership ──────────────────────────────────────────────────────────────────


def get_demand(session: Session, demand_id) -> Demand:
    return get_row(session, Demand, demand_id)


def own_demand(session: Session, actor: Actor, demand_id) -> Demand:
    demand = get_demand(session, demand_id)
    if actor.role != Role.ENTERPRISE or demand.enterprise_id != actor.enterprise_id:
        raise NotFound()  # same words as a missing one: ids of others are not confirmed
    return demand


def order_of_my_unit(session: Session, actor: Actor, order_id) -> tuple[WorkOrder, Demand]:
    require_role(actor, Role.HANDLER)
    order = get_row(session, WorkOrder, order_id, "工单不存在或不属于本单位")
    if order.unit_id != actor.unit_id:
        raise NotFound("工单不存在或不属于本单位")
    return order, session.get(Demand, order.demand_id)


def live_orders(session: Session, demand: Demand) -> list[WorkOrder]:
    return session.exec(
        select(WorkOrder).where(
            WorkOrder.demand_id == demand.id, WorkOrder.round == demand.round, WorkOrder.status.in_(LIVE_ORDER_STATUSES)
        )
    ).all()


def lead_order(session: Session, demand: Demand, *, live_only: bool = True) -> WorkOrder | None:
    """The lead order of the current round; with ``live_only=False`` whatever its status (verification
    needs the fed-back one)."""
    query = select(WorkOrder).where(
        WorkOrder.demand_id == demand.id, WorkOrder.round == demand.round, WorkOrder.order_role == OrderRole.LEAD
    )
    if live_only:
        query = query.where(WorkOrder.status.in_(LIVE_ORDER_STATUSES))
    return session.exec(query.order_by(WorkOrder.id.desc())).first()


def check_awaiting_dispatch(demand: Demand, verb: str) -> None:
    if demand.status not in (S.SUBMITTED, S.RETURNED):
        raise ServiceError(f"该诉求当前为“{demand.status}”,不能{verb}")


# ── the gate and the record ─────────────────────────────────────────────────────────────────


def advance_demand(session: Session, demand: Demand, *, moment: datetime | None = None, **values) -> None:
    """Compare-and-set on the demand's version: the one gate every action passes through."""
    moment = moment or now()
    result = session.exec(
        update(Demand)
        .where(Demand.id == demand.id, Demand.version == demand.version)
        .values(**values, updated_at=moment, version=demand.version + 1)
    )
    if result.rowcount != 1:
        raise Conflict()
    for key, value in values.items():
        setattr(demand, key, value)
    demand.version += 1
    demand.updated_at = moment


def update_order(session: Session, order: WorkOrder, **values) -> None:
    """Compare-and-set on the work order's version."""
    result = session.exec(
        update(WorkOrder)
        .where(WorkOrder.id == order.id, WorkOrder.version == order.version)
        .values(**values, version=order.version + 1)
    )
    if result.rowcount != 1:
        raise Conflict()
    for key, value in values.items():
        setattr(order, key, value)
    order.version += 1


def record_event(
    session: Session,
    demand: Demand,
    actor: Actor | None,
    action: str,
    detail: str = "",
    data: dict | None = None,
    moment: datetime | None = None,
    *,
    public: bool | str = False,
) -> None:
    """Append the action to the demand's hash-chained timeline.

    ``public`` decides what the enterprise sees (DESIGN §8): False (the default, so a new action is
    staff-only until someone decides otherwise) hides the event; True shows ``detail``; a string shows
    that wording instead, for events the enterprise should know of without the staff's words."""
    public_detail = None if public is False else (detail if public is True else public)
    event = timeline.append(
        session,
        demand_id=demand.id,
        actor_id=actor.user_id if actor else None,
        actor_label=actor_label(session, actor),
        action=action,
        detail=detail,
        public_detail=public_detail,
        data=data or {},
        created_at=moment or now(),
    )
    if public_detail is not None:
        notify_followers(session, demand, event)  # 关注 (issue #26): the step's name, never its words


def next_demand_code(session: Session, moment: datetime) -> str:
    """QS + local date + 4-digit daily sequence, taken with one atomic upsert (safe under concurrency)."""
    return next_demand_codes(session, moment, 1)[0]


def next_demand_codes(session: Session, moment: datetime, count: int) -> list[str]:
    """``count`` consecutive codes of the day, reserved with one atomic upsert."""
    day = local_date(moment).strftime("%Y%m%d")
    statement = upsert_into(session, DemandCodeSequence).values(day=day, last_value=count)
    statement = statement.on_conflict_do_update(
        index_elements=["day"], set_={"last_value": DemandCodeSequence.last_value + count}
    ).returning(DemandCodeSequence.last_value)
    last = session.exec(statement).scalar_one()
    return [f"QS{day}{value:04d}" for value in range(last - count + 1, last + 1)]
