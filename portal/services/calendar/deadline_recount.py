"""When the working-day calendar changes (an admin marks a day or pastes a year's notice), the deadlines
of open work orders are counted again from their dispatch (issue #12): an order whose due date moves
gets the new date, a new sign deadline if it is still unsigned, an immediate supervision check, and a
line on its demand's timeline that the enterprise sees. Extended orders keep the date their extension
granted. Each order is its own transaction; one that another person changed meanwhile is skipped and
reported."""

from __future__ import annotations

import logging

from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.models.enums import LimitLevel, OrderRole
from portal.models.enums import WorkOrderStatus as W
from portal.models.tables import Demand, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.errors import Conflict
from portal.services.calendar.store import get_calendar
from portal.services.demands.workflow import advance_demand, due_after, limit_days, record_event, update_order

log = logging.getLogger("portal.due_dates")


def recompute_open_orders(*, actor: Actor | None) -> int:
    """Recount the deadlines of every open order by today's calendar. Returns how many moved."""
    with session_scope() as session:
        ids = session.exec(
            select(WorkOrder.id)
            .where(WorkOrder.status.in_((W.PENDING_SIGN, W.HANDLING)), WorkOrder.due_reason != "延期")
            .order_by(WorkOrder.id)
        ).all()
    moved = 0
    for order_id in ids:
        try:
            with session_scope() as session:
                moved += _recompute(session, actor, order_id)
        except Conflict:
            log.warning("work order %s changed while its deadline was recounted; left as it was", order_id)
    return moved


def _recompute(session, actor: Actor | None, order_id: int) -> int:
    order = session.get(WorkOrder, order_id)
    if order is None or order.status not in (W.PENDING_SIGN, W.HANDLING) or order.due_reason == "延期":
        return 0
    lead = order.order_role == OrderRole.LEAD
    calendar = get_calendar(session)
    days = order.limit_days if order.limit_days is not None else limit_days(session, order.level)
    due = calendar.add_working_days(order.dispatched_at, days)
    if not lead:
        lead_due = session.exec(
            select(WorkOrder.due_at).where(
                WorkOrder.demand_id == order.demand_id,
                WorkOrder.round == order.round,
                WorkOrder.order_role == OrderRole.LEAD,
                WorkOrder.status.in_((W.PENDING_SIGN, W.HANDLING)),
            )
        ).first()
        due = min(due, lead_due) if lead_due else due
    values: dict = {}
    if due != order.due_at:
        values.update(due_at=due, original_due_at=due)
    if order.status == W.PENDING_SIGN and order.level != LimitLevel.INSTANT:
        sign_due = min(due_after(session, order.dispatched_at, LimitLevel.SIGN), due)
        if sign_due != order.sign_due_at:
            values["sign_due_at"] = sign_due
    if not values:
        return 0
    previous = order.due_at
    update_order(session, order, **values, next_check_at=now())
    if "due_at" not in values:
        return 0
    demand = session.get(Demand, order.demand_id)
    if lead:
        advance_demand(session, demand, due_at=due)
    text = f"因法定节假日安排调整,办理期限由{format_instant(previous)}调整为{format_instant(due)}"
    record_event(session, demand, actor, "期限调整", text, {"order_id": order.id}, public=text if lead else False)
    return 1
