"""The life of a demand (DESIGN §2, §3): 收集-转办-办理-反馈-回访-销号.

Every write here: checks the actor's role, ownership and the current state; changes the rows; adds
exactly one timeline event; all in one transaction. Concurrent actions on one demand are serialised
by a compare-and-set on ``demand.version`` (every action bumps it), so of two dispatchers, or of a
sign racing a return, exactly one wins and the other gets ``Conflict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from portal.core import security
from portal.core.calendar import end_of_local_day, get_calendar, local_date, local_zone
from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.dto import Actor
from portal.models.enums import (
    DISPATCH_LEVELS, SATISFIED, DemandKind, DemandStatus as S, ExtensionStatus, LimitLevel, OrderRole,
    RevisitStatus, Role, Satisfaction, UnitKind, WorkOrderStatus as W,
)
from portal.models.tables import (
    Attachment, Demand, DemandCodeSequence, Enterprise, ExtensionRequest, Notification, Rating,
    RevisitTask, TimeLimitRule, Topic, Unit, User, Verification, WorkOrder,
)
from portal.services import attachments as files
from portal.services import timeline
from portal.services.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from portal.services.search import cjk_bigrams

DEFAULT_LIMITS = {LimitLevel.INSTANT: 0, LimitLevel.NORMAL: 5, LimitLevel.COMPLEX: 15, LimitLevel.HARD: 30,
                  LimitLevel.REDO: 3, LimitLevel.SIGN: 1, LimitLevel.RATE: 3, LimitLevel.CO_OPINION: 3}
RETURN_KINDS = ("非本单位职责", "申请提级")
MAX_UNREACHABLE_ATTEMPTS = 3


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    data: bytes


# ── small helpers ───────────────────────────────────────────────────────────────────────────


def _text(value, *, limit: int) -> str:
    return value.strip()[:limit + 1] if isinstance(value, str) else ""


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _require(actor: Actor | None, *roles: str) -> Actor:
    if actor is None or actor.role not in roles:
        raise Forbidden()
    return actor


def limit_days(session: Session, level: str) -> int:
    rule = session.exec(select(TimeLimitRule).where(TimeLimitRule.level == level)).first()
    return rule.working_days if rule else DEFAULT_LIMITS[LimitLevel(level)]


def _due(session: Session, start: datetime, level: str) -> datetime:
    return get_calendar(session).add_working_days(start, limit_days(session, level))


def _label(session: Session, actor: Actor) -> str:
    if actor.role == Role.ENTERPRISE and actor.enterprise_id:
        enterprise = session.get(Enterprise, actor.enterprise_id)
        return f"{enterprise.name if enterprise else '企业'}·{actor.display_name}"
    if actor.unit_id:
        unit = session.get(Unit, actor.unit_id)
        return f"{unit.name if unit else ''}·{actor.display_name}"
    return actor.display_name


def _bump(session: Session, demand: Demand, **values) -> None:
    """Compare-and-set on the demand's version: the one gate every action passes through."""
    moment = values.pop("_moment", None) or now()
    result = session.exec(
        update(Demand).where(Demand.id == demand.id, Demand.version == demand.version)
        .values(**values, updated_at=moment, version=demand.version + 1)
    )
    if result.rowcount != 1:
        raise Conflict()
    for key, value in values.items():
        setattr(demand, key, value)
    demand.version += 1
    demand.updated_at = moment


def _set_order(session: Session, order: WorkOrder, **values) -> None:
    result = session.exec(
        update(WorkOrder).where(WorkOrder.id == order.id, WorkOrder.version == order.version)
        .values(**values, version=order.version + 1)
    )
    if result.rowcount != 1:
        raise Conflict()
    for key, value in values.items():
        setattr(order, key, value)
    order.version += 1


def _event(session: Session, demand: Demand, actor: Actor | None, action: str, detail: str = "",
           data: dict | None = None, moment: datetime | None = None, label: str | None = None) -> None:
    timeline.append(session, demand_id=demand.id, actor_id=actor.user_id if actor else None,
                    actor_label=label if label is not None else (_label(session, actor) if actor else "系统"),
                    action=action, detail=detail, data=data or {}, created_at=moment or now())


def _notify(session: Session, *, key: str, kind: str, title: str, body: str = "", link: str = "",
            user_id: int | None = None, unit_id: int | None = None) -> None:
    """Idempotent by ``key``: sending the same notice twice stores it once."""
    if session.exec(select(Notification.id).where(Notification.unique_key == key)).first():
        return
    session.add(Notification(user_id=user_id, unit_id=unit_id, kind=kind, title=title, body=body[:1000],
                             link=link, unique_key=key[:120]))


def _notify_enterprise(session: Session, demand: Demand, kind: str, title: str, body: str = "") -> None:
    user_id = demand.submitted_by_id
    if user_id is None or session.get(User, user_id).role != Role.ENTERPRISE:
        user_id = session.exec(select(User.id).where(User.enterprise_id == demand.enterprise_id)
                               .order_by(User.id)).first()
    if user_id:
        _notify(session, key=f"d{demand.id}:{kind}:{demand.round}:{demand.version}", kind=kind, title=title,
                body=body, link=f"/my/demands/{demand.id}", user_id=user_id)


def _center_unit_id(session: Session) -> int | None:
    return session.exec(select(Unit.id).where(Unit.kind == UnitKind.CENTER).order_by(Unit.id)).first()


def _notify_center(session: Session, demand: Demand, kind: str, title: str, body: str = "") -> None:
    unit_id = _center_unit_id(session)
    if unit_id:
        _notify(session, key=f"d{demand.id}:{kind}:{demand.round}:{demand.version}", kind=kind, title=title,
                body=body, link=f"/staff/demands/{demand.id}", unit_id=unit_id)


def _demand(session: Session, demand_id) -> Demand:
    demand_id = _int(demand_id)
    demand = session.get(Demand, demand_id) if demand_id else None
    if demand is None:
        raise NotFound()
    return demand


def _own_demand(session: Session, actor: Actor, demand_id) -> Demand:
    demand = _demand(session, demand_id)
    if actor.role != Role.ENTERPRISE or demand.enterprise_id != actor.enterprise_id:
        raise NotFound()  # same words as a missing one: ids of others are not confirmed
    return demand


def _order_of_my_unit(session: Session, actor: Actor, order_id) -> tuple[WorkOrder, Demand]:
    _require(actor, Role.HANDLER)
    order_id = _int(order_id)
    order = session.get(WorkOrder, order_id) if order_id else None
    if order is None or order.unit_id != actor.unit_id:
        raise NotFound("工单不存在或不属于本单位")
    return order, session.get(Demand, order.demand_id)


def _live_orders(session: Session, demand: Demand) -> list[WorkOrder]:
    return session.exec(select(WorkOrder).where(
        WorkOrder.demand_id == demand.id, WorkOrder.round == demand.round,
        WorkOrder.status.in_([W.PENDING_SIGN, W.HANDLING, W.FED_BACK]),
    )).all()


def _lead_order(session: Session, demand: Demand) -> WorkOrder | None:
    return session.exec(select(WorkOrder).where(
        WorkOrder.demand_id == demand.id, WorkOrder.round == demand.round, WorkOrder.order_role == OrderRole.LEAD,
        WorkOrder.status.in_([W.PENDING_SIGN, W.HANDLING, W.FED_BACK]),
    ).order_by(WorkOrder.id.desc())).first()


def _round_lead(session: Session, demand: Demand) -> WorkOrder | None:
    """The lead order of the current round, whatever its status (verification needs the fed-back one)."""
    return session.exec(select(WorkOrder).where(WorkOrder.demand_id == demand.id, WorkOrder.round == demand.round,
                                                WorkOrder.order_role == OrderRole.LEAD)
                        .order_by(WorkOrder.id.desc())).first()


def _write(fn):
    """Run a write in one transaction; a lost race (SQLite busy snapshot) reads as a conflict."""
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise Conflict() from exc
            raise
        except IntegrityError as exc:
            raise Conflict() from exc
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


# ── codes ───────────────────────────────────────────────────────────────────────────────────


def next_demand_code(session: Session, moment: datetime) -> str:
    """QS + local date + 4-digit daily sequence, taken with one atomic upsert (safe under concurrency)."""
    day = local_date(moment).strftime("%Y%m%d")
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(DemandCodeSequence).values(day=day, last_value=1)
    statement = statement.on_conflict_do_update(
        index_elements=["day"], set_={"last_value": DemandCodeSequence.last_value + 1}
    ).returning(DemandCodeSequence.last_value)
    value = session.exec(statement).scalar_one()
    return f"QS{day}{value:04d}"


# ── 1. enterprise: submit, withdraw, rate ───────────────────────────────────────────────────


@dataclass
class DemandForm:
    kind: str
    topic_id: int | str | None
    title: str
    content: str
    contact_name: str
    contact_phone: str
    suggested_unit_id: int | str | None = None
    files: list[UploadedFile] = field(default_factory=list)


def validate_demand_form(session: Session, form: DemandForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form.kind not in {k.value for k in DemandKind}:
        errors["kind"] = "请选择诉求类型"
    topic_id = _int(form.topic_id)
    topic = session.get(Topic, topic_id) if topic_id else None
    if topic is None or not topic.active:
        errors["topic_id"] = "请选择诉求事项"
    title = _text(form.title, limit=50)
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > 50:
        errors["title"] = "标题不超过50字"
    content = _text(form.content, limit=2000)
    if len(content) < 10:
        errors["content"] = "诉求内容至少10个字,请把问题和诉求说清楚"
    elif len(content) > 2000:
        errors["content"] = "诉求内容不超过2000字"
    if not _text(form.contact_name, limit=50):
        errors["contact_name"] = "请填写联系人"
    if err := security.phone_error(_text(form.contact_phone, limit=30)):
        errors["contact_phone"] = err
    if form.suggested_unit_id not in (None, "", 0):
        unit_id = _int(form.suggested_unit_id)
        unit = session.get(Unit, unit_id) if unit_id else None
        if unit is None or not unit.active or unit.kind == UnitKind.CENTER:
            errors["suggested_unit_id"] = "请选择建议解决部门"
    if len(form.files) > files.MAX_FILES_PER_SUBMISSION:
        errors["files"] = f"附件最多{files.MAX_FILES_PER_SUBMISSION}个"
    else:
        for item in form.files:
            try:
                files.check_file(item.filename, item.data)
            except ValidationFailed as exc:
                errors["files"] = exc.errors["files"]
                break
    return errors


@_write
def submit_demand(*, actor: Actor, form: DemandForm, channel: str = "线上提交") -> int:
    """An enterprise submits a demand (待受理). Returns its id."""
    _require(actor, Role.ENTERPRISE)
    stored: list[files.CheckedFile] = []
    try:
        with session_scope() as session:
            errors = validate_demand_form(session, form)
            if errors:
                raise ValidationFailed(errors)
            moment = now()
            title, content = _text(form.title, limit=50), _text(form.content, limit=2000)
            demand = Demand(
                code=next_demand_code(session, moment), enterprise_id=actor.enterprise_id,
                submitted_by_id=actor.user_id, channel=channel, kind=form.kind, topic_id=_int(form.topic_id),
                title=title, content=content, suggested_unit_id=_int(form.suggested_unit_id) or None,
                contact_name=_text(form.contact_name, limit=50),
                contact_phone=security.normalise_phone(_text(form.contact_phone, limit=30)),
                status=S.SUBMITTED, created_at=moment, updated_at=moment,
                search_tokens=cjk_bigrams(f"{title} {content}"),
            )
            session.add(demand)
            session.flush()
            for item in form.files:
                checked = files.store(item.filename, item.data)
                stored.append(checked)
                session.add(Attachment(demand_id=demand.id, purpose="诉求附件", uploaded_by_id=actor.user_id,
                                       filename=checked.filename, content_type=checked.content_type,
                                       size=checked.size, sha256=checked.sha256, storage_key=checked.storage_key))
            _event(session, demand, actor, "提交诉求", f"{form.kind}·{title}",
                   {"attachments": len(form.files)}, moment)
            _notify_center(session, demand, "新诉求", f"新诉求待受理:{title}", f"编号{demand.code}")
            return demand.id
    except BaseException:
        files.discard(stored)
        raise


@_write
def withdraw(*, actor: Actor, demand_id) -> None:
    _require(actor, Role.ENTERPRISE)
    with session_scope() as session:
        demand = _own_demand(session, actor, demand_id)
        if demand.status != S.SUBMITTED:
            raise ServiceError("只有待受理的诉求可以撤回")
        _bump(session, demand, status=S.WITHDRAWN, closed_at=now())
        _event(session, demand, actor, "撤回", "企业撤回诉求")


def _apply_rating(session: Session, demand: Demand, actor: Actor, *, satisfaction: str, contacted: bool,
                  comment: str, source: str) -> None:
    if demand.status != S.FEEDBACK:
        raise ServiceError("该诉求当前不在待评价状态")
    if satisfaction not in {s.value for s in Satisfaction}:
        raise ValidationFailed({"satisfaction": "请选择满意度"})
    if not isinstance(contacted, bool):
        raise ValidationFailed({"contacted": "请选择承办单位是否已与您联系"})
    comment = _text(comment, limit=1000)
    if len(comment) > 1000:
        raise ValidationFailed({"comment": "意见建议不超过1000字"})
    if satisfaction == Satisfaction.NOT and not comment:
        raise ValidationFailed({"comment": "评价不满意时请填写意见建议,便于重新办理"})
    moment = now()
    lead = _lead_order(session, demand)
    session.add(Rating(demand_id=demand.id, round=demand.round, satisfaction=satisfaction, contacted=contacted,
                       comment=comment, source=source, rated_by_id=actor.user_id,
                       lead_unit_id=lead.unit_id if lead else None, created_at=moment))
    if not contacted and lead is not None:
        _set_order(session, lead, suspected_false_feedback=True)
    task = session.exec(select(RevisitTask).where(RevisitTask.demand_id == demand.id,
                                                  RevisitTask.round == demand.round)).first()
    if task and task.status == RevisitStatus.OPEN:
        task.status, task.completed_at = RevisitStatus.DONE, moment
        session.add(task)
    detail = f"{satisfaction};承办单位{'已' if contacted else '未'}联系" + (f";{comment}" if comment else "")
    if satisfaction in SATISFIED:
        _bump(session, demand, status=S.CLOSED, closed_at=moment, _moment=moment)
        _event(session, demand, actor, f"{source}·评价", detail, {"satisfaction": satisfaction}, moment)
        _notify_enterprise(session, demand, "已办结", f"诉求{demand.code}已办结", "感谢您的评价")
    elif lead is None:
        # 即时答复 not accepted: the centre must route it to a unit this time.
        _bump(session, demand, status=S.RETURNED, round=demand.round + 1, rate_due_at=None, _moment=moment)
        _event(session, demand, actor, f"{source}·评价", detail + ";转承办单位办理", {"satisfaction": satisfaction},
               moment)
        _notify_center(session, demand, "即时答复不满意", f"即时答复不满意,请派单:{demand.title}")
    elif demand.round == 1:
        _start_redo(session, demand, lead.unit_id, actor, moment, f"{source}·评价", detail)
    else:
        _bump(session, demand, status=S.VERIFYING, rate_due_at=None, _moment=moment)
        session.add(Verification(demand_id=demand.id, round=demand.round, created_at=moment))
        _event(session, demand, actor, f"{source}·评价", detail + ";转办结核查", {"satisfaction": satisfaction}, moment)
        _notify(session, key=f"d{demand.id}:核查:{demand.round}", kind="办结核查", unit_id=lead.unit_id,
                title=f"请上传不满意诉求审核反馈表:{demand.title}", link=f"/staff/demands/{demand.id}")
        _notify_center(session, demand, "办结核查", f"两次不满意,待核查:{demand.title}")


def _start_redo(session: Session, demand: Demand, unit_id: int, actor: Actor | None, moment: datetime,
                action: str, detail: str) -> None:
    """重办: a new round for the same lead unit, 3 working days, already signed (the unit owns it)."""
    due = _due(session, moment, LimitLevel.REDO)
    new_round = demand.round + 1
    _bump(session, demand, status=S.REDO, round=new_round, due_at=due, rate_due_at=None, _moment=moment)
    session.add(WorkOrder(demand_id=demand.id, unit_id=unit_id, order_role=OrderRole.LEAD, round=new_round,
                          status=W.HANDLING, level=LimitLevel.REDO, dispatched_at=moment, sign_due_at=moment,
                          signed_at=moment, due_at=due, original_due_at=due, due_reason="重办(3个工作日)",
                          next_check_at=moment))
    _event(session, demand, actor, action, detail + f";第{new_round}轮重办,期限{_fmt(due)}",
           {"round": new_round, "due_at": due.isoformat()}, moment)
    _notify(session, key=f"d{demand.id}:重办:{new_round}", kind="重办", unit_id=unit_id,
            title=f"诉求重办:{demand.title}", body=f"办理期限{_fmt(due)}", link=f"/staff/demands/{demand.id}")


@_write
def rate(*, actor: Actor, demand_id, satisfaction: str, contacted: bool, comment: str = "") -> None:
    """一事一评 by the enterprise."""
    _require(actor, Role.ENTERPRISE)
    with session_scope() as session:
        demand = _own_demand(session, actor, demand_id)
        _apply_rating(session, demand, actor, satisfaction=satisfaction, contacted=contacted, comment=comment,
                      source="线上评价")


# ── 2. dispatcher: dispatch, instant answer, reject ─────────────────────────────────────────


def _check_awaiting_dispatch(demand: Demand, verb: str) -> None:
    if demand.status not in (S.SUBMITTED, S.RETURNED):
        raise ServiceError(f"该诉求当前为“{demand.status}”,不能{verb}")


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M") if moment else ""


@_write
def dispatch(*, actor: Actor, demand_id, lead_unit_id, co_unit_ids=(), level: str) -> None:
    """派单 to a lead unit (and co-units) with a time-limit level."""
    _require(actor, Role.DISPATCHER)
    with session_scope() as session:
        demand = _demand(session, demand_id)
        _check_awaiting_dispatch(demand, "派单")
        errors: dict[str, str] = {}
        lead_id = _int(lead_unit_id)
        lead = session.get(Unit, lead_id) if lead_id else None
        if lead is None or not lead.active or lead.kind == UnitKind.CENTER:
            errors["lead_unit_id"] = "请选择承办单位"
        co_ids = []
        if not isinstance(co_unit_ids, (list, tuple)):
            errors["co_unit_ids"] = "协办单位有误"
        else:
            for raw in co_unit_ids:
                unit_id = _int(raw)
                unit = session.get(Unit, unit_id) if unit_id else None
                if unit is None or not unit.active or unit.kind == UnitKind.CENTER:
                    errors["co_unit_ids"] = "协办单位有误"
                elif unit_id == lead_id:
                    errors["co_unit_ids"] = "协办单位不能与承办单位相同"
                elif unit_id not in co_ids:
                    co_ids.append(unit_id)
        if level not in {lvl.value for lvl in DISPATCH_LEVELS}:
            errors["level"] = "请选择时限等级"
        if errors:
            raise ValidationFailed(errors)
        moment = now()
        due = _due(session, moment, level)
        sign_due = min(_due(session, moment, LimitLevel.SIGN), due) if level != LimitLevel.INSTANT else due
        co_due = min(_due(session, moment, LimitLevel.CO_OPINION), due)
        _bump(session, demand, status=S.DISPATCHED, lead_unit_id=lead_id, level=level, due_at=due, _moment=moment)
        session.add(WorkOrder(demand_id=demand.id, unit_id=lead_id, order_role=OrderRole.LEAD, round=demand.round,
                              status=W.PENDING_SIGN, level=level, dispatched_by_id=actor.user_id,
                              dispatched_at=moment, sign_due_at=sign_due, due_at=due, original_due_at=due,
                              due_reason=f"{level}({limit_days(session, level)}个工作日)", next_check_at=moment))
        names = []
        for unit_id in co_ids:
            names.append(session.get(Unit, unit_id).name)
            session.add(WorkOrder(demand_id=demand.id, unit_id=unit_id, order_role=OrderRole.CO, round=demand.round,
                                  status=W.PENDING_SIGN, level=level, dispatched_by_id=actor.user_id,
                                  dispatched_at=moment, sign_due_at=sign_due, due_at=co_due, original_due_at=co_due,
                                  due_reason="协办意见", next_check_at=moment))
        detail = f"承办单位:{lead.name}" + (f";协办单位:{'、'.join(names)}" if names else "") + \
            f";时限:{level},{_fmt(due)}前办结"
        _event(session, demand, actor, "派单", detail,
               {"lead_unit_id": lead_id, "co_unit_ids": co_ids, "level": level, "due_at": due.isoformat()}, moment)
        for unit_id in [lead_id, *co_ids]:
            _notify(session, key=f"d{demand.id}:派单:{demand.round}:{demand.version}:{unit_id}", kind="新工单",
                    unit_id=unit_id, title=f"新工单待签收:{demand.title}", body=f"{_fmt(sign_due)}前签收",
                    link=f"/staff/demands/{demand.id}")
        _notify_enterprise(session, demand, "已派单", f"诉求{demand.code}已转{lead.name}办理",
                           f"预计{_fmt(due)}前办结")


@_write
def instant_answer(*, actor: Actor, demand_id, answer: str) -> None:
    """即时答复 by the dispatcher; then it waits for the rating like any feedback."""
    _require(actor, Role.DISPATCHER)
    with session_scope() as session:
        demand = _demand(session, demand_id)
        _check_awaiting_dispatch(demand, "即时答复")
        answer = _text(answer, limit=2000)
        if len(answer) < 5:
            raise ValidationFailed({"answer": "请填写答复内容(至少5个字)"})
        moment = now()
        rate_due = _due(session, moment, LimitLevel.RATE)
        _bump(session, demand, status=S.FEEDBACK, instant_answer=answer, rate_due_at=rate_due, level=LimitLevel.INSTANT,
              _moment=moment)
        _event(session, demand, actor, "即时答复", answer, {}, moment)
        _notify_enterprise(session, demand, "请评价", f"诉求{demand.code}已答复,请评价", answer[:200])


@_write
def reject(*, actor: Actor, demand_id, reason: str) -> None:
    _require(actor, Role.DISPATCHER)
    with session_scope() as session:
        demand = _demand(session, demand_id)
        _check_awaiting_dispatch(demand, "不予受理")
        reason = _text(reason, limit=500)
        if len(reason) < 2:
            raise ValidationFailed({"reason": "请填写不予受理的理由"})
        _bump(session, demand, status=S.REJECTED, reject_reason=reason, closed_at=now())
        _event(session, demand, actor, "不予受理", reason)
        _notify_enterprise(session, demand, "不予受理", f"诉求{demand.code}不予受理", reason)


# ── 3. handler: sign, return, extend, feedback, co-opinion ─────────────────────────────────


@_write
def sign(*, actor: Actor, order_id) -> None:
    with session_scope() as session:
        order, demand = _order_of_my_unit(session, actor, order_id)
        if order.status != W.PENDING_SIGN:
            raise Conflict("该工单已签收或已退回")
        moment = now()
        _set_order(session, order, status=W.HANDLING, signed_at=moment, signed_by_id=actor.user_id)
        values = {"_moment": moment}
        if order.order_role == OrderRole.LEAD and demand.status == S.DISPATCHED:
            values["status"] = S.HANDLING
        _bump(session, demand, **values)
        _event(session, demand, actor, "签收", f"{order.order_role}单位签收", {"order_id": order.id}, moment)


@_write
def return_order(*, actor: Actor, order_id, kind: str, reason: str) -> None:
    """退回 before signing, with a reason: 非本单位职责 or 申请提级."""
    with session_scope() as session:
        order, demand = _order_of_my_unit(session, actor, order_id)
        if order.status != W.PENDING_SIGN:
            raise Conflict("工单已签收,不能退回")
        errors = {}
        if kind not in RETURN_KINDS:
            errors["return_kind"] = "请选择退回原因"
        reason = _text(reason, limit=500)
        if len(reason) < 2:
            errors["return_reason"] = "请说明退回理由"
        if errors:
            raise ValidationFailed(errors)
        moment = now()
        _set_order(session, order, status=W.RETURNED, returned_at=moment, return_kind=kind, return_reason=reason,
                   next_check_at=None)
        if order.order_role == OrderRole.LEAD:
            for other in _live_orders(session, demand):
                _set_order(session, other, status=W.CANCELLED, next_check_at=None)
            _bump(session, demand, status=S.RETURNED, lead_unit_id=None, due_at=None, _moment=moment)
        else:
            _bump(session, demand, _moment=moment)
        _event(session, demand, actor, "退回", f"{order.order_role}单位退回({kind}):{reason}",
               {"order_id": order.id, "kind": kind}, moment)
        _notify_center(session, demand, "工单退回", f"工单被退回({kind}):{demand.title}", reason)


@_write
def request_extension(*, actor: Actor, order_id, reason: str, new_due_date) -> int:
    with session_scope() as session:
        order, demand = _order_of_my_unit(session, actor, order_id)
        if order.order_role != OrderRole.LEAD or order.status != W.HANDLING:
            raise ServiceError("只有办理中的主办工单可以申请延期")
        moment = now()
        if moment > order.due_at:
            raise ServiceError("已超过办理期限,不能再申请延期")
        if session.exec(select(ExtensionRequest.id).where(ExtensionRequest.work_order_id == order.id,
                                                          ExtensionRequest.status == ExtensionStatus.PENDING)).first():
            raise ServiceError("已有待审批的延期申请")
        errors = {}
        reason = _text(reason, limit=500)
        if len(reason) < 4:
            errors["extension_reason"] = "请填写延期原因"
        try:
            wanted = new_due_date if isinstance(new_due_date, date) else date.fromisoformat(str(new_due_date))
        except ValueError:
            wanted = None
        if wanted is None:
            errors["extension_due"] = "请选择延期至日期"
        elif wanted <= local_date(order.due_at):
            errors["extension_due"] = "延期至日期须晚于当前办理期限"
        elif not get_calendar(session).is_workday(wanted):
            errors["extension_due"] = "延期至日期须为工作日"
        if errors:
            raise ValidationFailed(errors)
        request = ExtensionRequest(work_order_id=order.id, requested_by_id=actor.user_id, reason=reason,
                                   requested_due_at=end_of_local_day(wanted), created_at=moment)
        session.add(request)
        _bump(session, demand, _moment=moment)
        session.flush()
        _event(session, demand, actor, "申请延期", f"申请延期至{wanted.isoformat()}:{reason}",
               {"request_id": request.id}, moment)
        _notify_center(session, demand, "延期申请", f"延期申请待审批:{demand.title}", reason)
        return request.id


@_write
def decide_extension(*, actor: Actor, request_id, approve: bool, note: str = "") -> None:
    """同意延期 / 驳回延期, before the current due date."""
    _require(actor, Role.DISPATCHER)
    with session_scope() as session:
        request_id = _int(request_id)
        request = session.get(ExtensionRequest, request_id) if request_id else None
        if request is None:
            raise NotFound()
        if request.status != ExtensionStatus.PENDING:
            raise Conflict("该延期申请已处理")
        order = session.get(WorkOrder, request.work_order_id)
        demand = session.get(Demand, order.demand_id)
        moment = now()
        if approve and moment > order.due_at:
            raise ServiceError("已超过原办理期限,不能再同意延期")
        if order.status != W.HANDLING:
            raise ServiceError("工单已不在办理中")
        note = _text(note, limit=500)
        if not approve and len(note) < 2:
            raise ValidationFailed({"decision_note": "驳回延期请说明理由"})
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        request.decided_by_id, request.decided_at, request.decision_note = actor.user_id, moment, note
        session.add(request)
        if approve:
            _set_order(session, order, due_at=request.requested_due_at, due_reason="延期", next_check_at=moment)
            _bump(session, demand, due_at=request.requested_due_at, _moment=moment)
            detail = f"同意延期至{_fmt(request.requested_due_at)}(原期限{_fmt(order.original_due_at)})"
        else:
            _bump(session, demand, _moment=moment)
            detail = f"驳回延期:{note}"
        _event(session, demand, actor, "同意延期" if approve else "驳回延期", detail, {"request_id": request.id},
               moment)
        _notify(session, key=f"ext{request.id}:{request.status}", kind="延期审批", unit_id=order.unit_id,
                title=f"延期申请{request.status}:{demand.title}", body=detail, link=f"/staff/demands/{demand.id}")


@_write
def submit_co_opinion(*, actor: Actor, order_id, opinion: str) -> None:
    with session_scope() as session:
        order, demand = _order_of_my_unit(session, actor, order_id)
        if order.order_role != OrderRole.CO or order.status != W.HANDLING:
            raise ServiceError("只有已签收的协办工单可以提交协办意见")
        opinion = _text(opinion, limit=2000)
        if len(opinion) < 5:
            raise ValidationFailed({"co_opinion": "请填写协办意见(至少5个字)"})
        moment = now()
        _set_order(session, order, status=W.FED_BACK, co_opinion=opinion, feedback_at=moment, next_check_at=None)
        _bump(session, demand, _moment=moment)
        _event(session, demand, actor, "协办意见", opinion, {"order_id": order.id}, moment)
        lead = _lead_order(session, demand)
        if lead:
            _notify(session, key=f"co{order.id}", kind="协办意见", unit_id=lead.unit_id,
                    title=f"协办单位已提交意见:{demand.title}", link=f"/staff/demands/{demand.id}")


@_write
def submit_feedback(*, actor: Actor, order_id, reply: str, method: str, solved, attachments_in=()) -> None:
    """提交办理结果: the lead unit replies to the enterprise; the demand waits for the rating."""
    stored: list[files.CheckedFile] = []
    try:
        with session_scope() as session:
            order, demand = _order_of_my_unit(session, actor, order_id)
            if order.order_role != OrderRole.LEAD or order.status != W.HANDLING:
                raise ServiceError("只有办理中的主办工单可以提交办理结果")
            errors = {}
            reply = _text(reply, limit=2000)
            if len(reply) < 10:
                errors["reply"] = "答复内容至少10个字"
            method = _text(method, limit=200)
            if not method:
                errors["method"] = "请填写解决方式"
            if not isinstance(solved, bool):
                errors["solved"] = "请选择是否解决"
            if len(attachments_in) > files.MAX_FILES_PER_SUBMISSION:
                errors["files"] = f"附件最多{files.MAX_FILES_PER_SUBMISSION}个"
            if errors:
                raise ValidationFailed(errors)
            for item in attachments_in:
                files.check_file(item.filename, item.data)
            moment = now()
            _set_order(session, order, status=W.FED_BACK, reply_content=reply, solve_method=method, solved=solved,
                       feedback_at=moment, next_check_at=None)
            rate_due = _due(session, moment, LimitLevel.RATE)
            _bump(session, demand, status=S.FEEDBACK, rate_due_at=rate_due, _moment=moment)
            for item in attachments_in:
                checked = files.store(item.filename, item.data)
                stored.append(checked)
                session.add(Attachment(demand_id=demand.id, work_order_id=order.id, purpose="办理附件",
                                       uploaded_by_id=actor.user_id, filename=checked.filename,
                                       content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                                       storage_key=checked.storage_key))
            _event(session, demand, actor, "办理反馈", reply,
                   {"order_id": order.id, "solved": solved, "method": method}, moment)
            _notify_enterprise(session, demand, "请评价", f"诉求{demand.code}已答复,请评价", reply[:200])
    except BaseException:
        files.discard(stored)
        raise


# ── 4. revisits and verification ────────────────────────────────────────────────────────────


def open_due_revisits() -> int:
    """Scheduler sweep: demands still 待评价 after the rating window get a 回访 task (once per round)."""
    moment = now()
    created = 0
    with session_scope() as session:
        due = session.exec(select(Demand).where(Demand.status == S.FEEDBACK, Demand.rate_due_at < moment)).all()
        for demand in due:
            exists = session.exec(select(RevisitTask.id).where(RevisitTask.demand_id == demand.id,
                                                               RevisitTask.round == demand.round)).first()
            if exists:
                continue
            session.add(RevisitTask(demand_id=demand.id, round=demand.round, created_at=moment))
            try:
                session.flush()
            except IntegrityError:  # another sweeper made it first
                session.rollback()
                continue
            _bump(session, demand, _moment=moment)
            _event(session, demand, None, "转电话回访", "企业逾期未评价,转推进中心电话回访", {}, moment, label="系统")
            created += 1
    return created


def _open_task(session: Session, task_id) -> tuple[RevisitTask, Demand]:
    task_id = _int(task_id)
    task = session.get(RevisitTask, task_id) if task_id else None
    if task is None:
        raise NotFound()
    if task.status != RevisitStatus.OPEN:
        raise Conflict("该回访任务已完成")
    return task, session.get(Demand, task.demand_id)


@_write
def record_revisit(*, actor: Actor, task_id, satisfaction: str, contacted: bool, comment: str = "") -> None:
    """登记回访: the dispatcher records the phone rating on the enterprise's behalf."""
    _require(actor, Role.DISPATCHER)
    with session_scope() as session:
        task, demand = _open_task(session, task_id)
        _apply_rating(session, demand, actor, satisfaction=satisfaction, contacted=contacted, comment=comment,
                      source="电话回访")


@_write
def record_unreachable(*, actor: Actor, task_id, note: str = "") -> None:
    """One failed call; the third closes the demand unrated (excluded from satisfaction figures)."""
    _require(actor, Role.DISPATCHER)
    with session_scope() as session:
        task, demand = _open_task(session, task_id)
        if demand.status != S.FEEDBACK:
            raise Conflict("该诉求已不在待评价状态")
        moment = now()
        task.attempts += 1
        task.last_attempt_note = _text(note, limit=500)
        if task.attempts >= MAX_UNREACHABLE_ATTEMPTS:
            task.status, task.completed_at = RevisitStatus.UNREACHABLE, moment
            _bump(session, demand, status=S.CLOSED, closed_at=moment, closed_unrated=True, _moment=moment)
            _event(session, demand, actor, "无法联系", f"第{task.attempts}次回访未接通,按无法联系办结(不计入满意率)",
                   {"attempts": task.attempts}, moment)
        else:
            _bump(session, demand, _moment=moment)
            _event(session, demand, actor, "回访未接通", f"第{task.attempts}次回访未接通" +
                   (f":{task.last_attempt_note}" if task.last_attempt_note else ""), {"attempts": task.attempts}, moment)
        session.add(task)


@_write
def upload_review_form(*, actor: Actor, demand_id, upload: UploadedFile, note: str = "") -> None:
    """The lead unit uploads the 不满意诉求审核反馈表 signed by its head."""
    _require(actor, Role.HANDLER)
    stored: list[files.CheckedFile] = []
    try:
        with session_scope() as session:
            demand = _demand(session, demand_id)
            lead = _round_lead(session, demand)
            if lead is None or lead.unit_id != actor.unit_id:
                raise NotFound()
            if demand.status != S.VERIFYING:
                raise ServiceError("该诉求不在核查中")
            verification = session.exec(select(Verification).where(Verification.demand_id == demand.id,
                                                                    Verification.round == demand.round)).one()
            if not isinstance(upload, UploadedFile):
                raise ValidationFailed({"files": "请上传审核反馈表"})
            checked = files.store(upload.filename, upload.data)
            stored.append(checked)
            attachment = Attachment(demand_id=demand.id, work_order_id=lead.id, purpose="审核反馈表",
                                    uploaded_by_id=actor.user_id, filename=checked.filename,
                                    content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                                    storage_key=checked.storage_key)
            session.add(attachment)
            session.flush()
            verification.form_attachment_id = attachment.id
            verification.unit_note = _text(note, limit=1000)
            session.add(verification)
            _bump(session, demand)
            _event(session, demand, actor, "上传审核反馈表", checked.filename, {"attachment_id": attachment.id})
            _notify_center(session, demand, "审核反馈表", f"审核反馈表已上传,待核查:{demand.title}")
    except BaseException:
        files.discard(stored)
        raise


@_write
def decide_verification(*, actor: Actor, demand_id, close: bool, opinion: str) -> None:
    """核查办结 with an opinion, or order another round (重办)."""
    _require(actor, Role.DISPATCHER)
    with session_scope() as session:
        demand = _demand(session, demand_id)
        if demand.status != S.VERIFYING:
            raise ServiceError("该诉求不在核查中")
        verification = session.exec(select(Verification).where(Verification.demand_id == demand.id,
                                                                Verification.round == demand.round)).one()
        if verification.form_attachment_id is None:
            raise ServiceError("承办单位尚未上传不满意诉求审核反馈表")
        opinion = _text(opinion, limit=1000)
        if len(opinion) < 4:
            raise ValidationFailed({"opinion": "请填写核查意见"})
        moment = now()
        verification.opinion, verification.decided_by_id, verification.decided_at = opinion, actor.user_id, moment
        verification.decision = "核查办结" if close else "重办"
        session.add(verification)
        if close:
            _bump(session, demand, status=S.CLOSED, closed_at=moment, _moment=moment)
            _event(session, demand, actor, "核查办结", opinion, {}, moment)
            _notify_enterprise(session, demand, "已办结", f"诉求{demand.code}经核查办结", opinion)
        else:
            _start_redo(session, demand, _round_lead(session, demand).unit_id, actor, moment, "核查意见:重办", opinion)
