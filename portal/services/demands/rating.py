"""回访-销号: the enterprise rates the reply (一事一评) on the national five-level scale, or the 推进中心
records it by phone. A 差评 (不满意, 非常不满意) on a unit's reply opens a 差评整改 case with a 重办 round
(``rectification``); a 差评 after that 重办 is the case's second round: 办结核查 (DESIGN §2 "Rounds")."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_bounded_int
from portal.models.enums import (
    BAD_RATINGS,
    SATISFIED,
    SUB_SCORES,
    LimitLevel,
    OrderRole,
    RatingSource,
    RevisitStatus,
    Role,
    Satisfaction,
)
from portal.models.enums import DemandStatus as S
from portal.models.enums import WorkOrderStatus as W
from portal.models.tables import Demand, Rating, RevisitTask, Verification, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.errors import Conflict, ServiceError, ValidationFailed
from portal.services.base.notices import notify_center, notify_enterprise, notify_unit
from portal.services.base.text import clean_text
from portal.services.demands import rectification
from portal.services.demands.workflow import (
    advance_demand,
    due_after,
    lead_order,
    limit_days,
    own_demand,
    record_event,
    update_order,
)

MAX_UNREACHABLE_ATTEMPTS = 3


def _checked_rating(satisfaction: str, contacted, comment) -> str:
    """The cleaned comment, or ``ValidationFailed``."""
    if satisfaction not in {s.value for s in Satisfaction}:
        raise ValidationFailed({"satisfaction": "请选择满意度"})
    if not isinstance(contacted, bool):
        raise ValidationFailed({"contacted": "请选择承办单位是否已与您联系"})
    comment = clean_text(comment, limit=1000)
    if len(comment) > 1000:
        raise ValidationFailed({"comment": "意见建议不超过1000字"})
    if satisfaction in BAD_RATINGS and not comment:
        raise ValidationFailed({"comment": f"评价{satisfaction}时请填写意见建议,便于整改"})
    return comment


def checked_scores(scores) -> dict[str, int | None]:
    """The optional sub-scores (办理时效, 办理结果, 服务态度): each blank or a whole number 1–5."""
    scores = scores if isinstance(scores, dict) else {}
    checked: dict[str, int | None] = {}
    for key, label in SUB_SCORES.items():
        value = scores.get(key)
        if value is None or value == "":
            checked[key] = None
            continue
        number = parse_bounded_int(value, low=1, high=5)
        if number is None:
            raise ValidationFailed({key: f"{label}评分须为1–5分"})
        checked[key] = number
    return checked


def _close_revisit_task(session: Session, demand: Demand, moment: datetime) -> None:
    task = session.exec(
        select(RevisitTask).where(RevisitTask.demand_id == demand.id, RevisitTask.round == demand.round)
    ).first()
    if task and task.status == RevisitStatus.OPEN:
        task.status, task.completed_at = RevisitStatus.DONE, moment
        session.add(task)


def apply_rating(
    session: Session,
    demand: Demand,
    actor: Actor | None,
    *,
    satisfaction: str,
    contacted: bool,
    comment: str,
    source: str,
    scores: dict | None = None,
) -> None:
    """Record one rating and move the demand on: closed, 差评整改 (重办), 退回待派 (an instant answer) or 核查中."""
    if demand.status != S.FEEDBACK:
        raise ServiceError("该诉求当前不在待评价状态")
    comment = _checked_rating(satisfaction, contacted, comment)
    sub_scores = checked_scores(scores)
    moment = now()
    lead = lead_order(session, demand)
    case = rectification.open_case(session, demand)
    rating = Rating(
        demand_id=demand.id,
        round=demand.round,
        satisfaction=satisfaction,
        contacted=contacted,
        comment=comment,
        source=source,
        rated_by_id=actor.user_id if actor else None,
        lead_unit_id=lead.unit_id if lead else None,
        created_at=moment,
        **sub_scores,
    )
    session.add(rating)
    session.flush()
    if not contacted and lead is not None:
        update_order(session, lead, suspected_false_feedback=True)
    _close_revisit_task(session, demand, moment)
    action = f"{source}·评价" if source != RatingSource.DEFAULT else source
    detail = f"{satisfaction};承办单位{'已' if contacted else '未'}联系" + (f";{comment}" if comment else "")
    data = {"satisfaction": satisfaction}
    if satisfaction in SATISFIED:
        advance_demand(session, demand, status=S.CLOSED, closed_at=moment, moment=moment)
        record_event(session, demand, actor, action, detail, data, moment, public=True)
        notify_enterprise(session, demand, "已办结", f"诉求{demand.code}已办结", "感谢您的评价")
    elif lead is None:
        # 即时答复 not accepted: the centre must route it to a unit this time.
        advance_demand(session, demand, status=S.RETURNED, round=demand.round + 1, rate_due_at=None, moment=moment)
        record_event(session, demand, actor, action, detail + ";转承办单位办理", data, moment, public=True)
        notify_center(session, demand, "即时答复不满意", f"即时答复不满意,请派单:{demand.title}")
    elif case is None and not rectification.had_redo(session, demand):
        order = start_redo(session, demand, lead.unit_id, actor, moment, action, detail + ";转差评整改")
        rectification.start_case(session, demand, rating, order)
        notify_center(session, demand, "差评整改", f"收到{satisfaction}评价,已转差评整改:{demand.title}")
    else:
        _start_verification(session, demand, lead, actor, moment, action, detail + ";转办结核查", data)
    if case is not None:
        rectification.on_rating(session, demand, rating)


def _start_verification(
    session: Session,
    demand: Demand,
    lead: WorkOrder,
    actor: Actor,
    moment: datetime,
    action: str,
    detail: str,
    data: dict,
) -> None:
    advance_demand(session, demand, status=S.VERIFYING, rate_due_at=None, moment=moment)
    session.add(Verification(demand_id=demand.id, round=demand.round, created_at=moment))
    record_event(session, demand, actor, action, detail, data, moment, public=True)
    notify_unit(
        session,
        demand,
        key=f"d{demand.id}:核查:{demand.round}",
        kind="办结核查",
        unit_id=lead.unit_id,
        title=f"请上传不满意诉求审核反馈表:{demand.title}",
    )
    notify_center(session, demand, "办结核查", f"整改后仍为差评,待核查:{demand.title}")


def start_redo(
    session: Session,
    demand: Demand,
    unit_id: int,
    actor: Actor | None,
    moment: datetime,
    action: str,
    detail: str,
    *,
    public_prefix: str | None = None,
) -> WorkOrder:
    """重办: a new round for the same lead unit, 3 working days, already signed (the unit owns it).
    The enterprise sees ``public_prefix`` in place of ``detail`` when one is given (a staff opinion)."""
    due, days = due_after(session, moment, LimitLevel.REDO), limit_days(session, LimitLevel.REDO)
    new_round = demand.round + 1
    advance_demand(session, demand, status=S.REDO, round=new_round, due_at=due, rate_due_at=None, moment=moment)
    order = WorkOrder(
        demand_id=demand.id,
        unit_id=unit_id,
        order_role=OrderRole.LEAD,
        round=new_round,
        status=W.HANDLING,
        level=LimitLevel.REDO,
        dispatched_at=moment,
        sign_due_at=moment,
        signed_at=moment,
        due_at=due,
        original_due_at=due,
        due_reason=f"重办({days}个工作日)",
        limit_days=days,
        next_check_at=moment,
    )
    session.add(order)
    session.flush()
    record_event(
        session,
        demand,
        actor,
        action,
        detail + (suffix := f";第{new_round}轮重办,期限{format_instant(due)}"),
        {"round": new_round, "due_at": due.isoformat()},
        moment,
        public=True if public_prefix is None else public_prefix + suffix,
    )
    notify_unit(
        session,
        demand,
        key=f"d{demand.id}:重办:{new_round}",
        kind="重办",
        unit_id=unit_id,
        title=f"诉求重办:{demand.title}",
        body=f"办理期限{format_instant(due)}",
    )
    return order


@transactional
def rate(
    *, actor: Actor, demand_id, satisfaction: str, contacted: bool, comment: str = "", scores: dict | None = None
) -> None:
    """一事一评 by the enterprise (sub-scores optional)."""
    require_role(actor, Role.ENTERPRISE)
    with session_scope() as session:
        demand = own_demand(session, actor, demand_id)
        given = {"satisfaction": satisfaction, "contacted": contacted, "comment": comment, "scores": scores}
        apply_rating(session, demand, actor, source=RatingSource.ONLINE, **given)


def _open_task(session: Session, task_id) -> tuple[RevisitTask, Demand]:
    task = get_row(session, RevisitTask, task_id)
    if task.status != RevisitStatus.OPEN:
        raise Conflict("该回访任务已完成")
    return task, session.get(Demand, task.demand_id)


@transactional
def record_revisit(
    *, actor: Actor, task_id, satisfaction: str, contacted: bool, comment: str = "", scores: dict | None = None
) -> None:
    """登记回访: the dispatcher records the phone rating on the enterprise's behalf."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        _task, demand = _open_task(session, task_id)
        given = {"satisfaction": satisfaction, "contacted": contacted, "comment": comment, "scores": scores}
        apply_rating(session, demand, actor, source=RatingSource.PHONE, **given)


@transactional
def record_unreachable(*, actor: Actor, task_id, note: str = "") -> None:
    """One failed call; the third closes the demand unrated (excluded from satisfaction figures)."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        task, demand = _open_task(session, task_id)
        if demand.status != S.FEEDBACK:
            raise Conflict("该诉求已不在待评价状态")
        moment = now()
        task.attempts += 1
        task.last_attempt_note = clean_text(note, limit=500)
        if task.attempts >= MAX_UNREACHABLE_ATTEMPTS:
            task.status, task.completed_at = RevisitStatus.UNREACHABLE, moment
            advance_demand(session, demand, status=S.CLOSED, closed_at=moment, closed_unrated=True, moment=moment)
            record_event(
                session,
                demand,
                actor,
                "无法联系",
                f"第{task.attempts}次回访未接通,按无法联系办结(不计入满意率)",
                {"attempts": task.attempts},
                moment,
                public="多次电话回访未能联系到企业,诉求按无法联系办结",
            )
        else:
            advance_demand(session, demand, moment=moment)
            note_part = f":{task.last_attempt_note}" if task.last_attempt_note else ""
            record_event(
                session,
                demand,
                actor,
                "回访未接通",
                f"第{task.attempts}次回访未接通{note_part}",
                {"attempts": task.attempts},
                moment,
            )
        session.add(task)
