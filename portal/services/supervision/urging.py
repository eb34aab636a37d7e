"""People's supervision actions (DESIGN §4): 催办 by the 推进中心 (once per order per working day) and 撤销黄牌.
The scheduler's own checks are ``supervision.sweep``; both write notices through ``sweep.send_notice``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session

from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import Role
from portal.models.tables import Card, Demand, Unit, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, ValidationFailed
from portal.services.base.text import clean_text
from portal.services.calendar.store import get_calendar
from portal.services.demands.workflow import record_event
from portal.services.supervision.sweep import OPEN_STATUSES, send_notice

URGED_THIS_WORKDAY = "该工单本工作日已催办,每个工作日限催办一次,请下一个工作日再催办"


def urge_workday(session: Session, moment: datetime) -> date:
    """The working day a 催办 at ``moment`` counts for: today, or on a day off the next working day (when
    the unit will read it)."""
    return get_calendar(session).next_workday_on_or_after(local_date(moment))


def urge_key(order_id: int, workday: date) -> str:
    """The unique key of an order's 催办 on a working day: the database itself refuses a second one."""
    return f"o{order_id}:催办:{workday.isoformat()}"


@transactional
def urge(*, actor: Actor, order_id, message: str = "") -> None:
    """催办 by the 推进中心, at most once per order per working day: a notice to the unit, a supervision
    record and a (staff-only) timeline event."""
    require_role(actor, Role.DISPATCHER)
    text = clean_text(message, limit=200) or "请加快办理进度,按时反馈。"
    if len(text) > 200:
        raise ValidationFailed({"message": "催办内容不超过200字"})
    with session_scope() as session:
        order = get_row(session, WorkOrder, order_id, "工单不存在")
        if order.status not in OPEN_STATUSES:
            raise Conflict("该工单已不在办理中,无需催办")
        demand = session.get(Demand, order.demand_id)
        body = f"推进中心催办工单{demand.code}:{text}"
        key = urge_key(order.id, urge_workday(session, now()))
        if not send_notice(session, order, demand, "催办", key, body, order.unit_id, by=actor.user_id):
            raise Conflict(URGED_THIS_WORKDAY)
        unit = session.get(Unit, order.unit_id)
        record_event(session, demand, actor, "催办", f"催办{unit.name if unit else ''}:{text}", {"order_id": order.id})


def revoke_card(*, actor: Actor, card_id, reason: str) -> None:
    """撤销 a yellow card (e.g. an overdue caused by a calendar error): recorded on the card and audited;
    the month's red cards follow from the cards still standing."""
    require_role(actor, Role.DISPATCHER)
    reason = clean_text(reason, limit=500)
    if not 4 <= len(reason) <= 500:
        raise ValidationFailed({"reason": "请写明撤销原因(4–500字)"})
    with session_scope() as session:
        card = get_row(session, Card, card_id, "黄牌不存在")
        if card.revoked_at is not None:
            raise Conflict("该黄牌已撤销")
        result = session.exec(
            update(Card)
            .where(Card.id == card.id, Card.revoked_at.is_(None))
            .values(revoked_at=now(), revoked_by_id=actor.user_id, revoke_reason=reason)
        )
        if result.rowcount != 1:
            raise Conflict()
        unit = session.get(Unit, card.unit_id)
        record_audit(
            session,
            actor,
            "撤销黄牌",
            f"{unit.name if unit else card.unit_id} {card.month}",
            f"{card.reason};原因:{reason}",
        )
        if card.work_order_id and (order := session.get(WorkOrder, card.work_order_id)):
            demand = session.get(Demand, order.demand_id)
            record_event(session, demand, actor, "撤销黄牌", f"撤销黄牌:{reason}", {"card_id": card.id})
