"""One demand as its viewer may see it: the facts, the timeline, the work orders, files, ratings, and the
actions the viewer may take now. Staff-internal words (co-opinions, return reasons, extension requests,
verification) are left out for enterprises."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from portal import routes
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import file_size, format_instant
from portal.core.ids import parse_id
from portal.models.enums import SUB_SCORES, ExtensionStatus, OrderRole, RevisitStatus, Role
from portal.models.enums import DemandAction as A
from portal.models.enums import DemandStatus as S
from portal.models.enums import WorkOrderStatus as W
from portal.models.records.demands import (
    AttachmentRow,
    CitedPolicy,
    DemandDetail,
    DemandInfo,
    ExtensionCard,
    OrderCard,
    RatingRow,
    TimelineRow,
    VerificationInfo,
)
from portal.models.tables import (
    Attachment,
    Demand,
    DemandPolicy,
    Enterprise,
    ExtensionRequest,
    Policy,
    Rating,
    RatingAppeal,
    RevisitTask,
    TimelineEvent,
    Topic,
    Unit,
    Verification,
    WorkOrder,
)
from portal.services.accounts.actor import Actor
from portal.services.base.errors import Forbidden, NotFound
from portal.services.demands import timeline
from portal.services.demands.lists import LIVE_DEMAND_STATUSES, days_left

REVIEW_FORM = "审核反馈表"
APPEAL_EVIDENCE = "申诉材料"
STAFF_ONLY_FILES = (REVIEW_FORM, APPEAL_EVIDENCE)  # never shown or served to the enterprise


def visible(session: Session, actor: Actor, demand: Demand) -> bool:
    """The one visibility rule for a demand and everything attached to it."""
    if actor.role == Role.ENTERPRISE:
        return demand.enterprise_id == actor.enterprise_id
    if actor.role in (Role.DISPATCHER, Role.LEADER):
        return True
    if actor.role == Role.HANDLER and actor.unit_id:
        return (
            session.exec(
                select(WorkOrder.id).where(WorkOrder.demand_id == demand.id, WorkOrder.unit_id == actor.unit_id)
            ).first()
            is not None
        )
    return False


def _info(session: Session, demand: Demand, units: dict[int, str], moment: datetime) -> DemandInfo:
    enterprise = session.get(Enterprise, demand.enterprise_id)
    topic = session.get(Topic, demand.topic_id) if demand.topic_id else None
    left, overdue = days_left(session, demand.due_at, moment) if demand.status in LIVE_DEMAND_STATUSES else ("", False)
    return DemandInfo(
        id=demand.id,
        code=demand.code,
        title=demand.title,
        content=demand.content,
        kind=demand.kind,
        topic=topic.name if topic else "",
        topic_id=str(demand.topic_id or ""),
        status=demand.status,
        round=demand.round,
        channel=demand.channel,
        enterprise_name=enterprise.name,
        contact=f"{demand.contact_name} {demand.contact_phone}",
        suggested_unit=units.get(demand.suggested_unit_id, ""),
        lead_unit=units.get(demand.lead_unit_id, ""),
        level=demand.level or "",
        created_at=format_instant(demand.created_at),
        due_at=format_instant(demand.due_at),
        days_left=left,
        overdue=overdue,
        instant_answer=demand.instant_answer,
        reject_reason=demand.reject_reason,
        closed_unrated=demand.closed_unrated,
    )


def _timeline(session: Session, actor: Actor, demand: Demand) -> list[TimelineRow]:
    query = select(TimelineEvent).where(TimelineEvent.demand_id == demand.id)
    enterprise = actor.role == Role.ENTERPRISE
    if enterprise:
        # The writing service decided each event's visibility; staff-only events never leave the server.
        query = query.where(TimelineEvent.visibility == timeline.PUBLIC)
    # Enterprises see who acted by unit, not the staff member's name, and the public wording.
    return [
        TimelineRow(
            seq=e.seq,
            at=format_instant(e.created_at),
            who=timeline.public_actor(e) if enterprise else e.actor_label,
            action=e.action,
            detail=e.public_detail if enterprise else e.detail,
        )
        for e in session.exec(query.order_by(TimelineEvent.seq)).all()
    ]


def _order_card(
    session: Session, order: WorkOrder, units: dict[int, str], moment: datetime, internal: bool
) -> OrderCard:
    running = order.status in (W.PENDING_SIGN, W.HANDLING)
    left, overdue = days_left(session, order.due_at, moment) if running else ("", False)
    return OrderCard(
        order_id=order.id,
        round=order.round,
        unit=units.get(order.unit_id, ""),
        order_role=order.order_role,
        status=order.status,
        level=order.level,
        due_at=format_instant(order.due_at),
        original_due_at=format_instant(order.original_due_at),
        due_reason=order.due_reason,
        days_left=left,
        overdue=overdue,
        reply=order.reply_content,
        method=order.solve_method,
        solved="" if order.solved is None else ("已解决" if order.solved else "未解决"),
        co_opinion=order.co_opinion if internal else "",
        return_reason=f"{order.return_kind}:{order.return_reason}" if order.return_kind and internal else "",
        false_flag=order.suspected_false_feedback and internal,
    )


def _attachments(session: Session, demand: Demand, internal: bool) -> list[AttachmentRow]:
    rows = session.exec(select(Attachment).where(Attachment.demand_id == demand.id).order_by(Attachment.id))
    return [
        AttachmentRow(
            id=a.id, filename=a.filename, purpose=a.purpose, size=file_size(a.size), url=routes.attachment_file(a.id)
        )
        for a in rows
        if internal or a.purpose not in STAFF_ONLY_FILES
    ]


def _ratings(session: Session, demand: Demand) -> list[RatingRow]:
    rows = session.exec(select(Rating).where(Rating.demand_id == demand.id).order_by(Rating.round)).all()
    query = select(RatingAppeal.rating_id, RatingAppeal.status).where(RatingAppeal.demand_id == demand.id)
    appeals = dict(session.exec(query).all())
    return [
        RatingRow(
            round=r.round,
            satisfaction=r.satisfaction,
            contacted="已联系" if r.contacted else "未联系",
            comment=r.comment,
            source=r.source,
            at=format_instant(r.created_at),
            scores=" ".join(f"{label}{getattr(r, key)}分" for key, label in SUB_SCORES.items() if getattr(r, key)),
            appeal=appeals.get(r.id, ""),
        )
        for r in rows
    ]


def _extensions(session: Session, demand: Demand, units: dict[int, str]) -> tuple[list[ExtensionCard], int]:
    """The demand's extension requests and the id of the pending one (0 when none)."""
    cards, pending_id = [], 0
    for r, o in session.exec(
        select(ExtensionRequest, WorkOrder)
        .join(WorkOrder, WorkOrder.id == ExtensionRequest.work_order_id)
        .where(WorkOrder.demand_id == demand.id)
        .order_by(ExtensionRequest.id)
    ).all():
        cards.append(
            ExtensionCard(
                request_id=r.id,
                reason=r.reason,
                requested_due=format_instant(r.requested_due_at, with_time=False),
                status=r.status,
                note=r.decision_note,
                unit=units.get(o.unit_id, ""),
            )
        )
        if r.status == ExtensionStatus.PENDING:
            pending_id = r.id
    return cards, pending_id


def _verification_info(verification: Verification | None) -> VerificationInfo:
    if verification is None:
        return VerificationInfo(exists=False, form_uploaded=False, opinion="", unit_note="")
    return VerificationInfo(
        exists=True,
        form_uploaded=bool(verification.form_attachment_id),
        opinion=verification.opinion,
        unit_note=verification.unit_note,
    )


def demand_detail(*, actor: Actor, demand_id) -> DemandDetail:
    """The detail page's content for ``actor``; ``NotFound`` for a demand they may not see."""
    demand_id = parse_id(demand_id)
    with session_scope() as session:
        demand = session.get(Demand, demand_id) if demand_id else None
        if demand is None or not visible(session, actor, demand):
            raise NotFound()
        moment = now()
        internal = actor.role != Role.ENTERPRISE
        units = {u.id: u.name for u in session.exec(select(Unit))}
        orders = session.exec(
            select(WorkOrder).where(WorkOrder.demand_id == demand.id).order_by(WorkOrder.round, WorkOrder.id)
        ).all()
        extensions, pending_extension_id = _extensions(session, demand, units) if internal else ([], 0)
        verification = session.exec(
            select(Verification).where(Verification.demand_id == demand.id, Verification.round == demand.round)
        ).first()
        task = session.exec(
            select(RevisitTask).where(
                RevisitTask.demand_id == demand.id,
                RevisitTask.round == demand.round,
                RevisitTask.status == RevisitStatus.OPEN,
            )
        ).first()
        actions, my_order_id = _actions(actor, demand, orders, pending_extension_id, task, verification)
        return DemandDetail(
            demand=_info(session, demand, units, moment),
            timeline=_timeline(session, actor, demand),
            orders=[_order_card(session, o, units, moment, internal) for o in orders],
            attachments=_attachments(session, demand, internal),
            ratings=_ratings(session, demand),
            extensions=extensions,
            verification=_verification_info(verification if internal else None),
            policies=_cited_policies(session, demand),
            actions=[str(a) for a in actions],
            my_order_id=my_order_id,
            pending_extension_id=pending_extension_id,
            revisit_task_id=task.id if task else 0,
        )


def _cited_policies(session: Session, demand: Demand) -> list[CitedPolicy]:
    rows = session.exec(
        select(Policy.id, Policy.title)
        .join(DemandPolicy, DemandPolicy.policy_id == Policy.id)
        .where(DemandPolicy.demand_id == demand.id)
        .order_by(Policy.id)
    ).all()
    return [CitedPolicy(id=pid, title=title) for pid, title in rows]


def _dispatcher_actions(demand: Demand, pending_extension_id: int, task, verification) -> list[A]:
    actions: list[A] = []
    if demand.status in (S.SUBMITTED, S.RETURNED):
        actions += [A.DISPATCH, A.INSTANT_ANSWER, A.REJECT]
    if pending_extension_id:
        actions.append(A.DECIDE_EXTENSION)
    if task is not None and demand.status == S.FEEDBACK:
        actions.append(A.REVISIT)
    if demand.status == S.VERIFYING and verification and verification.form_attachment_id:
        actions.append(A.VERIFY)
    return actions


def _handler_actions(
    actor: Actor, demand: Demand, orders, pending_extension_id: int, verification
) -> tuple[list[A], int]:
    actions: list[A] = []
    my_order_id = 0
    mine = [
        o
        for o in orders
        if o.unit_id == actor.unit_id and o.round == demand.round and o.status in (W.PENDING_SIGN, W.HANDLING)
    ]
    if mine:
        order = mine[-1]
        my_order_id = order.id
        if order.status == W.PENDING_SIGN:
            actions += [A.SIGN, A.RETURN]
        elif order.order_role == OrderRole.LEAD:
            actions.append(A.FEEDBACK)
            if not pending_extension_id and now() <= order.due_at:
                actions.append(A.REQUEST_EXTENSION)
        else:
            actions.append(A.CO_OPINION)
    lead = next(
        (
            o
            for o in orders
            if o.round == demand.round and o.order_role == OrderRole.LEAD and o.unit_id == actor.unit_id
        ),
        None,
    )
    if demand.status == S.VERIFYING and lead is not None and verification and not verification.form_attachment_id:
        actions.append(A.REVIEW_FORM)
    return actions, my_order_id


def _actions(
    actor: Actor, demand: Demand, orders, pending_extension_id: int, task, verification
) -> tuple[list[A], int]:
    """The actions this viewer may take now (the services re-check every one of them), and the id of the
    viewer's unit's live order."""
    if actor.role == Role.ENTERPRISE:
        return ([A.WITHDRAW] if demand.status == S.SUBMITTED else []) + (
            [A.RATE] if demand.status == S.FEEDBACK else []
        ), 0
    if actor.role == Role.DISPATCHER:
        return _dispatcher_actions(demand, pending_extension_id, task, verification), 0
    if actor.role == Role.HANDLER:
        return _handler_actions(actor, demand, orders, pending_extension_id, verification)
    return [], 0


def attachment_for_download(*, actor: Actor | None, attachment_id: int) -> Attachment:
    """The attachment row if ``actor`` may see its demand; review forms are internal to staff."""
    if actor is None:
        raise Forbidden("请先登录")
    with session_scope() as session:
        attachment = session.get(Attachment, attachment_id) if (attachment_id := parse_id(attachment_id)) else None
        if attachment is None or attachment.demand_id is None:
            raise NotFound()
        demand = session.get(Demand, attachment.demand_id)
        if not visible(session, actor, demand):
            raise NotFound()
        if actor.role == Role.ENTERPRISE and attachment.purpose in STAFF_ONLY_FILES:
            raise NotFound()
        return attachment
