"""What the supervision board shows (/staff/supervision): every unit's card colour this month with its
overdue and pending counts, the overdue orders, the latest supervision notices with whether the unit has
read them, the 疑似虚假反馈 orders and the card history. Dispatchers and leaders read it; only dispatchers
act on it (``supervision.urge``, ``supervision.revoke_card``)."""

from __future__ import annotations

from sqlalchemy import case, func
from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant, local_zone
from portal.models.enums import CardColor, Role, UnitKind
from portal.models.records.supervision import BoardUnit, CardRow, OverdueRow, SupervisionNoticeRow, SuspectRow
from portal.models.tables import Card, Demand, Notification, SupervisionNotice, Unit, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role
from portal.services.calendar.store import get_calendar
from portal.services.supervision.cards import ladder, standing_yellows
from portal.services.supervision.sweep import OPEN_STATUSES, month_of, rules
from portal.services.supervision.urging import urge_key, urge_workday

LIST_LIMIT = 100


def recent_months(count: int = 12) -> list[str]:
    """This month and the ones before it, newest first (YYYY-MM, local)."""
    local = now().astimezone(local_zone())
    year, month, found = local.year, local.month, []
    for _ in range(count):
        found.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def board_units(*, actor: Actor, month: str | None = None) -> list[BoardUnit]:
    """Every active handling unit, red first, then yellow, then by overdue count."""
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    moment = now()
    month = month or month_of(moment)
    with session_scope() as session:
        thresholds = rules(session)
        yellows = {unit_id: n for (unit_id, _month), n in standing_yellows(session, [month]).items()}
        counts = {
            unit_id: (overdue or 0, pending or 0)
            for unit_id, overdue, pending in session.exec(
                select(WorkOrder.unit_id, func.sum(case((WorkOrder.due_at < moment, 1), else_=0)), func.count())
                .where(WorkOrder.status.in_(OPEN_STATUSES))
                .group_by(WorkOrder.unit_id)
            ).all()
        }
        units = session.exec(
            select(Unit).where(Unit.active == True, Unit.kind != UnitKind.CENTER).order_by(Unit.sort_order, Unit.id)  # noqa: E712
        ).all()
        rows = []
        for unit in units:
            step = ladder(yellows.get(unit.id, 0), thresholds)
            overdue, pending = counts.get(unit.id, (0, 0))
            rows.append(
                BoardUnit(
                    unit_id=unit.id,
                    unit=unit.name,
                    kind=unit.kind,
                    color=step.color,
                    yellow=step.yellow,
                    red=step.red,
                    interviews=step.interviews,
                    overdue=overdue,
                    pending=pending,
                )
            )
    order = {CardColor.RED: 0, CardColor.YELLOW: 1, CardColor.GREEN: 2}
    return sorted(rows, key=lambda r: (order[r["color"]], -r["overdue"], -r["pending"]))


def overdue_orders(*, actor: Actor) -> list[OverdueRow]:
    """Open orders past their due date, the longest overdue first."""
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    moment = now()
    with session_scope() as session:
        calendar = get_calendar(session)
        urged = (
            select(func.count())
            .where(SupervisionNotice.work_order_id == WorkOrder.id, SupervisionNotice.kind == "催办")
            .scalar_subquery()
        )
        rows = session.exec(
            select(
                WorkOrder.id,
                WorkOrder.demand_id,
                WorkOrder.order_role,
                WorkOrder.due_at,
                Demand.code,
                Demand.title,
                Unit.name,
                urged,
            )
            .join(Demand, Demand.id == WorkOrder.demand_id)
            .join(Unit, Unit.id == WorkOrder.unit_id)
            .where(WorkOrder.status.in_(OPEN_STATUSES), WorkOrder.due_at < moment)
            .order_by(WorkOrder.due_at, WorkOrder.id)
            .limit(LIST_LIMIT)
        ).all()
        workday = urge_workday(session, moment)
        keys = {urge_key(r[0], workday): r[0] for r in rows}
        urged_now = {
            keys[k]
            for k in session.exec(select(SupervisionNotice.unique_key).where(SupervisionNotice.unique_key.in_(keys)))
        }
    return [
        OverdueRow(
            order_id=r[0],
            demand_id=r[1],
            order_role=r[2],
            due_at=format_instant(r[3]),
            code=r[4],
            title=r[5],
            unit=r[6],
            urged=r[7] or 0,
            urged_this_workday=r[0] in urged_now,
            days_overdue=max(1, calendar.working_days_between(r[3], moment)),
        )
        for r in rows
    ]


def recent_notices(*, actor: Actor) -> list[SupervisionNoticeRow]:
    """The latest supervision notices and whether the unit has read them."""
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    with session_scope() as session:
        rows = session.exec(
            select(SupervisionNotice, Unit.name, Demand.code, Demand.title, Demand.id, Notification.read_at)
            .join(Unit, Unit.id == SupervisionNotice.unit_id)
            .join(WorkOrder, WorkOrder.id == SupervisionNotice.work_order_id)
            .join(Demand, Demand.id == WorkOrder.demand_id)
            .outerjoin(Notification, Notification.unique_key == SupervisionNotice.unique_key)
            .where(Unit.kind != UnitKind.CENTER)
            .order_by(SupervisionNotice.created_at.desc(), SupervisionNotice.id.desc())
            .limit(LIST_LIMIT)
        ).all()
    return [
        SupervisionNoticeRow(
            notice_id=n.id,
            at=format_instant(n.created_at),
            unit=unit,
            kind=n.kind,
            code=code,
            title=title,
            demand_id=demand_id,
            message=n.message,
            read=read_at is not None,
        )
        for n, unit, code, title, demand_id, read_at in rows
    ]


def suspected_false_feedback(*, actor: Actor) -> list[SuspectRow]:
    """Orders whose enterprise said nobody contacted it (未联系): for supervision to check."""
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    with session_scope() as session:
        rows = session.exec(
            select(WorkOrder.id, WorkOrder.demand_id, Demand.code, Demand.title, Unit.name, WorkOrder.feedback_at)
            .join(Demand, Demand.id == WorkOrder.demand_id)
            .join(Unit, Unit.id == WorkOrder.unit_id)
            .where(WorkOrder.suspected_false_feedback == True)  # noqa: E712
            .order_by(WorkOrder.feedback_at.desc(), WorkOrder.id.desc())
            .limit(LIST_LIMIT)
        ).all()
    return [
        SuspectRow(order_id=r[0], demand_id=r[1], code=r[2], title=r[3], unit=r[4], feedback_at=format_instant(r[5]))
        for r in rows
    ]


def card_history(*, actor: Actor, unit_id: int | None = None) -> list[CardRow]:
    """Cards newest first (one unit's, or all), revoked ones marked with the reason."""
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    with session_scope() as session:
        query = select(Card, Unit.name).join(Unit, Unit.id == Card.unit_id)
        if unit_id:
            query = query.where(Card.unit_id == unit_id)
        rows = session.exec(
            query.order_by(Card.month.desc(), Card.created_at.desc(), Card.id.desc()).limit(LIST_LIMIT)
        ).all()
    return [
        CardRow(
            card_id=c.id,
            unit=unit,
            month=c.month,
            color=c.color,
            reason=c.reason,
            at=format_instant(c.created_at),
            revoked=c.revoked_at is not None,
            revoke_reason=c.revoke_reason,
        )
        for c, unit in rows
    ]
