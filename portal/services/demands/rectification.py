"""差评整改 cases (national 好差评: every 差评 verified, rectified within a deadline, the enterprise called
back). The hooks here are called by the services that move the demand — ``rating`` (a 差评 opens the case
with its 重办 round; a later rating is the re-rating), ``handling`` (the 重办 reply is the 整改情况),
``verification`` (the case's second round) — inside their transaction and behind the demand's version
gate, so a case never changes without its demand.

A case: 整改中 (the 重办 round is open; its due date is the 整改期限, so the supervision sweep warns, urges
and cards it like any lead order) → 待回访 (整改情况 fed back: the centre owes a 回访 whether or not the
enterprise re-rates online) → 已办结 once the 回访 is made and the demand is closed, or 核查中 while the
demand is in 办结核查 (seed 001: still not satisfied after the 重办)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from portal.models.enums import BAD_RATINGS, LimitLevel, OrderRole
from portal.models.enums import DemandStatus as S
from portal.models.enums import RectificationStatus as R
from portal.models.tables import Demand, Rating, Rectification, WorkOrder
from portal.services.base.notices import notify_center


def open_case(session: Session, demand: Demand) -> Rectification | None:
    """The demand's case that is not yet closed."""
    return session.exec(
        select(Rectification).where(Rectification.demand_id == demand.id, Rectification.status != R.CLOSED)
    ).first()


def had_redo(session: Session, demand: Demand) -> bool:
    """Whether the demand already went through a 重办 round (counted by 重办 orders, not by rounds: an
    unaccepted 即时答复 also starts a round, and must not send the unit's first 差评 to 核查)."""
    return (
        session.exec(
            select(WorkOrder.id).where(
                WorkOrder.demand_id == demand.id,
                WorkOrder.order_role == OrderRole.LEAD,
                WorkOrder.level == LimitLevel.REDO,
            )
        ).first()
        is not None
    )


def start_case(session: Session, demand: Demand, rating: Rating, order: WorkOrder) -> Rectification:
    """The first 差评 on a unit's reply: the case, its 整改期限 the 重办 order's due date."""
    case = Rectification(
        demand_id=demand.id,
        rating_id=rating.id,
        last_bad_rating_id=rating.id,
        unit_id=order.unit_id,
        status=R.RECTIFYING,
        order_id=order.id,
        due_at=order.due_at,
        created_at=rating.created_at,
    )
    session.add(case)
    return case


def on_rating(session: Session, demand: Demand, rating: Rating) -> None:
    """A rating given while a case is open (the re-rating after the 整改情况, or a 差评 that sends the
    demand to 核查: the case's next round)."""
    case = open_case(session, demand)
    if case is None:
        return
    case.rerating = rating.satisfaction
    if rating.satisfaction in BAD_RATINGS:
        case.last_bad_rating_id, case.case_round = rating.id, case.case_round + 1
    _settle(case, demand)
    session.add(case)


def on_feedback(session: Session, demand: Demand, order: WorkOrder, moment: datetime) -> None:
    """The lead unit's reply on the case's 重办 order is its 整改情况; the centre is asked to call back."""
    case = open_case(session, demand)
    if case is None or case.order_id != order.id:
        return
    case.report, case.reported_at, case.status = order.reply_content, moment, R.REVISIT
    case.revisit_note, case.revisited_at, case.revisited_by_id = "", None, None
    if case.on_time is None:
        case.on_time = moment <= case.due_at
    session.add(case)
    notify_center(session, demand, "差评整改回访", f"差评整改已反馈,请回访:{demand.title}")


def on_new_round(session: Session, demand: Demand, order: WorkOrder) -> None:
    """核查 ordered another 重办: the case is rectified again, with the new 整改期限."""
    case = open_case(session, demand)
    if case is None:
        return
    case.status, case.order_id, case.due_at = R.RECTIFYING, order.id, order.due_at
    session.add(case)


def on_verified(session: Session, demand: Demand) -> None:
    """核查办结: the case closes if its 回访 was made (otherwise it waits for it)."""
    case = open_case(session, demand)
    if case is not None:
        _settle(case, demand)
        session.add(case)


def settle_after_revisit(case: Rectification, demand: Demand) -> None:
    _settle(case, demand)


def _settle(case: Rectification, demand: Demand) -> None:
    """Status from the facts: the 回访 made or not, the demand closed or in 核查."""
    if case.status == R.RECTIFYING or case.revisited_at is None:
        return
    if demand.status == S.CLOSED:
        case.status, case.closed_at = R.CLOSED, demand.closed_at or demand.updated_at
    elif demand.status == S.VERIFYING:
        case.status = R.VERIFYING
