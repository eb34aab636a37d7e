"""督办 that runs itself (DESIGN §4, seed 001): the work-order sweep, the card ladder, 催办 and revoking a card.

The sweep reads only what is due: work orders whose indexed ``next_check_at`` has come. Each order is
claimed with a compare-and-set on that timestamp (and the order's version, so the plan was made on the
current row), acted on and given its next moment, in a transaction of its own: two schedulers, a restart
or a crash mid-run never act twice, and a failure in one order never undoes another. Every notice and
card carries a unique key (order, kind, round), the second line of defence.

What an order's check does, by the time it runs:
- 待签收 past its sign deadline → 签收超时 to the unit and the 推进中心.
- one working day (``warning_days``) left → 预警 to the unit; skipped when the order is already overdue
  (the overdue notice supersedes it) or was dispatched inside the window.
- past its due date: a lead order → 超期催办 to the unit and a 黄牌 for the unit in the month it fell
  overdue, then the ladder (every ``yellow_per_red`` yellows → 红牌, 约谈分管负责人; every
  ``red_per_interview`` reds → 约谈主要负责人); a co-unit order → 协办超时 to the co-unit and the lead.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal import routes
from portal.core.calendar import WorkingCalendar, end_of_local_day, local_date
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant, local_zone
from portal.models.enums import CardColor, OrderRole, Role
from portal.models.enums import WorkOrderStatus as W
from portal.models.tables import Card, Demand, RuleSetting, SupervisionNotice, Unit, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, ValidationFailed
from portal.services.base.notices import centre_unit_id, notify_unit, renotify
from portal.services.base.text import clean_text
from portal.services.calendar.store import get_calendar
from portal.services.demands.workflow import record_event
from portal.services.supervision.cards import active_yellow_count, ladder

log = logging.getLogger("portal.supervision")

RULE_DEFAULTS = {"yellow_per_red": 2, "red_per_interview": 2, "warning_days": 1}
SWEEP_BATCH = 500
SWEEP_BUDGET_SECONDS = 30.0
OPEN_STATUSES = (W.PENDING_SIGN, W.HANDLING)


def rules(session: Session) -> dict[str, int]:
    """The supervision thresholds: the ``rule_setting`` rows over the defaults."""
    stored = {row.key: row.value for row in session.exec(select(RuleSetting))}
    return {key: max(1, stored.get(key, default)) for key, default in RULE_DEFAULTS.items()}


def month_of(instant: datetime) -> str:
    return instant.astimezone(local_zone()).strftime("%Y-%m")


def warning_moment(calendar: WorkingCalendar, due_at: datetime, warning_days: int) -> datetime:
    """Start of the day from which only ``warning_days`` working days are left before the due date
    (the moment the lists first show “剩1个工作日”)."""
    day, counted = local_date(due_at), 0
    for _ in range(366):
        if counted == warning_days:
            break
        day -= timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return end_of_local_day(day - timedelta(days=1)) + timedelta(microseconds=1)


# ── the sweep ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Context:
    """What every check of one batch shares, read once per batch."""

    moment: datetime
    calendar: WorkingCalendar
    thresholds: dict[str, int]
    centre_id: int | None


def sweep_work_orders(*, budget_seconds: float = SWEEP_BUDGET_SECONDS) -> Counter:
    """Check every order whose moment has come, in batches, until none is due or the time budget is
    spent (the rest waits for the next run). Returns what was done, by kind."""
    moment, done, failed = now(), Counter(), set()
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        with session_scope() as session:
            due = session.exec(
                select(WorkOrder.id, WorkOrder.next_check_at)
                .where(WorkOrder.next_check_at <= moment, WorkOrder.id.not_in(failed or [0]))
                .order_by(WorkOrder.next_check_at, WorkOrder.id)
                .limit(SWEEP_BATCH)
            ).all()
            context = _Context(moment, get_calendar(session), rules(session), centre_unit_id(session))
        for order_id, seen in due:
            try:
                with session_scope() as session:
                    done.update(_check_order(session, order_id, seen, context))
            except Exception:  # one order's failure must not stop (or undo) the others
                log.exception("supervision check of work order %s failed", order_id)
                failed.add(order_id)
                done["failed"] += 1
        if len(due) < SWEEP_BATCH:
            break
    return done


def _check_order(session: Session, order_id: int, seen: datetime, context: _Context) -> Counter:
    order = session.get(WorkOrder, order_id)
    if order is None or order.next_check_at != seen:
        return Counter()
    steps, next_at = _plan(order, context.calendar, context.thresholds["warning_days"], context.moment)
    claimed = session.exec(
        update(WorkOrder)
        .where(WorkOrder.id == order.id, WorkOrder.next_check_at == seen, WorkOrder.version == order.version)
        .values(next_check_at=next_at)
    )
    if claimed.rowcount != 1:
        return Counter()  # another scheduler, or the unit's own action, got there first
    demand = session.get(Demand, order.demand_id)
    done = Counter()
    for step in steps:
        if _SEND[step](session, order, demand, context):
            done[step] += 1
    return done


def _plan(order: WorkOrder, calendar: WorkingCalendar, warning_days: int, moment: datetime):
    """(what to do now, when to look again) for one order."""
    if order.status not in OPEN_STATUSES:
        return [], None
    if moment > order.due_at:
        # Past the due date only the overdue notice goes out: a sign timeout or a warning whose moment
        # passed while the scheduler was down is superseded, not sent late.
        return ["超期" if order.order_role == OrderRole.LEAD else "协办超时"], None
    steps, upcoming = [], []
    if order.status == W.PENDING_SIGN:
        if moment > order.sign_due_at:
            steps.append("签收超时")
        else:
            upcoming.append(order.sign_due_at + timedelta(microseconds=1))
    warn_at = warning_moment(calendar, order.due_at, warning_days)
    if warn_at <= moment and warn_at > order.dispatched_at:
        steps.append("预警")
    elif warn_at > moment:
        upcoming.append(warn_at)
    upcoming.append(order.due_at + timedelta(microseconds=1))
    return steps, min(upcoming) if upcoming else None


def _notice(
    session: Session,
    order: WorkOrder,
    demand: Demand,
    kind: str,
    key: str,
    message: str,
    unit_id: int,
    by: int | None = None,
    *,
    contended: bool = False,
) -> bool:
    """One supervision notice (unique by ``key``) and the unit's inbox notice under the same key. Keys of
    one order are only ever written by whoever claimed it; a ``contended`` key (a unit's red card, which
    two schedulers handling two orders of one unit could both reach) goes in a savepoint, so losing that
    race costs only the duplicate."""
    if session.exec(select(SupervisionNotice.id).where(SupervisionNotice.unique_key == key)).first():
        return False
    values = dict(
        work_order_id=order.id,
        unit_id=unit_id,
        kind=kind,
        round=order.round,
        message=message[:500],
        unique_key=key,
        created_at=now(),
        created_by_id=by,
    )
    if contended:
        try:
            with session.begin_nested():
                session.exec(insert(SupervisionNotice).values(**values))
        except IntegrityError:
            return False
    else:
        session.exec(insert(SupervisionNotice).values(**values))
    notify_unit(session, demand, key=key, kind=kind, unit_id=unit_id, title=f"{kind}:{demand.title}", body=message)
    return True


def _send_sign_timeout(session, order, demand, context: _Context) -> bool:
    message = f"工单{demand.code}已超过签收时限({format_instant(order.sign_due_at)}),请立即签收。"
    sent = _notice(session, order, demand, "签收超时", f"o{order.id}:签收超时:{order.round}", message, order.unit_id)
    if sent and context.centre_id:
        _tell_centre_of_late_signing(session, demand, order.round, context.centre_id)
    return sent


def _tell_centre_of_late_signing(session: Session, demand: Demand, round_: int, centre: int) -> None:
    """One notice to the 推进中心 per demand and round naming every unit late to sign (a lead and its
    co-units usually pass the deadline together; a later one is added to the same notice)."""
    late = session.exec(
        select(Unit.name)
        .join(SupervisionNotice, SupervisionNotice.unit_id == Unit.id)
        .join(WorkOrder, WorkOrder.id == SupervisionNotice.work_order_id)
        .where(
            WorkOrder.demand_id == demand.id,
            SupervisionNotice.kind == "签收超时",
            SupervisionNotice.round == round_,
            SupervisionNotice.unit_id != centre,  # rows stored for the centre itself before issue #21
        )
        .order_by(WorkOrder.id)
    ).all()
    names = "、".join(dict.fromkeys(late))
    renotify(
        session,
        key=f"d{demand.id}:签收超时:{round_}:centre",
        kind="签收超时",
        title=f"签收超时:{names}未签收「{demand.title}」",
        body=f"{names}未按时签收工单{demand.code}。",
        link=routes.staff_demand(demand.id),
        unit_id=centre,
    )


def _send_warning(session, order, demand, context: _Context) -> bool:
    key = f"o{order.id}:预警:{order.round}:{local_date(order.due_at).isoformat()}"
    message = f"工单{demand.code}将于{format_instant(order.due_at)}到期,请抓紧办理并按时反馈。"
    return _notice(session, order, demand, "预警", key, message, order.unit_id)


def _send_co_overdue(session, order, demand, context: _Context) -> bool:
    message = f"工单{demand.code}的协办意见已超期({format_instant(order.due_at)}),请尽快提交。"
    sent = _notice(session, order, demand, "协办超时", f"o{order.id}:协办超时:{order.round}", message, order.unit_id)
    lead = session.exec(
        select(WorkOrder.unit_id).where(
            WorkOrder.demand_id == order.demand_id,
            WorkOrder.round == order.round,
            WorkOrder.order_role == OrderRole.LEAD,
            WorkOrder.status.in_(OPEN_STATUSES),
        )
    ).first()
    if sent and lead:
        co = session.get(Unit, order.unit_id)
        _notice(
            session,
            order,
            demand,
            "协办超时",
            f"o{order.id}:协办超时:{order.round}:lead",
            f"协办单位{co.name if co else ''}未按时提交协办意见(工单{demand.code})。",
            lead,
        )
    return sent


def _send_overdue(session, order, demand, context: _Context) -> bool:
    """超期: 催办 to the unit and a 黄牌 in the month the order fell overdue, then the ladder."""
    message = f"工单{demand.code}已超过办理期限({format_instant(order.due_at)}),请立即办理并反馈。已亮黄牌。"
    sent = _notice(session, order, demand, "超期催办", f"o{order.id}:超期:{order.round}", message, order.unit_id)
    month = month_of(order.due_at)
    key = f"o{order.id}:r{order.round}:{CardColor.YELLOW}"
    if session.exec(select(Card.id).where(Card.unique_key == key)).first():
        return sent
    # One unit's cards are added one transaction at a time: the ladder below counts the unit's standing yellows,
    # and two transactions carding two orders of one unit at once would each miss the other's card and skip a
    # red (PostgreSQL, READ COMMITTED: the count after the lock sees every card committed before it). SQLite
    # serialises writers anyway and ignores the lock. FOR NO KEY UPDATE, not FOR UPDATE: this transaction's own
    # notices already hold a KEY SHARE on the unit (their foreign key), which FOR UPDATE would deadlock against.
    session.exec(select(Unit.id).where(Unit.id == order.unit_id).with_for_update(key_share=True))
    session.exec(  # keyed by this order, which only this transaction holds (see _notice)
        insert(Card).values(
            unit_id=order.unit_id,
            month=month,
            color=CardColor.YELLOW,
            work_order_id=order.id,
            unique_key=key,
            reason=f"工单{demand.code}超期未反馈",
            created_at=context.moment,
            revoke_reason="",
        )
    )
    record_event(
        session, demand, None, "亮黄牌", f"承办单位超期未反馈,亮黄牌({month})", {"order_id": order.id}, context.moment
    )
    _ladder(session, order, demand, month, context)
    return sent


def _ladder(session, order, demand, month, context: _Context) -> None:
    """After a new yellow card: a red card at every ``yellow_per_red``-th, an interview of the principal at
    every ``red_per_interview``-th red (notices to the unit and the centre, keyed by their count)."""
    thresholds = context.thresholds
    yellows = active_yellow_count(session, order.unit_id, month)
    now_at, before = ladder(yellows, thresholds), ladder(yellows - 1, thresholds)
    if now_at.red == before.red:
        return
    reds = now_at.red
    unit = session.get(Unit, order.unit_id)
    text = f"{unit.name}{month}月累计{yellows}张黄牌,升为第{reds}张红牌,约谈分管负责人。"
    targets = [t for t in dict.fromkeys((order.unit_id, context.centre_id)) if t]
    for target in targets:
        key = f"u{order.unit_id}:{month}:{CardColor.RED}:{reds}:{target}"
        _notice(session, order, demand, CardColor.RED, key, text, target, contended=True)
    if now_at.interviews > before.interviews:
        text = f"{unit.name}{month}月累计{reds}张红牌,约谈主要负责人。"
        for target in targets:
            key = f"u{order.unit_id}:{month}:约谈:{now_at.interviews}:{target}"
            _notice(session, order, demand, "约谈", key, text, target, contended=True)


_SEND = {"签收超时": _send_sign_timeout, "预警": _send_warning, "超期": _send_overdue, "协办超时": _send_co_overdue}


# ── people's actions ────────────────────────────────────────────────────────────────────────


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
        if not _notice(session, order, demand, "催办", key, body, order.unit_id, by=actor.user_id):
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
