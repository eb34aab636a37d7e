"""Work the scheduler finds by time and does on its own (``portal.jobs`` calls these), other than the
work-order checks of ``supervision.sweep``. Each finds what is due through an index and does each item in a
transaction of its own, so one item's failure never undoes another's."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import date

from sqlalchemy import case, func, update
from sqlmodel import select

from portal import routes
from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.db import bulk_insert_objects, one_of, session_scope
from portal.core.formatting import local_zone
from portal.models.enums import DemandStatus as S
from portal.models.enums import WorkOrderStatus as W
from portal.models.tables import Demand, Notification, Policy, RevisitTask, TimelineEvent, Unit, WorkOrder
from portal.services.base.notices import notify
from portal.services.calendar.store import get_calendar
from portal.services.demands.timeline import chained_event
from portal.services.supervision.batch import last_events

log = logging.getLogger("portal.sweeps")
BATCH = 500
DIGEST_HOUR = 8


# A demand whose round has its task already waits for the phone call, not for another task: leaving it out
# keeps the batch for the demands still without one (with 500 calls pending, none new was ever opened).
_has_task = select(RevisitTask.id).where(RevisitTask.demand_id == Demand.id, RevisitTask.round == Demand.round).exists()


def open_due_revisits() -> int:
    """Demands still 待评价 after the rating window get a 回访 task (once per round), a batch at a time in one
    transaction. The batch is claimed with one conditional UPDATE … RETURNING of the demands' versions (an
    enterprise rating meanwhile loses its version gate and tries again, or the rating came first and the
    demand is no longer claimed). Each demand's task and timeline event are made in memory and written with
    the batch's (a failure drops that demand alone, which stays due for the next run); a batch whose write
    fails is done again one demand at a time, each in a savepoint. Only tasks actually made are counted."""
    moment = now()
    waiting = (Demand.status == S.FEEDBACK, Demand.rate_due_at < moment, ~_has_task)
    with session_scope() as session:
        due = session.exec(
            select(Demand.id).where(*waiting).order_by(Demand.id).limit(BATCH).with_for_update(skip_locked=True)
        ).all()
        if not due:
            return 0
        claimed = session.exec(
            update(Demand)
            .where(one_of(session, Demand.id, due), *waiting)
            .values(version=Demand.version + 1, updated_at=moment)
            .returning(Demand.id)
        ).all()
        claimed_ids = [i for (i,) in claimed]
        demands = session.exec(select(Demand).where(one_of(session, Demand.id, claimed_ids)).order_by(Demand.id)).all()
        try:
            with session.begin_nested():
                return _open_revisits(session, demands, moment)
        except Exception:  # noqa: BLE001 - the batch's writes are undone; its demands are done one by one
            log.warning("revisit batch write failed; opening its tasks one at a time", exc_info=True)
            return _open_revisits(session, demands, moment, one_by_one=True)


def _open_revisits(session, demands: list[Demand], moment, *, one_by_one: bool = False) -> int:
    newest = last_events(session, [demand.id for demand in demands])
    rows: list = []
    for demand in demands:
        try:
            with session.begin_nested() if one_by_one else nullcontext():
                made = _open_revisit(session, demand, newest.get(demand.id), moment)
                if one_by_one:
                    session.add_all(made)
                    session.flush()
        except Exception:  # one demand's failure must not undo the others
            log.exception("opening the revisit of demand %s failed", demand.id)
            continue
        rows += made
    if rows and not one_by_one:
        bulk_insert_objects(session, rows)
    return len(rows) // 2


def _open_revisit(session, demand: Demand, last: TimelineEvent | None, moment) -> tuple[RevisitTask, TimelineEvent]:
    """The demand's task and its public timeline event (chained to ``last``), not yet added."""
    detail = "企业逾期未评价,转推进中心电话回访"
    event = chained_event(
        last, demand_id=demand.id, actor_id=None, actor_label="系统", action="转电话回访", detail=detail,
        public_detail=detail, created_at=moment,
    )  # fmt: skip
    return RevisitTask(demand_id=demand.id, round=demand.round, created_at=moment), event


def expire_policies() -> int:
    """已发布 policies whose 有效期 has ended become 已失效 (one conditional UPDATE)."""
    today = local_date(now())
    with session_scope() as session:
        result = session.exec(
            update(Policy)
            .where(Policy.status == "已发布", Policy.effective_to.is_not(None), Policy.effective_to < today)
            .values(status="已失效", updated_at=now())
        )
        return result.rowcount or 0


def send_daily_digests(*, day: date | None = None) -> int:
    """每日待办: on each working day, every unit with open orders gets one notice with its pending and
    overdue counts (keyed by unit and date, so a second run the same day sends nothing)."""
    moment = now()
    if day is None:
        if moment.astimezone(local_zone()).hour < DIGEST_HOUR:
            return 0  # a morning message: a scheduler started at night waits for the morning
        day = local_date(moment)
    with session_scope() as session:
        if not get_calendar(session).is_workday(day):
            return 0
        rows = session.exec(
            select(
                WorkOrder.unit_id,
                func.sum(case((WorkOrder.status == W.PENDING_SIGN, 1), else_=0)),
                func.sum(case((WorkOrder.status == W.HANDLING, 1), else_=0)),
                func.sum(case((WorkOrder.due_at < moment, 1), else_=0)),
            )
            .where(WorkOrder.status.in_((W.PENDING_SIGN, W.HANDLING)))
            .group_by(WorkOrder.unit_id)
        ).all()
        names = dict(session.exec(select(Unit.id, Unit.name)).all())
    sent = 0
    for unit_id, pending_sign, handling, overdue in rows:
        key = f"digest:u{unit_id}:{day.isoformat()}"
        with session_scope() as session:
            if session.exec(select(Notification.id).where(Notification.unique_key == key)).first():
                continue
            notify(
                session,
                key=key,
                kind="每日待办",
                title=f"{names.get(unit_id, '')}今日待办",
                body=f"待签收{pending_sign or 0}件,办理中{handling or 0}件,其中超期{overdue or 0}件。",
                link=routes.STAFF_ORDERS,
                unit_id=unit_id,
            )
        sent += 1
    return sent
