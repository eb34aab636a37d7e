"""办理: a unit signs for or returns its work order, asks for more time, gives a co-opinion or replies.
The 推进中心 decides extension requests."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from portal.core.calendar import end_of_local_day, local_date
from portal.core.clock import now
from portal.core.dates import DATE_HINT, parse_day
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.models.enums import DemandStatus as S
from portal.models.enums import ExtensionStatus, LimitLevel, OrderRole, Role
from portal.models.enums import WorkOrderStatus as W
from portal.models.tables import Demand, ExtensionRequest, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.errors import Conflict, ServiceError, ValidationFailed
from portal.services.base.notices import notify_center, notify_enterprise, notify_unit
from portal.services.base.text import clean_text
from portal.services.calendar.store import get_calendar
from portal.services.demands import attachments, rectification
from portal.services.demands.workflow import (
    advance_demand,
    due_after,
    lead_order,
    live_orders,
    order_of_my_unit,
    record_event,
    update_order,
)

RETURN_KINDS = ("非本单位职责", "申请提级")
RETURN_PUBLIC_WORDING = "承办单位已退回,推进中心将重新派单"


@transactional
def sign(*, actor: Actor, order_id) -> None:
    """签收: the unit takes the order; the lead's signature moves the demand to 办理中."""
    with session_scope() as session:
        order, demand = order_of_my_unit(session, actor, order_id)
        if order.status != W.PENDING_SIGN:
            raise Conflict("该工单已签收或已退回")
        moment = now()
        update_order(session, order, status=W.HANDLING, signed_at=moment, signed_by_id=actor.user_id)
        values = {"status": S.HANDLING} if order.order_role == OrderRole.LEAD and demand.status == S.DISPATCHED else {}
        advance_demand(session, demand, moment=moment, **values)
        record_event(
            session, demand, actor, "签收", f"{order.order_role}单位签收", {"order_id": order.id}, moment, public=True
        )


@transactional
def return_order(*, actor: Actor, order_id, kind: str, reason: str) -> None:
    """退回 before signing, with a reason: 非本单位职责 or 申请提级."""
    with session_scope() as session:
        order, demand = order_of_my_unit(session, actor, order_id)
        if order.status != W.PENDING_SIGN:
            raise Conflict("工单已签收,不能退回")
        errors = {}
        if kind not in RETURN_KINDS:
            errors["return_kind"] = "请选择退回原因"
        reason = clean_text(reason, limit=500)
        if len(reason) < 2:
            errors["return_reason"] = "请说明退回理由"
        if errors:
            raise ValidationFailed(errors)
        moment = now()
        update_order(
            session,
            order,
            status=W.RETURNED,
            returned_at=moment,
            return_kind=kind,
            return_reason=reason,
            next_check_at=None,
        )
        if order.order_role == OrderRole.LEAD:
            for other in live_orders(session, demand):
                update_order(session, other, status=W.CANCELLED, next_check_at=None)
            advance_demand(session, demand, status=S.RETURNED, lead_unit_id=None, due_at=None, moment=moment)
        else:
            advance_demand(session, demand, moment=moment)
        record_event(
            session,
            demand,
            actor,
            "退回",
            f"{order.order_role}单位退回({kind}):{reason}",
            {"order_id": order.id, "kind": kind},
            moment,
            # The reason is internal; the enterprise learns only that its demand is being re-routed.
            public=RETURN_PUBLIC_WORDING if order.order_role == OrderRole.LEAD else False,
        )
        notify_center(session, demand, "工单退回", f"工单被退回({kind}):{demand.title}", reason)


# DESIGN §8: an extension is bounded; 60 working days is three months, beyond any rule in the seeds.
MAX_EXTENSION_WORKING_DAYS = 60


def _wanted_due_date(session: Session, order: WorkOrder, raw) -> tuple[date | None, str]:
    """The requested new due date, or None and the message to show. At most MAX_EXTENSION_WORKING_DAYS
    beyond the current due date; the calendar-day check first, so no date makes the calendar walk far."""
    wanted = parse_day(raw)
    if wanted is None:
        return None, f"请填写延期至日期({DATE_HINT})"
    current = local_date(order.due_at)
    if wanted <= current:
        return None, "延期至日期须晚于当前办理期限"
    calendar = get_calendar(session)
    too_far = f"延期最多{MAX_EXTENSION_WORKING_DAYS}个工作日"
    if (wanted - current).days > 3 * MAX_EXTENSION_WORKING_DAYS:
        return None, too_far
    if not calendar.is_workday(wanted):
        return None, "延期至日期须为工作日"
    if wanted > calendar.nth_workday_after(current, MAX_EXTENSION_WORKING_DAYS):
        return None, too_far
    return wanted, ""


@transactional
def request_extension(*, actor: Actor, order_id, reason: str, new_due_date) -> int:
    """申请延期 for the lead order, before its due date. Returns the request's id."""
    with session_scope() as session:
        order, demand = order_of_my_unit(session, actor, order_id)
        if order.order_role != OrderRole.LEAD or order.status != W.HANDLING:
            raise ServiceError("只有办理中的主办工单可以申请延期")
        moment = now()
        if moment > order.due_at:
            raise ServiceError("已超过办理期限,不能再申请延期")
        if session.exec(
            select(ExtensionRequest.id).where(
                ExtensionRequest.work_order_id == order.id, ExtensionRequest.status == ExtensionStatus.PENDING
            )
        ).first():
            raise ServiceError("已有待审批的延期申请")
        errors = {}
        reason = clean_text(reason, limit=500)
        if len(reason) < 4:
            errors["extension_reason"] = "请填写延期原因"
        wanted, date_error = _wanted_due_date(session, order, new_due_date)
        if date_error:
            errors["extension_due"] = date_error
        if errors:
            raise ValidationFailed(errors)
        request = ExtensionRequest(
            work_order_id=order.id,
            requested_by_id=actor.user_id,
            reason=reason,
            requested_due_at=end_of_local_day(wanted),
            created_at=moment,
        )
        session.add(request)
        advance_demand(session, demand, moment=moment)
        session.flush()
        record_event(
            session,
            demand,
            actor,
            "申请延期",
            f"申请延期至{wanted.isoformat()}:{reason}",
            {"request_id": request.id},
            moment,
        )
        notify_center(session, demand, "延期申请", f"延期申请待审批:{demand.title}", reason)
        return request.id


@transactional
def decide_extension(*, actor: Actor, request_id, approve: bool, note: str = "") -> None:
    """同意延期 / 驳回延期, before the current due date."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        request = get_row(session, ExtensionRequest, request_id)
        if request.status != ExtensionStatus.PENDING:
            raise Conflict("该延期申请已处理")
        order = session.get(WorkOrder, request.work_order_id)
        demand = session.get(Demand, order.demand_id)
        moment = now()
        if approve and moment > order.due_at:
            raise ServiceError("已超过原办理期限,不能再同意延期")
        if order.status != W.HANDLING:
            raise ServiceError("工单已不在办理中")
        note = clean_text(note, limit=500)
        if not approve and len(note) < 2:
            raise ValidationFailed({"decision_note": "驳回延期请说明理由"})
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        request.decided_by_id, request.decided_at, request.decision_note = actor.user_id, moment, note
        session.add(request)
        if approve:
            update_order(session, order, due_at=request.requested_due_at, due_reason="延期", next_check_at=moment)
            advance_demand(session, demand, due_at=request.requested_due_at, moment=moment)
            detail = (
                f"同意延期至{format_instant(request.requested_due_at)}(原期限{format_instant(order.original_due_at)})"
            )
        else:
            advance_demand(session, demand, moment=moment)
            detail = f"驳回延期:{note}"
        # Seed 003: 延期须告知企业原因和进展 — an approved extension is public with its reason and new date;
        # a denial stays between the unit and the centre.
        record_event(
            session,
            demand,
            actor,
            "同意延期" if approve else "驳回延期",
            detail,
            {"request_id": request.id},
            moment,
            public=f"{detail};延期原因:{request.reason}" if approve else False,
        )
        if approve:
            notify_enterprise(
                session, demand, "延期", f"诉求{demand.code}办理期限已延长", f"{detail};延期原因:{request.reason}"
            )
        notify_unit(
            session,
            demand,
            key=f"ext{request.id}:{request.status}",
            kind="延期审批",
            unit_id=order.unit_id,
            title=f"延期申请{request.status}:{demand.title}",
            body=detail,
        )


@transactional
def submit_co_opinion(*, actor: Actor, order_id, opinion: str) -> None:
    """提交协办意见: a co-unit's opinion for the lead unit."""
    with session_scope() as session:
        order, demand = order_of_my_unit(session, actor, order_id)
        if order.order_role != OrderRole.CO or order.status != W.HANDLING:
            raise ServiceError("只有已签收的协办工单可以提交协办意见")
        opinion = clean_text(opinion, limit=2000)
        if len(opinion) < 5:
            raise ValidationFailed({"co_opinion": "请填写协办意见(至少5个字)"})
        moment = now()
        update_order(session, order, status=W.FED_BACK, co_opinion=opinion, feedback_at=moment, next_check_at=None)
        advance_demand(session, demand, moment=moment)
        record_event(session, demand, actor, "协办意见", opinion, {"order_id": order.id}, moment)
        lead = lead_order(session, demand)
        if lead:
            notify_unit(
                session,
                demand,
                key=f"co{order.id}",
                kind="协办意见",
                unit_id=lead.unit_id,
                title=f"协办单位已提交意见:{demand.title}",
            )


def _feedback_errors(reply: str, method: str, solved, uploads) -> dict[str, str]:
    errors = {}
    if len(reply) < 10:
        errors["reply"] = "答复内容至少10个字"
    if not method:
        errors["method"] = "请填写解决方式"
    if not isinstance(solved, bool):
        errors["solved"] = "请选择是否解决"
    if len(uploads) > attachments.MAX_FILES_PER_SUBMISSION:
        errors["files"] = f"附件最多{attachments.MAX_FILES_PER_SUBMISSION}个"
    return errors


@transactional
def submit_feedback(*, actor: Actor, order_id, reply: str, method: str, solved, attachments_in=()) -> None:
    """提交办理结果: the lead unit replies to the enterprise; the demand waits for the rating."""
    with attachments.kept_only_if_committed() as stored, session_scope() as session:
        order, demand = order_of_my_unit(session, actor, order_id)
        if order.order_role != OrderRole.LEAD or order.status != W.HANDLING:
            raise ServiceError("只有办理中的主办工单可以提交办理结果")
        reply, method = clean_text(reply, limit=2000), clean_text(method, limit=200)
        errors = _feedback_errors(reply, method, solved, attachments_in)
        if errors:
            raise ValidationFailed(errors)
        for item in attachments_in:
            attachments.check_file(item.filename, item.data)
        moment = now()
        update_order(
            session,
            order,
            status=W.FED_BACK,
            reply_content=reply,
            solve_method=method,
            solved=solved,
            feedback_at=moment,
            next_check_at=None,
            working_days_used=max(0, get_calendar(session).working_days_between(order.dispatched_at, moment)),
        )
        rate_due = due_after(session, moment, LimitLevel.RATE)
        advance_demand(session, demand, status=S.FEEDBACK, rate_due_at=rate_due, moment=moment)
        for upload in attachments_in:
            attachments.attach(
                session,
                stored,
                upload,
                demand_id=demand.id,
                work_order_id=order.id,
                purpose="办理附件",
                uploaded_by_id=actor.user_id,
            )
        record_event(
            session,
            demand,
            actor,
            "办理反馈",
            reply,
            {"order_id": order.id, "solved": solved, "method": method},
            moment,
            public=True,
        )
        notify_enterprise(session, demand, "请评价", f"诉求{demand.code}已答复,请评价", reply[:200])
        rectification.on_feedback(session, demand, order, moment)
