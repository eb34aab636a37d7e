"""一类问题 on ``/staff/classes`` (issue #26): the dispatcher reviews candidate groups, confirms one as a class
with its 名称, 牵头单位 and 类问题答复 (or ignores it), removes a member or adds a demand by its code, and
sends the answer to every member at once. Members stay separate demands: the answer is one public event on
each member's own timeline, keyed by the answer's version, so sending twice (or two dispatchers at once)
never writes it twice and a member added later receives it on the next send. Leaders read everything; a
牵头单位's handlers read the classes their unit leads."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import case, func, update
from sqlmodel import Session, select

from portal import routes
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.models.enums import ClassStatus, DemandStatus, Role
from portal.models.records.classes import ClassDetail, ClassRow, MemberRow
from portal.models.tables import Demand, Enterprise, ProblemClass, ProblemClassMember, Topic, Unit, User
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, NotFound, ServiceError, ValidationFailed
from portal.services.base.notices import notify
from portal.services.base.text import clean_text
from portal.services.demands.workflow import advance_demand, record_event

log = logging.getLogger("portal.classes")
READERS = (Role.DISPATCHER, Role.LEADER, Role.HANDLER)
NAME_MAX, ANSWER_MIN, ANSWER_MAX, LIST_LIMIT, MEMBER_LIMIT = 60, 10, 2000, 100, 500
NOT_FOUND = "未找到该一类问题"


@dataclass
class ClassForm:
    name: str = ""
    lead_unit_id: str = ""
    answer: str = ""


def _scope(query, actor: Actor):
    """A handler sees the confirmed classes its unit leads; dispatchers and leaders see every group."""
    if actor.role == Role.HANDLER:
        return query.where(ProblemClass.status == ClassStatus.CONFIRMED, ProblemClass.lead_unit_id == actor.unit_id)
    return query


def _visible(session: Session, actor: Actor, class_id) -> ProblemClass:
    group = get_row(session, ProblemClass, class_id, NOT_FOUND)
    if session.exec(_scope(select(ProblemClass.id).where(ProblemClass.id == group.id), actor)).first() is None:
        raise NotFound(NOT_FOUND)
    return group


def _live(class_ids):
    return ProblemClassMember.class_id.in_(class_ids), ProblemClassMember.removed_at.is_(None)


def _counts(session: Session, classes: list[ProblemClass]) -> dict[int, tuple]:
    """Per class: size, open, closed, unanswered, first and last submission, its members' lead units."""
    ids = [c.id for c in classes]
    versions = {c.id: c.answer_version for c in classes}
    closed = func.sum(case((Demand.status.in_([DemandStatus.CLOSED]), 1), else_=0))
    rows = session.exec(
        select(
            ProblemClassMember.class_id, func.count(), closed, func.min(Demand.created_at), func.max(Demand.created_at)
        )
        .join(Demand, Demand.id == ProblemClassMember.demand_id)
        .where(*_live(ids))
        .group_by(ProblemClassMember.class_id)
    ).all()
    unanswered = dict(
        session.exec(
            select(ProblemClassMember.class_id, func.count())
            .join(ProblemClass, ProblemClass.id == ProblemClassMember.class_id)
            .where(*_live(ids), ProblemClassMember.answered_version < ProblemClass.answer_version)
            .group_by(ProblemClassMember.class_id)
        ).all()
    )
    units: dict[int, set[str]] = {}
    for class_id, unit in session.exec(
        select(ProblemClassMember.class_id, Unit.name)
        .join(Demand, Demand.id == ProblemClassMember.demand_id)
        .join(Unit, Unit.id == Demand.lead_unit_id)
        .where(*_live(ids))
        .distinct()
    ).all():
        units.setdefault(class_id, set()).add(unit)
    return {
        cid: (size, size - (shut or 0), shut or 0, unanswered.get(cid, 0) if versions[cid] else 0, first, last)
        + ("、".join(sorted(units.get(cid, ()))),)
        for cid, size, shut, first, last in rows
    }


def _names(session: Session, model, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(session.exec(select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}


def _first_titles(session: Session, ids: list[int]) -> dict[int, str]:
    first = (
        select(ProblemClassMember.class_id, func.min(ProblemClassMember.demand_id).label("d"))
        .where(*_live(ids))
        .group_by(ProblemClassMember.class_id)
        .subquery()
    )
    return dict(session.exec(select(first.c.class_id, Demand.title).join(Demand, Demand.id == first.c.d)).all())


def list_classes(*, actor: Actor, status: str = ClassStatus.CANDIDATE) -> list[ClassRow]:
    """候选 groups or 已确认 classes (the latest 100), largest first, with their counts."""
    require_role(actor, *READERS)
    if status not in {s.value for s in ClassStatus}:
        status = ClassStatus.CANDIDATE
    with session_scope() as session:
        query = select(ProblemClass).where(ProblemClass.status == status)
        classes = session.exec(_scope(query, actor).order_by(ProblemClass.id.desc()).limit(LIST_LIMIT)).all()
        counts = _counts(session, classes)
        topics = _names(session, Topic, [c.topic_id for c in classes])
        units = _names(session, Unit, [u for c in classes for u in (c.town_unit_id, c.lead_unit_id)])
        titles = _first_titles(session, [c.id for c in classes])
    rows = []
    for c in classes:
        size, open_, closed, unanswered, first, last, lead_units = counts.get(c.id, (0, 0, 0, 0, None, None, ""))
        window = f"{format_instant(first, with_time=False)} 至 {format_instant(last, with_time=False)}" if first else ""
        rows.append(
            ClassRow(
                id=c.id,
                status=c.status,
                name=c.name or titles.get(c.id, ""),
                topic=topics.get(c.topic_id, ""),
                town=units.get(c.town_unit_id, ""),
                lead_unit=units.get(c.lead_unit_id, ""),
                size=size,
                open=open_,
                closed=closed,
                unanswered=unanswered,
                units=lead_units,
                window=window,
                created_at=format_instant(c.created_at),
                link=routes.staff_class(c.id),
            )
        )
    rows.sort(key=lambda r: (-r["size"], -r["id"]))
    return rows


def class_detail(*, actor: Actor, class_id) -> tuple[ClassDetail, list[MemberRow]]:
    """One group (if ``actor`` sees it) and its members, oldest first."""
    require_role(actor, *READERS)
    with session_scope() as session:
        c = _visible(session, actor, class_id)
        names = _names(session, Unit, [c.town_unit_id, c.lead_unit_id])
        rows = session.exec(
            select(ProblemClassMember, Demand, Enterprise.name, Unit.name)
            .join(Demand, Demand.id == ProblemClassMember.demand_id)
            .join(Enterprise, Enterprise.id == Demand.enterprise_id)
            .join(Unit, Unit.id == Demand.lead_unit_id, isouter=True)
            .where(*_live([c.id]))
            .order_by(Demand.created_at, Demand.id)
            .limit(MEMBER_LIMIT)
        ).all()
        detail = ClassDetail(
            id=c.id,
            status=c.status,
            name=c.name,
            topic=_names(session, Topic, [c.topic_id]).get(c.topic_id, ""),
            town=names.get(c.town_unit_id, ""),
            lead_unit_id=c.lead_unit_id or 0,
            lead_unit=names.get(c.lead_unit_id, ""),
            answer=c.answer,
            answer_version=c.answer_version,
            confirmed_at=format_instant(c.confirmed_at),
            version=c.version,
        )
    members = [
        MemberRow(
            id=m.id,
            demand_id=d.id,
            code=d.code,
            title=d.title,
            enterprise=enterprise,
            status=d.status,
            lead_unit=unit or "",
            created_at=format_instant(d.created_at),
            similarity=f"{m.similarity:.2f}" if m.added_by == "分析" else "—",
            added_by=m.added_by,
            answered=bool(c.answer_version) and m.answered_version >= c.answer_version,
            link=routes.staff_demand(d.id),
        )
        for m, d, enterprise, unit in rows
    ]
    return detail, members


def _checked(session: Session, form: ClassForm) -> dict:
    errors, values = {}, {}
    values["name"] = clean_text(form.name, limit=NAME_MAX)
    if len(values["name"]) < 2:
        errors["name"] = "请填写一类问题的名称"
    elif len(values["name"]) > NAME_MAX:
        errors["name"] = f"名称不超过{NAME_MAX}字"
    try:
        unit = get_row(session, Unit, form.lead_unit_id)
        if not unit.active:
            raise NotFound()
        values["lead_unit_id"] = unit.id
    except NotFound:
        errors["lead_unit_id"] = "请选择牵头单位"
    values["answer"] = clean_text(form.answer, limit=ANSWER_MAX)
    if len(values["answer"]) < ANSWER_MIN:
        errors["answer"] = f"请填写类问题答复(不少于{ANSWER_MIN}字)"
    elif len(values["answer"]) > ANSWER_MAX:
        errors["answer"] = f"类问题答复不超过{ANSWER_MAX}字"
    if errors:
        raise ValidationFailed(errors)
    return values


def _change(session: Session, group: ProblemClass, **values) -> None:
    """Compare-and-set on the group's version."""
    result = session.exec(
        update(ProblemClass)
        .where(ProblemClass.id == group.id, ProblemClass.version == group.version)
        .values(**values, version=group.version + 1)
    )
    if result.rowcount != 1:
        raise Conflict()


@transactional
def confirm_class(*, actor: Actor, class_id, form: ClassForm) -> None:
    """确认为一类问题 (a candidate) or 保存 (a class): 名称, 牵头单位 and 类问题答复. A changed answer is a new
    version, which 发送答复 sends to every member again."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        group = get_row(session, ProblemClass, class_id, NOT_FOUND)
        if group.status == ClassStatus.DISMISSED:
            raise ServiceError("该候选组已忽略")
        values = _checked(session, form)
        changes = dict(values, answer_version=group.answer_version + (values["answer"] != group.answer))
        if group.status == ClassStatus.CANDIDATE:
            changes.update(status=ClassStatus.CONFIRMED, confirmed_at=now(), confirmed_by_id=actor.user_id)
        _change(session, group, **changes)
        record_audit(session, actor, "确认为一类问题", f"一类问题{group.id}", values["name"])


@transactional
def dismiss_class(*, actor: Actor, class_id) -> None:
    """忽略 a candidate group: its members stay linked to it, so the grouping never proposes them again."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        group = get_row(session, ProblemClass, class_id, NOT_FOUND)
        if group.status != ClassStatus.CANDIDATE:
            raise ServiceError("只有候选组可以忽略")
        _change(session, group, status=ClassStatus.DISMISSED)


@transactional
def remove_member(*, actor: Actor, class_id, member_id) -> None:
    """移出: the demand leaves the group (kept as removed, so it is not grouped again)."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        group = get_row(session, ProblemClass, class_id, NOT_FOUND)
        member = get_row(session, ProblemClassMember, member_id)
        if member.class_id != group.id or member.removed_at is not None:
            raise NotFound()
        member.removed_at = now()
        session.add(member)


@transactional
def add_member(*, actor: Actor, class_id, code) -> None:
    """按编号加入: a demand joins the group; one already in another confirmed class is refused."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        group = get_row(session, ProblemClass, class_id, NOT_FOUND)
        if group.status == ClassStatus.DISMISSED:
            raise ServiceError("该候选组已忽略")
        code = clean_text(code, limit=20).upper()
        demand = session.exec(select(Demand).where(Demand.code == code)).first() if code else None
        if demand is None:
            raise ValidationFailed({"code": "未找到该编号的诉求"})
        member = session.exec(select(ProblemClassMember).where(ProblemClassMember.demand_id == demand.id)).first()
        if member is not None and member.removed_at is None:
            other = session.get(ProblemClass, member.class_id)
            if other.id == group.id:
                raise ValidationFailed({"code": "该诉求已在本组中"})
            if other.status == ClassStatus.CONFIRMED:
                raise ValidationFailed({"code": f"该诉求已属于一类问题“{other.name}”"})
        member = member or ProblemClassMember(demand_id=demand.id)
        member.class_id, member.removed_at, member.added_by, member.answered_version = group.id, None, "人工", 0
        member.similarity, member.created_at = 0.0, now()
        session.add(member)
        record_audit(session, actor, "加入一类问题", f"一类问题{group.id}", demand.code)


def _send_one(actor: Actor, group: ProblemClass, lead_unit: str, member_id: int) -> bool:
    """One member, in a transaction of its own: claim (answered_version below the answer's), one public
    event on the demand's timeline (behind the demand's version gate) and one keyed notice."""
    with session_scope() as session:
        claimed = session.exec(
            update(ProblemClassMember)
            .where(
                ProblemClassMember.id == member_id,
                ProblemClassMember.class_id == group.id,
                ProblemClassMember.removed_at.is_(None),
                ProblemClassMember.answered_version < group.answer_version,
            )
            .values(answered_version=group.answer_version, answered_at=now())
        )
        if claimed.rowcount != 1:
            return False
        demand = session.get(Demand, session.get(ProblemClassMember, member_id).demand_id)
        advance_demand(session, demand)
        words = f"您的诉求已归入一类问题“{group.name}”,由{lead_unit}牵头统一答复:{group.answer}"
        data = {"class_id": group.id, "answer_version": group.answer_version}
        record_event(session, demand, actor, "一类问题答复", words, data, public=True)
        if (user_id := _enterprise_user(session, demand)) is None:
            return True  # an enterprise without an account (热线): the event is on its timeline for /track
        notify(
            session,
            key=f"class{group.id}:v{group.answer_version}:d{demand.id}",
            kind="一类问题答复",
            title=f"诉求“{demand.title}”收到一类问题答复",
            body=words,
            link=routes.my_demand(demand.id),
            user_id=user_id,
        )
        return True


def _enterprise_user(session: Session, demand: Demand) -> int | None:
    query = select(User.id).where(User.enterprise_id == demand.enterprise_id, User.role == Role.ENTERPRISE)
    if demand.submitted_by_id:
        first = session.exec(query.where(User.id == demand.submitted_by_id)).first()
        if first:
            return first
    return session.exec(query.order_by(User.id)).first()


def send_answer(*, actor: Actor, class_id) -> dict[str, int]:
    """发送答复: the current answer to every member that has not received it. Returns counts: sent,
    already (received before, or taken by a concurrent send) and failed (the demand was being changed:
    press again)."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        group = get_row(session, ProblemClass, class_id, NOT_FOUND)
        if group.status != ClassStatus.CONFIRMED or not group.answer_version:
            raise ServiceError("请先确认为一类问题并填写类问题答复")
        session.expunge(group)
        lead_unit = _names(session, Unit, [group.lead_unit_id]).get(group.lead_unit_id, "")
        members = session.exec(select(ProblemClassMember.id).where(*_live([group.id]))).all()
    counts = {"sent": 0, "already": 0, "failed": 0}
    for member_id in members:
        try:
            counts["sent" if _send_one(actor, group, lead_unit, member_id) else "already"] += 1
        except (Conflict, ServiceError):
            counts["failed"] += 1
        except Exception as exc:  # noqa: BLE001 - a lost race on one member (busy, unique seq): retried by the next send
            log.warning("class answer to member %s not sent: %s", member_id, type(exc).__name__)
            counts["failed"] += 1
    return counts
