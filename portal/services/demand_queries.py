"""Reads for the demand pages: lists (paged server-side), queues, the detail with its timeline, the
actions the viewer may take, and notifications. Visibility rules live here, once:

- an enterprise sees its own enterprise's demands;
- dispatchers and leaders see all demands;
- a handler sees a demand while its unit has (or had) a work order on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, select

from portal.core.calendar import get_calendar, local_zone
from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.dto import Actor
from portal.models.enums import (
    DemandStatus as S, ExtensionStatus, OrderRole, RevisitStatus, Role, WorkOrderStatus as W,
)
from portal.models.tables import (
    Attachment, Demand, Enterprise, ExtensionRequest, Notification, Rating, RevisitTask, TimelineEvent, Topic,
    Unit, Verification, WorkOrder,
)
from portal.services.errors import Forbidden, NotFound

PAGE_SIZE = 20


def fmt(moment: datetime | None, with_time: bool = True) -> str:
    if moment is None:
        return ""
    return moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


class DemandRow(TypedDict):
    id: int
    code: str
    title: str
    kind: str
    topic: str
    status: str
    enterprise_name: str
    lead_unit: str
    created_at: str
    due_at: str
    days_left: str
    overdue: bool


class OrderRow(TypedDict):
    order_id: int
    demand_id: int
    code: str
    title: str
    enterprise_name: str
    order_role: str
    status: str
    level: str
    sign_due_at: str
    due_at: str
    days_left: str
    overdue: bool


class Page(TypedDict):
    rows: list
    total: int
    total_label: str
    page: int
    pages: int


COUNT_CAP = 10000


def _days_left(session: Session, due: datetime | None, moment: datetime) -> tuple[str, bool]:
    if due is None:
        return "", False
    if moment > due:
        return f"超期{max(1, get_calendar(session).working_days_between(due, moment))}个工作日", True
    return f"剩{get_calendar(session).working_days_between(moment, due)}个工作日", False


def _names(session: Session, model, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {row.id: row.name for row in session.exec(select(model).where(model.id.in_(ids)))}


def _demand_rows(session: Session, demands: list[Demand]) -> list[DemandRow]:
    moment = now()
    enterprises = _names(session, Enterprise, [d.enterprise_id for d in demands])
    units = _names(session, Unit, [d.lead_unit_id for d in demands])
    topics = _names(session, Topic, [d.topic_id for d in demands])
    rows = []
    for d in demands:
        live = d.status in (S.DISPATCHED, S.HANDLING, S.REDO)
        left, overdue = _days_left(session, d.due_at, moment) if live else ("", False)
        rows.append(DemandRow(id=d.id, code=d.code, title=d.title, kind=d.kind, topic=topics.get(d.topic_id, ""),
                              status=d.status, enterprise_name=enterprises.get(d.enterprise_id, ""),
                              lead_unit=units.get(d.lead_unit_id, ""), created_at=fmt(d.created_at),
                              due_at=fmt(d.due_at) if live else "", days_left=left, overdue=overdue))
    return rows


def _page(query, count_query, session: Session, page: int, convert) -> Page:
    page = max(1, page if isinstance(page, int) else 1)
    total = session.exec(count_query).one()
    label = f"{COUNT_CAP}+" if total > COUNT_CAP else str(total)
    rows = session.exec(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return Page(rows=convert(session, rows), total=total, total_label=label, page=page,
                pages=max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE)))


def _capped_count(*where):
    """Count at most COUNT_CAP + 1 matches: a broad search shows "10000+" instead of scanning on."""
    return select(func.count()).select_from(select(Demand.id).where(*where).limit(COUNT_CAP + 1).subquery())


# ── lists ───────────────────────────────────────────────────────────────────────────────────


def my_demands(*, actor: Actor, status: str = "", page: int = 1) -> Page:
    if actor.role != Role.ENTERPRISE:
        raise Forbidden()
    with session_scope() as session:
        where = [Demand.enterprise_id == actor.enterprise_id]
        if status in {s.value for s in S}:
            where.append(Demand.status == status)
        query = select(Demand).where(*where).order_by(Demand.created_at.desc(), Demand.id.desc())
        return _page(query, _capped_count(*where), session, page, _demand_rows)


def dispatch_queue(*, actor: Actor, status: str, page: int = 1) -> Page:
    """待受理 or 退回待派, oldest first."""
    if actor.role != Role.DISPATCHER:
        raise Forbidden()
    status = status if status in (S.SUBMITTED, S.RETURNED) else S.SUBMITTED
    with session_scope() as session:
        query = select(Demand).where(Demand.status == status).order_by(Demand.created_at, Demand.id)
        return _page(query, _capped_count(Demand.status == status), session, page, _demand_rows)


ORDER_TABS = {"待签收": [W.PENDING_SIGN], "办理中": [W.HANDLING], "已反馈": [W.FED_BACK],
              "已退回": [W.RETURNED, W.CANCELLED]}


def _order_rows(session: Session, orders: list[WorkOrder]) -> list[OrderRow]:
    moment = now()
    demands = {d.id: d for d in session.exec(select(Demand).where(Demand.id.in_([o.demand_id for o in orders])))} \
        if orders else {}
    enterprises = _names(session, Enterprise, [d.enterprise_id for d in demands.values()])
    rows = []
    for o in orders:
        d = demands[o.demand_id]
        live = o.status in (W.PENDING_SIGN, W.HANDLING)
        left, overdue = _days_left(session, o.due_at, moment) if live else ("", False)
        rows.append(OrderRow(order_id=o.id, demand_id=d.id, code=d.code, title=d.title,
                             enterprise_name=enterprises.get(d.enterprise_id, ""), order_role=o.order_role,
                             status=o.status, level=o.level, sign_due_at=fmt(o.sign_due_at), due_at=fmt(o.due_at),
                             days_left=left, overdue=overdue))
    return rows


def unit_orders(*, actor: Actor, tab: str, page: int = 1) -> Page:
    if actor.role != Role.HANDLER or not actor.unit_id:
        raise Forbidden()
    statuses = ORDER_TABS.get(tab, ORDER_TABS["待签收"])
    with session_scope() as session:
        where = [WorkOrder.unit_id == actor.unit_id, WorkOrder.status.in_(statuses)]
        query = select(WorkOrder).where(*where).order_by(WorkOrder.due_at, WorkOrder.id)
        count = select(func.count()).select_from(WorkOrder).where(*where)
        return _page(query, count, session, page, _order_rows)


def order_tab_counts(*, actor: Actor) -> dict[str, int]:
    if actor.role != Role.HANDLER:
        raise Forbidden()
    with session_scope() as session:
        rows = session.exec(select(WorkOrder.status, func.count()).where(WorkOrder.unit_id == actor.unit_id)
                            .group_by(WorkOrder.status)).all()
    by_status = dict(rows)
    return {tab: sum(by_status.get(s, 0) for s in statuses) for tab, statuses in ORDER_TABS.items()}


class SearchFilters(TypedDict, total=False):
    code: str
    enterprise: str
    keyword: str
    status: str
    unit_id: str
    date_from: str
    date_to: str
    overdue_only: bool


def search_demands(*, actor: Actor, filters: SearchFilters, page: int = 1) -> Page:
    """Staff search. Handlers only find demands their unit has an order on."""
    from datetime import date, datetime as dt, time as dtime

    from portal.services.search import fulltext_condition

    if actor.role not in (Role.DISPATCHER, Role.HANDLER, Role.LEADER):
        raise Forbidden()
    where = []
    code = (filters.get("code") or "").strip().upper()
    if code:
        where.append(Demand.code.like(f"{code}%"))
    if (status := filters.get("status") or "") in {s.value for s in S}:
        where.append(Demand.status == status)
    unit_id = filters.get("unit_id") or ""
    if isinstance(unit_id, str) and unit_id.isdigit():
        where.append(Demand.id.in_(select(WorkOrder.demand_id).where(WorkOrder.unit_id == int(unit_id))))
    for key, op in (("date_from", "ge"), ("date_to", "lt")):
        raw = filters.get(key) or ""
        try:
            day = date.fromisoformat(raw) if raw else None
        except ValueError:
            day = None
        if day:
            from datetime import timedelta

            start = dt.combine(day if op == "ge" else day + timedelta(days=1), dtime.min, tzinfo=local_zone())
            where.append(Demand.created_at >= start if op == "ge" else Demand.created_at < start)
    if filters.get("overdue_only") is True:
        where.append(and_(Demand.status.in_([S.DISPATCHED, S.HANDLING, S.REDO]), Demand.due_at < now()))
    keyword = (filters.get("keyword") or "").strip()[:100]
    if actor.role == Role.HANDLER:
        where.append(Demand.id.in_(select(WorkOrder.demand_id).where(WorkOrder.unit_id == actor.unit_id)))
    with session_scope() as session:
        if keyword:
            # Full-text over bigram tokens (DESIGN §9): 2-character words match, terms are ANDed.
            condition = fulltext_condition(Demand.id, keyword,
                                           session.get_bind().dialect.name, "demand_fts", "demand.search_tsv")
            where.append(condition if condition is not None else Demand.id.is_(None))
        name = (filters.get("enterprise") or "").strip()
        if name:
            where.append(Demand.enterprise_id.in_(select(Enterprise.id).where(Enterprise.name.contains(name))))
        query = select(Demand).where(*where).order_by(Demand.created_at.desc(), Demand.id.desc())
        return _page(query, _capped_count(*where), session, page, _demand_rows)


# ── queues of the centre ────────────────────────────────────────────────────────────────────


class ExtensionRow(TypedDict):
    request_id: int
    demand_id: int
    code: str
    title: str
    unit: str
    reason: str
    current_due: str
    requested_due: str
    created_at: str


def pending_extensions(*, actor: Actor) -> list[ExtensionRow]:
    if actor.role != Role.DISPATCHER:
        raise Forbidden()
    with session_scope() as session:
        rows = session.exec(select(ExtensionRequest, WorkOrder, Demand)
                            .join(WorkOrder, WorkOrder.id == ExtensionRequest.work_order_id)
                            .join(Demand, Demand.id == WorkOrder.demand_id)
                            .where(ExtensionRequest.status == ExtensionStatus.PENDING)
                            .order_by(ExtensionRequest.created_at).limit(200)).all()
        units = _names(session, Unit, [o.unit_id for _, o, _ in rows])
        return [ExtensionRow(request_id=r.id, demand_id=d.id, code=d.code, title=d.title, unit=units.get(o.unit_id, ""),
                             reason=r.reason, current_due=fmt(o.due_at), requested_due=fmt(r.requested_due_at, False),
                             created_at=fmt(r.created_at)) for r, o, d in rows]


class RevisitRow(TypedDict):
    task_id: int
    demand_id: int
    code: str
    title: str
    enterprise_name: str
    contact: str
    attempts: int
    created_at: str


def open_revisits(*, actor: Actor) -> list[RevisitRow]:
    if actor.role != Role.DISPATCHER:
        raise Forbidden()
    with session_scope() as session:
        rows = session.exec(select(RevisitTask, Demand).join(Demand, Demand.id == RevisitTask.demand_id)
                            .where(RevisitTask.status == RevisitStatus.OPEN).order_by(RevisitTask.created_at)
                            .limit(200)).all()
        enterprises = _names(session, Enterprise, [d.enterprise_id for _, d in rows])
        return [RevisitRow(task_id=t.id, demand_id=d.id, code=d.code, title=d.title,
                           enterprise_name=enterprises.get(d.enterprise_id, ""),
                           contact=f"{d.contact_name} {d.contact_phone}", attempts=t.attempts,
                           created_at=fmt(t.created_at)) for t, d in rows]


class VerificationRow(TypedDict):
    demand_id: int
    code: str
    title: str
    unit: str
    form_uploaded: bool
    created_at: str


def open_verifications(*, actor: Actor) -> list[VerificationRow]:
    if actor.role != Role.DISPATCHER:
        raise Forbidden()
    with session_scope() as session:
        rows = session.exec(select(Verification, Demand).join(Demand, Demand.id == Verification.demand_id)
                            .where(Demand.status == S.VERIFYING, Verification.round == Demand.round)
                            .order_by(Verification.created_at).limit(200)).all()
        units = _names(session, Unit, [d.lead_unit_id for _, d in rows])
        return [VerificationRow(demand_id=d.id, code=d.code, title=d.title, unit=units.get(d.lead_unit_id, ""),
                                form_uploaded=v.form_attachment_id is not None, created_at=fmt(v.created_at))
                for v, d in rows]


# ── detail ──────────────────────────────────────────────────────────────────────────────────


class DemandDetail(TypedDict):
    demand: dict
    timeline: list[dict]
    orders: list[dict]
    attachments: list[dict]
    ratings: list[dict]
    extensions: list[dict]
    verification: dict
    actions: list[str]
    my_order_id: int
    pending_extension_id: int
    revisit_task_id: int


def _visible(session: Session, actor: Actor, demand: Demand) -> bool:
    if actor.role == Role.ENTERPRISE:
        return demand.enterprise_id == actor.enterprise_id
    if actor.role in (Role.DISPATCHER, Role.LEADER):
        return True
    if actor.role == Role.HANDLER and actor.unit_id:
        return session.exec(select(WorkOrder.id).where(WorkOrder.demand_id == demand.id,
                                                       WorkOrder.unit_id == actor.unit_id)).first() is not None
    return False


def demand_detail(*, actor: Actor, demand_id) -> DemandDetail:
    demand_id = demand_id if isinstance(demand_id, int) and not isinstance(demand_id, bool) else None
    with session_scope() as session:
        demand = session.get(Demand, demand_id) if demand_id else None
        if demand is None or not _visible(session, actor, demand):
            raise NotFound()
        moment = now()
        enterprise = session.get(Enterprise, demand.enterprise_id)
        topic = session.get(Topic, demand.topic_id) if demand.topic_id else None
        units = {u.id: u.name for u in session.exec(select(Unit))}
        orders = session.exec(select(WorkOrder).where(WorkOrder.demand_id == demand.id)
                              .order_by(WorkOrder.round, WorkOrder.id)).all()
        live = demand.status in (S.DISPATCHED, S.HANDLING, S.REDO)
        left, overdue = _days_left(session, demand.due_at, moment) if live else ("", False)
        info = {
            "id": demand.id, "code": demand.code, "title": demand.title, "content": demand.content,
            "kind": demand.kind, "topic": topic.name if topic else "", "status": demand.status,
            "round": demand.round, "channel": demand.channel, "enterprise_name": enterprise.name,
            "contact": f"{demand.contact_name} {demand.contact_phone}",
            "suggested_unit": units.get(demand.suggested_unit_id, ""), "lead_unit": units.get(demand.lead_unit_id, ""),
            "level": demand.level or "", "created_at": fmt(demand.created_at), "due_at": fmt(demand.due_at),
            "days_left": left, "overdue": overdue, "instant_answer": demand.instant_answer,
            "reject_reason": demand.reject_reason, "closed_unrated": demand.closed_unrated,
            "topic_id": str(demand.topic_id or ""),
        }
        events = session.exec(select(TimelineEvent).where(TimelineEvent.demand_id == demand.id)
                              .order_by(TimelineEvent.seq)).all()
        # Enterprises see who acted by unit, not the staff member's name.
        def who(label: str) -> str:
            return label.split("·")[0] if actor.role == Role.ENTERPRISE else label

        timeline_rows = [{"seq": e.seq, "at": fmt(e.created_at), "who": who(e.actor_label), "action": e.action,
                          "detail": e.detail} for e in events]
        show_internal = actor.role != Role.ENTERPRISE
        order_rows = []
        for o in orders:
            order_left, order_overdue = _days_left(session, o.due_at, moment) \
                if o.status in (W.PENDING_SIGN, W.HANDLING) else ("", False)
            order_rows.append({
                "order_id": o.id, "round": o.round, "unit": units.get(o.unit_id, ""), "order_role": o.order_role,
                "status": o.status, "level": o.level, "due_at": fmt(o.due_at), "original_due_at": fmt(o.original_due_at),
                "due_reason": o.due_reason, "days_left": order_left, "overdue": order_overdue,
                "reply": o.reply_content, "method": o.solve_method,
                "solved": "" if o.solved is None else ("已解决" if o.solved else "未解决"),
                "co_opinion": o.co_opinion if show_internal else "",
                "return_reason": f"{o.return_kind}:{o.return_reason}" if o.return_kind and show_internal else "",
                "false_flag": o.suspected_false_feedback and show_internal,
            })
        attachment_rows = [{"id": a.id, "filename": a.filename, "purpose": a.purpose, "size": f"{a.size / 1024:.0f} KB",
                            "url": f"/api/files/{a.id}"}
                           for a in session.exec(select(Attachment).where(Attachment.demand_id == demand.id)
                                                 .order_by(Attachment.id))
                           if show_internal or a.purpose != "审核反馈表"]
        ratings = [{"round": r.round, "satisfaction": r.satisfaction, "contacted": "已联系" if r.contacted else "未联系",
                    "comment": r.comment, "source": r.source, "at": fmt(r.created_at)}
                   for r in session.exec(select(Rating).where(Rating.demand_id == demand.id).order_by(Rating.round))]
        extension_rows, pending_extension_id = [], 0
        if show_internal:
            for r, o in session.exec(select(ExtensionRequest, WorkOrder)
                                     .join(WorkOrder, WorkOrder.id == ExtensionRequest.work_order_id)
                                     .where(WorkOrder.demand_id == demand.id).order_by(ExtensionRequest.id)).all():
                extension_rows.append({"request_id": r.id, "reason": r.reason,
                                       "requested_due": fmt(r.requested_due_at, False), "status": r.status,
                                       "note": r.decision_note, "unit": units.get(o.unit_id, "")})
                if r.status == ExtensionStatus.PENDING:
                    pending_extension_id = r.id
        verification = session.exec(select(Verification).where(Verification.demand_id == demand.id,
                                                                Verification.round == demand.round)).first()
        verification_info = {"exists": verification is not None,
                             "form_uploaded": bool(verification and verification.form_attachment_id),
                             "opinion": verification.opinion if verification else "",
                             "unit_note": verification.unit_note if verification else ""} if show_internal else \
            {"exists": False, "form_uploaded": False, "opinion": "", "unit_note": ""}
        task = session.exec(select(RevisitTask).where(RevisitTask.demand_id == demand.id,
                                                      RevisitTask.round == demand.round,
                                                      RevisitTask.status == RevisitStatus.OPEN)).first()
        actions, my_order_id = _actions(session, actor, demand, orders, pending_extension_id, task, verification)
        return DemandDetail(demand=info, timeline=timeline_rows, orders=order_rows, attachments=attachment_rows,
                            ratings=ratings, extensions=extension_rows, verification=verification_info,
                            actions=actions, my_order_id=my_order_id, pending_extension_id=pending_extension_id,
                            revisit_task_id=task.id if task else 0)


def _actions(session, actor: Actor, demand: Demand, orders, pending_extension_id, task, verification):
    """The buttons this viewer may use now (the services re-check every one of them)."""
    actions: list[str] = []
    my_order_id = 0
    if actor.role == Role.ENTERPRISE:
        if demand.status == S.SUBMITTED:
            actions.append("撤回")
        if demand.status == S.FEEDBACK:
            actions.append("评价")
    elif actor.role == Role.DISPATCHER:
        if demand.status in (S.SUBMITTED, S.RETURNED):
            actions += ["派单", "即时答复", "不予受理"]
        if pending_extension_id:
            actions.append("延期审批")
        if task is not None and demand.status == S.FEEDBACK:
            actions.append("回访")
        if demand.status == S.VERIFYING and verification and verification.form_attachment_id:
            actions.append("核查")
    elif actor.role == Role.HANDLER:
        mine = [o for o in orders if o.unit_id == actor.unit_id and o.round == demand.round
                and o.status in (W.PENDING_SIGN, W.HANDLING)]
        if mine:
            order = mine[-1]
            my_order_id = order.id
            if order.status == W.PENDING_SIGN:
                actions += ["签收", "退回"]
            elif order.order_role == OrderRole.LEAD:
                actions.append("提交办理结果")
                if not pending_extension_id and now() <= order.due_at:
                    actions.append("申请延期")
            else:
                actions.append("提交协办意见")
        lead = next((o for o in orders if o.round == demand.round and o.order_role == OrderRole.LEAD
                     and o.unit_id == actor.unit_id), None)
        if demand.status == S.VERIFYING and lead is not None and verification and not verification.form_attachment_id:
            actions.append("上传审核反馈表")
    return actions, my_order_id


def attachment_for_download(*, actor: Actor | None, attachment_id: int) -> Attachment:
    """The attachment row if ``actor`` may see its demand; review forms are internal to staff."""
    if actor is None:
        raise Forbidden("请先登录")
    with session_scope() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or attachment.demand_id is None:
            raise NotFound()
        demand = session.get(Demand, attachment.demand_id)
        if not _visible(session, actor, demand):
            raise NotFound()
        if actor.role == Role.ENTERPRISE and attachment.purpose == "审核反馈表":
            raise NotFound()
        return attachment


# ── notifications ───────────────────────────────────────────────────────────────────────────


def _mine(actor: Actor):
    if actor.unit_id:
        return or_(Notification.user_id == actor.user_id, Notification.unit_id == actor.unit_id)
    return Notification.user_id == actor.user_id


def unread_count(*, actor: Actor) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Notification)
                            .where(_mine(actor), Notification.read_at.is_(None))).one()


def notifications(*, actor: Actor, limit: int = 50) -> list[dict]:
    with session_scope() as session:
        rows = session.exec(select(Notification).where(_mine(actor))
                            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()
        return [{"id": n.id, "title": n.title, "body": n.body, "link": n.link, "at": fmt(n.created_at),
                 "unread": n.read_at is None, "kind": n.kind} for n in rows]


def mark_all_read(*, actor: Actor) -> None:
    with session_scope() as session:
        session.exec(update(Notification).where(_mine(actor), Notification.read_at.is_(None)).values(read_at=now()))


def form_options() -> dict[str, list[dict]]:
    """Options for the demand form and dispatch form: topics with their dispatch suggestion, units."""
    from portal.models.tables import DispatchRule

    with session_scope() as session:
        rules = {r.topic_id: r for r in session.exec(select(DispatchRule))}
        topics = [{"id": str(t.id), "name": t.name, "class": t.topic_class,
                   "lead": str(rules[t.id].lead_unit_id) if t.id in rules else "",
                   "co": ",".join(str(i) for i in rules[t.id].co_unit_ids) if t.id in rules else "",
                   "level": rules[t.id].level if t.id in rules else "一般"}
                  for t in session.exec(select(Topic).where(Topic.active == True).order_by(Topic.sort_order))]  # noqa: E712
        units = [{"id": str(u.id), "name": u.name, "kind": u.kind}
                 for u in session.exec(select(Unit).where(Unit.active == True).order_by(Unit.sort_order, Unit.id))  # noqa: E712
                 if u.kind != "推进中心"]
        return {"topics": topics, "units": units}


class Counter(TypedDict):
    label: str
    value: int
    link: str
    alert: bool


def workbench_counters(*, actor: Actor) -> list[Counter]:
    """The numbers on /staff: what is waiting for this person or their unit right now."""
    moment = now()
    with session_scope() as session:
        def demands_in(*statuses) -> int:
            return session.exec(select(func.count()).select_from(Demand).where(Demand.status.in_(statuses))).one()

        overdue_demands = session.exec(select(func.count()).select_from(Demand).where(
            Demand.status.in_([S.DISPATCHED, S.HANDLING, S.REDO]), Demand.due_at < moment)).one()
        if actor.role == Role.DISPATCHER:
            pending_ext = session.exec(select(func.count()).select_from(ExtensionRequest)
                                       .where(ExtensionRequest.status == ExtensionStatus.PENDING)).one()
            revisits = session.exec(select(func.count()).select_from(RevisitTask)
                                    .where(RevisitTask.status == RevisitStatus.OPEN)).one()
            return [Counter(label="待受理", value=demands_in(S.SUBMITTED), link="/staff/dispatch", alert=False),
                    Counter(label="退回待派", value=demands_in(S.RETURNED), link="/staff/dispatch", alert=False),
                    Counter(label="延期待审批", value=pending_ext, link="/staff/extensions", alert=False),
                    Counter(label="待回访", value=revisits, link="/staff/revisits", alert=False),
                    Counter(label="待核查", value=demands_in(S.VERIFYING), link="/staff/verifications", alert=False),
                    Counter(label="超期未办结", value=overdue_demands, link="/staff/demands", alert=overdue_demands > 0)]
        if actor.role == Role.HANDLER and actor.unit_id:
            def orders_in(*statuses, overdue=False) -> int:
                where = [WorkOrder.unit_id == actor.unit_id, WorkOrder.status.in_(statuses)]
                if overdue:
                    where.append(WorkOrder.due_at < moment)
                return session.exec(select(func.count()).select_from(WorkOrder).where(*where)).one()

            late = orders_in(W.PENDING_SIGN, W.HANDLING, overdue=True)
            return [Counter(label="待签收", value=orders_in(W.PENDING_SIGN), link="/staff/orders", alert=False),
                    Counter(label="办理中", value=orders_in(W.HANDLING), link="/staff/orders", alert=False),
                    Counter(label="已超期", value=late, link="/staff/orders", alert=late > 0)]
        if actor.role == Role.LEADER:
            return [Counter(label="办理中", value=demands_in(S.DISPATCHED, S.HANDLING, S.REDO), link="/staff/demands",
                            alert=False),
                    Counter(label="超期未办结", value=overdue_demands, link="/staff/demands", alert=overdue_demands > 0),
                    Counter(label="已办结", value=demands_in(S.CLOSED), link="/staff/demands", alert=False)]
        return []
