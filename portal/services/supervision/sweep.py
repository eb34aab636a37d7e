"""督办 that runs itself (DESIGN §4, seed 001): the work-order sweep and the card ladder (people's 催办 and
撤销黄牌: ``supervision.urging``).

The sweep reads only what is due: work orders whose indexed ``next_check_at`` has come. A batch of them is
claimed with one conditional UPDATE … RETURNING that clears the moment (PostgreSQL: the rows locked, those
another scheduler holds skipped), read in a few set-based queries and acted on in one transaction, each
order in a savepoint of its own: two schedulers, a restart or a crash mid-run never act twice, and a
failure in one order rolls back that order alone, which gets its moment back and is tried on the next run.
Every notice and card carries a unique key (order, kind, round), the second line of defence.

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
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, update
from sqlmodel import Session, select

from portal import routes
from portal.core.calendar import WorkingCalendar, end_of_local_day, local_date
from portal.core.clock import now
from portal.core.db import one_of, session_scope
from portal.core.formatting import format_instant, local_zone
from portal.models.enums import CardColor, OrderRole
from portal.models.enums import WorkOrderStatus as W
from portal.models.tables import Demand, RuleSetting, SupervisionNotice, TimelineEvent, Unit, WorkOrder
from portal.services.base.notices import centre_unit_id, inbox_row, notify_unit, renotify
from portal.services.calendar.store import get_calendar
from portal.services.demands.timeline import chained_event
from portal.services.supervision import batch as _writes
from portal.services.supervision.batch import Writes
from portal.services.supervision.cards import ladder, standing_yellows

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


@dataclass
class _Context:
    """What every check of one batch shares: read once per batch, and the batch's running counts (updated
    only by orders whose check succeeded)."""

    moment: datetime
    calendar: WorkingCalendar
    thresholds: dict[str, int]
    centre_id: int | None
    sent: set[str] = field(default_factory=set)  # keys of the notices and cards the batch's orders already have
    yellows: dict[tuple[int, str], int] = field(default_factory=dict)  # (unit, month) → standing yellow cards
    last_events: dict[int, TimelineEvent] = field(default_factory=dict)  # demand id → its newest timeline event
    units: dict[int, str] = field(default_factory=dict)  # unit id → name

    def accept(self, writes: Writes) -> None:
        for key, added in writes.yellows.items():
            self.yellows[key] = self.yellows.get(key, 0) + added
        self.last_events.update(writes.last_events)


def _context(session: Session, moment: datetime) -> _Context:
    return _Context(moment, get_calendar(session), rules(session), centre_unit_id(session))


def sweep_work_orders(*, budget_seconds: float = SWEEP_BUDGET_SECONDS) -> Counter:
    """Check every order whose moment has come, in batches, until none is due or the time budget is
    spent (the rest waits for the next run). Returns what was done, by kind. A batch whose bulk write
    fails (a timeline written meanwhile by someone else, say) is done again one order at a time."""
    moment, done, failed = now(), Counter(), set()
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        with session_scope() as session:
            claimed = claim_due(session, moment, skip=failed)
            try:
                with session.begin_nested():
                    result = check_claimed(session, claimed, _context(session, moment), failed)
            except Exception:  # noqa: BLE001 - the batch's writes are undone; its orders are done one by one
                log.warning("supervision batch write failed; checking its orders one at a time", exc_info=True)
                result = check_claimed(session, claimed, _context(session, moment), failed, one_by_one=True)
            done.update(result)
        if len(claimed) < SWEEP_BATCH:
            break
    return done


def claim_due(session: Session, moment: datetime, *, skip: set[int] = frozenset()) -> dict[int, datetime]:
    """Claim up to a batch of due orders for this transaction: id → the moment each was due. The ids are read
    (PostgreSQL: locked, skipping rows another scheduler holds), then taken with one conditional UPDATE …
    RETURNING that clears their moment; an order someone else claimed or changed meanwhile is not returned."""
    due = dict(
        session.exec(
            select(WorkOrder.id, WorkOrder.next_check_at)
            .where(WorkOrder.next_check_at <= moment, WorkOrder.id.not_in(skip or [0]))
            .order_by(WorkOrder.next_check_at, WorkOrder.id)
            .limit(SWEEP_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
    )
    if not due:
        return {}
    taken = session.exec(
        update(WorkOrder)
        .where(one_of(session, WorkOrder.id, due), WorkOrder.next_check_at <= moment)
        .values(next_check_at=None)
        .returning(WorkOrder.id)
    ).all()
    return {order_id: due[order_id] for (order_id,) in taken}


def check_claimed(
    session: Session, claimed: dict[int, datetime], context: _Context, failed: set[int], *, one_by_one=False
) -> Counter:
    """Act on claimed orders: each order's check gathers its rows, and the rows of the orders that succeeded
    are written together at the end. A failing order's rows are dropped and it gets its moment back (the next
    run tries it again; ``failed`` keeps this run from retrying it). Checks that write or read as they go (签收
    超时, 协办超时) and every check ``one_by_one`` run in a savepoint of their own, so a failure undoes only
    that order. What the batch needs is read first, in a few set-based queries."""
    done, batch = Counter(), _writes.Writes()
    orders = session.exec(select(WorkOrder).where(one_of(session, WorkOrder.id, claimed))).all()
    plans = {o.id: _safe_plan(o, context) for o in orders}
    demand_ids = {o.demand_id for o in orders}
    demands = {d.id: d for d in session.exec(select(Demand).where(one_of(session, Demand.id, demand_ids)))}
    carded = [o for o in orders if "超期" in (plans[o.id][0] or ())]
    context.sent.update(_writes.sent_keys(session, list(claimed)))
    context.units.update(session.exec(select(Unit.id, Unit.name)).all())
    _writes.lock_units(session, {o.unit_id for o in carded})
    context.yellows.update(standing_yellows(session, sorted({month_of(o.due_at) for o in carded})))
    context.last_events.update(_writes.last_events(session, {o.demand_id for o in carded}))
    for order in sorted(orders, key=lambda o: (o.unit_id, o.id)):
        order_id, (steps, next_at) = order.id, plans[order.id]
        writes = _writes.Writes(checks=[{"id": order_id, "next_check_at": next_at}] if next_at else [])
        sent = Counter()
        try:
            if steps is None:
                raise RuntimeError("the order could not be planned")
            with session.begin_nested() if one_by_one or _IMMEDIATE & set(steps or ()) else nullcontext():
                for step in steps:
                    sent[step] += _SEND[step](session, order, demands[order.demand_id], context, writes)
                if one_by_one:
                    _writes.write(session, writes)
        except Exception:  # one order's failure must not stop (or undo) the others
            log.exception("supervision check of work order %s failed", order_id)
            batch.checks.append({"id": order_id, "next_check_at": claimed[order_id]})
            failed.add(order_id)
            done["failed"] += 1
            continue
        done.update(sent)
        context.accept(writes)
        if not one_by_one:
            batch.merge(writes)
    _writes.write(session, batch)
    return +done


def _safe_plan(order: WorkOrder, context: _Context):
    """``_plan``, or (None, None) for an order it fails on (that order fails alone, below)."""
    try:
        return _plan(order, context.calendar, context.thresholds["warning_days"], context.moment)
    except Exception:  # noqa: BLE001 - logged with the order's failure
        log.exception("planning the check of work order %s failed", order.id)
        return None, None


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


def _notice_row(order: WorkOrder, kind: str, key: str, message: str, unit_id: int, by: int | None = None) -> dict:
    return dict(
        work_order_id=order.id,
        unit_id=unit_id,
        kind=kind,
        round=order.round,
        message=message[:500],
        unique_key=key,
        created_at=now(),
        created_by_id=by,
    )


def send_notice(
    session: Session,
    order: WorkOrder,
    demand: Demand,
    kind: str,
    key: str,
    message: str,
    unit_id: int,
    by: int | None = None,
    *,
    known: set[str] | None = None,
) -> bool:
    """One supervision notice (unique by ``key``) and the unit's inbox notice under the same key, written now.
    ``known``: the keys the order's notices already have, read for a whole batch (then the key is not looked
    up again)."""
    if known is not None:
        if key in known:
            return False
        known.add(key)
    elif session.exec(select(SupervisionNotice.id).where(SupervisionNotice.unique_key == key)).first():
        return False
    session.exec(insert(SupervisionNotice).values(**_notice_row(order, kind, key, message, unit_id, by)))
    notify_unit(session, demand, key=key, kind=kind, unit_id=unit_id, title=f"{kind}:{demand.title}", body=message)
    return True


def _gather_notice(order, demand, kind, key, message, unit_id, context: _Context, writes, *, per_order=True) -> bool:
    """The same notice, gathered for the batch's write. Keys of one order are only ever written by whoever
    claimed it (``context.sent`` holds those already stored); the ladder's keys are per unit and month, checked
    against the table when the batch is written (the unit lock keeps two batches from reaching one key)."""
    if per_order:
        if key in context.sent:
            return False
        context.sent.add(key)
    writes.notices.append(_notice_row(order, kind, key, message, unit_id))
    link = routes.staff_demand(demand.id)
    writes.inbox.append(
        inbox_row(key=key, kind=kind, title=f"{kind}:{demand.title}", body=message, link=link, unit_id=unit_id)
    )
    return True


def _send_sign_timeout(session, order, demand, context: _Context, writes) -> bool:
    message = f"工单{demand.code}已超过签收时限({format_instant(order.sign_due_at)}),请立即签收。"
    key = f"o{order.id}:签收超时:{order.round}"
    sent = send_notice(session, order, demand, "签收超时", key, message, order.unit_id, known=context.sent)
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


def _send_warning(session, order, demand, context: _Context, writes) -> bool:
    key = f"o{order.id}:预警:{order.round}:{local_date(order.due_at).isoformat()}"
    message = f"工单{demand.code}将于{format_instant(order.due_at)}到期,请抓紧办理并按时反馈。"
    return _gather_notice(order, demand, "预警", key, message, order.unit_id, context, writes)


def _send_co_overdue(session, order, demand, context: _Context, writes) -> bool:
    message = f"工单{demand.code}的协办意见已超期({format_instant(order.due_at)}),请尽快提交。"
    key = f"o{order.id}:协办超时:{order.round}"
    sent = _gather_notice(order, demand, "协办超时", key, message, order.unit_id, context, writes)
    lead = session.exec(
        select(WorkOrder.unit_id).where(
            WorkOrder.demand_id == order.demand_id,
            WorkOrder.round == order.round,
            WorkOrder.order_role == OrderRole.LEAD,
            WorkOrder.status.in_(OPEN_STATUSES),
        )
    ).first()
    if sent and lead:
        message = f"协办单位{context.units.get(order.unit_id, '')}未按时提交协办意见(工单{demand.code})。"
        _gather_notice(order, demand, "协办超时", f"{key}:lead", message, lead, context, writes)
    return sent


def _send_overdue(session, order, demand, context: _Context, writes) -> bool:
    """超期: 催办 to the unit and a 黄牌 in the month the order fell overdue (with a staff-only timeline event),
    then the ladder. The unit was locked for the batch before its standing yellow cards were counted."""
    message = f"工单{demand.code}已超过办理期限({format_instant(order.due_at)}),请立即办理并反馈。已亮黄牌。"
    key = f"o{order.id}:超期:{order.round}"
    sent = _gather_notice(order, demand, "超期催办", key, message, order.unit_id, context, writes)
    month, key = month_of(order.due_at), f"o{order.id}:r{order.round}:{CardColor.YELLOW}"
    if key in context.sent:
        return sent
    context.sent.add(key)
    reason = f"工单{demand.code}超期未反馈"
    writes.cards.append(
        dict(unit_id=order.unit_id, month=month, color=CardColor.YELLOW, work_order_id=order.id, unique_key=key,
             reason=reason, created_at=context.moment, revoke_reason="")
    )  # fmt: skip
    last = writes.last_events.get(demand.id, context.last_events.get(demand.id))
    writes.last_events[demand.id] = event = chained_event(
        last, demand_id=demand.id, actor_id=None, actor_label="系统", action="亮黄牌",
        detail=f"承办单位超期未反馈,亮黄牌({month})", data={"order_id": order.id}, created_at=context.moment,
    )  # fmt: skip
    writes.events.append(event)
    writes.yellows[(order.unit_id, month)] += 1
    _ladder(order, demand, month, context, writes)
    return sent


def _ladder(order, demand, month, context: _Context, writes) -> None:
    """After a new yellow card: a red card at every ``yellow_per_red``-th, an interview of the principal at
    every ``red_per_interview``-th red (notices to the unit and the centre, keyed by their count)."""
    thresholds, unit = context.thresholds, order.unit_id
    yellows = context.yellows.get((unit, month), 0) + writes.yellows[(unit, month)]
    now_at, before = ladder(yellows, thresholds), ladder(yellows - 1, thresholds)
    if now_at.red == before.red:
        return
    reds, name = now_at.red, context.units.get(unit, "")
    steps = [(CardColor.RED, reds, f"{name}{month}月累计{yellows}张黄牌,升为第{reds}张红牌,约谈分管负责人。")]
    if now_at.interviews > before.interviews:
        steps.append(("约谈", now_at.interviews, f"{name}{month}月累计{reds}张红牌,约谈主要负责人。"))
    for kind, count, text in steps:
        for target in [t for t in dict.fromkeys((unit, context.centre_id)) if t]:
            key = f"u{unit}:{month}:{kind}:{count}:{target}"
            _gather_notice(order, demand, kind, key, text, target, context, writes, per_order=False)


# Steps that write (or read) as they go, not only through the batch's write: they run in a savepoint.
_IMMEDIATE = {"签收超时", "协办超时"}
_SEND = {"签收超时": _send_sign_timeout, "预警": _send_warning, "超期": _send_overdue, "协办超时": _send_co_overdue}
