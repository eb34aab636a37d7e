"""座谈会 and its kin (政企茶话会, 早餐汇, 座谈会, 营商环境面对面; seeds 002/003): who came (参会企业, 参会部门) and
the 意见建议 raised, each addressed to one department and 转为诉求 like a visit's problems (channel 政企茶话会 for
a tea party, 座谈会 otherwise). A handler records meetings with its area's enterprises only."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_
from sqlmodel import Session, select

from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.dates import parse_day
from portal.core.db import session_scope
from portal.core.ids import parse_id
from portal.models.enums import MeetingKind, UnitKind
from portal.models.records.collection import MeetingRow, ProblemRow
from portal.models.tables import CollectedProblem, Enterprise, Meeting, MeetingEnterprise, MeetingUnit, Unit
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Forbidden, NotFound, ValidationFailed
from portal.services.base.text import clean_text
from portal.services.enterprises.collected import READERS, RECORDERS, clean_problems, problem_rows
from portal.services.enterprises.directory import area_condition, visible_enterprise

TITLE_MAX, SUMMARY_MAX, ATTENDEES_MAX, LIST_LIMIT = 100, 2000, 50, 100


@dataclass
class Suggestion:
    text: str = ""
    enterprise_id: str = ""
    unit_id: str = ""


@dataclass
class MeetingForm:
    kind: str = ""
    title: str = ""
    held_on: str = ""
    summary: str = ""
    enterprise_ids: list = field(default_factory=list)
    unit_ids: list = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)


def _enterprises(session: Session, actor: Actor, raw_ids: list, errors: dict) -> dict[int, Enterprise]:
    found: dict[int, Enterprise] = {}
    try:
        for raw in raw_ids[: ATTENDEES_MAX + 1]:
            enterprise = visible_enterprise(session, actor, raw)
            found[enterprise.id] = enterprise
    except NotFound:
        errors["enterprise_ids"] = "请从企业台账中选择参会企业"
    if not found and "enterprise_ids" not in errors:
        errors["enterprise_ids"] = "请选择参会企业"
    if len(found) > ATTENDEES_MAX:
        errors["enterprise_ids"] = f"参会企业最多{ATTENDEES_MAX}家"
    return found


def _units(session: Session, raw_ids: list, errors: dict) -> dict[int, Unit]:
    found: dict[int, Unit] = {}
    for raw in raw_ids[: ATTENDEES_MAX + 1]:
        unit_id = parse_id(raw)
        unit = session.get(Unit, unit_id) if unit_id else None
        if unit is None or not unit.active or unit.kind == UnitKind.CENTER:
            errors["unit_ids"] = "请选择参会部门"
            return found
        found[unit.id] = unit
    return found


def _suggestions(form: MeetingForm, enterprises: dict, units: dict, errors: dict) -> list[tuple[str, int, int]]:
    typed = [s for s in form.suggestions if isinstance(s, Suggestion)]
    try:
        texts = clean_problems([s.text for s in typed])
    except ValidationFailed as exc:
        errors.update(exc.errors)
        return []
    kept = [s for s in typed if clean_text(s.text, limit=10)]
    rows = []
    for text, suggestion in zip(texts, kept, strict=True):
        enterprise_id, unit_id = parse_id(suggestion.enterprise_id), parse_id(suggestion.unit_id)
        if enterprise_id not in enterprises or unit_id not in units:
            errors["problems"] = "每条意见建议须选择参会企业和参会部门"
            return []
        rows.append((text, enterprise_id, unit_id))
    return rows


def _checked(session: Session, actor: Actor, form: MeetingForm) -> tuple[dict, list]:
    errors: dict[str, str] = {}
    if form.kind not in {k.value for k in MeetingKind}:
        errors["kind"] = "请选择会议类型"
    title = clean_text(form.title, limit=TITLE_MAX + 1)
    if not title or len(title) > TITLE_MAX:
        errors["title"] = f"请填写会议主题(不超过{TITLE_MAX}字)"
    day = parse_day(form.held_on)
    if day is None:
        errors["held_on"] = "请填写会议日期(年-月-日)"
    elif day > local_date(now()):
        errors["held_on"] = "会议日期不能晚于今天"
    summary = clean_text(form.summary, limit=SUMMARY_MAX + 1)
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = f"会议情况不超过{SUMMARY_MAX}字"
    enterprises = _enterprises(session, actor, list(form.enterprise_ids or []), errors)
    units = _units(session, list(form.unit_ids or []), errors)
    if not units and "unit_ids" not in errors:
        errors["unit_ids"] = "请选择参会部门"
    rows = _suggestions(form, enterprises, units, errors)
    if errors:
        raise ValidationFailed(errors)
    values = {"title": title, "day": day, "summary": summary, "enterprises": enterprises, "units": units}
    return values, rows


@transactional
def record_meeting(*, actor: Actor, form: MeetingForm) -> int:
    """新增会议 with its attendees and 意见建议 rows, all or nothing. Returns the meeting's id."""
    require_role(actor, *RECORDERS)
    if not actor.unit_id:
        raise Forbidden()
    with session_scope() as session:
        values, rows = _checked(session, actor, form)
        meeting = Meeting(
            kind=form.kind,
            title=values["title"],
            held_on=values["day"],
            unit_id=actor.unit_id,
            summary=values["summary"],
            created_by_id=actor.user_id,
            created_at=now(),
        )
        session.add(meeting)
        session.flush()
        session.add_all(MeetingEnterprise(meeting_id=meeting.id, enterprise_id=e) for e in values["enterprises"])
        session.add_all(MeetingUnit(meeting_id=meeting.id, unit_id=u) for u in values["units"])
        session.add_all(
            CollectedProblem(meeting_id=meeting.id, enterprise_id=e, unit_id=u, position=i, text=t, created_at=now())
            for i, (t, e, u) in enumerate(rows)
        )
        detail = f"{form.kind}·{values['title']},{values['day'].isoformat()},意见建议{len(rows)}条"
        record_audit(session, actor, "新增会议", f"会议{meeting.id}", detail)
        return meeting.id


def meeting_condition(session: Session, actor: Actor):
    """Which meetings ``actor`` sees: all, or (a handler) its own unit's and those its area's enterprises attended."""
    area = area_condition(session, actor)
    if area is None:
        return None
    attended = select(MeetingEnterprise.meeting_id).join(Enterprise, Enterprise.id == MeetingEnterprise.enterprise_id)
    return or_(Meeting.unit_id == actor.unit_id, Meeting.id.in_(attended.where(area)))


def _names(session: Session, meeting_ids: list[int]) -> tuple[dict, dict]:
    enterprises: dict[int, list[str]] = {}
    units: dict[int, list[str]] = {}
    join_e = select(MeetingEnterprise.meeting_id, Enterprise.name).join(
        Enterprise, Enterprise.id == MeetingEnterprise.enterprise_id
    )
    for meeting_id, name in session.exec(join_e.where(MeetingEnterprise.meeting_id.in_(meeting_ids))):
        enterprises.setdefault(meeting_id, []).append(name)
    join_u = select(MeetingUnit.meeting_id, Unit.name).join(Unit, Unit.id == MeetingUnit.unit_id)
    for meeting_id, name in session.exec(join_u.where(MeetingUnit.meeting_id.in_(meeting_ids))):
        units.setdefault(meeting_id, []).append(name)
    return enterprises, units


def _rows(session: Session, rows: list) -> list[MeetingRow]:
    enterprises, units = _names(session, [m.id for m, *_ in rows])
    return [
        MeetingRow(
            id=m.id,
            kind=m.kind,
            title=m.title,
            held_on=m.held_on.isoformat(),
            unit=unit,
            enterprises="、".join(sorted(enterprises.get(m.id, []))),
            departments="、".join(sorted(units.get(m.id, []))),
            summary=m.summary,
            problems=n_problems,
            demands=n_demands,
        )
        for m, unit, n_problems, n_demands in rows
    ]


def _query(session: Session, actor: Actor):
    query = (
        select(Meeting, Unit.name, func.count(CollectedProblem.id), func.count(CollectedProblem.demand_id))
        .join(Unit, Unit.id == Meeting.unit_id)
        .join(CollectedProblem, CollectedProblem.meeting_id == Meeting.id, isouter=True)
        .group_by(Meeting.id, Unit.name)
    )
    if (condition := meeting_condition(session, actor)) is not None:
        query = query.where(condition)
    return query


def list_meetings(*, actor: Actor) -> list[MeetingRow]:
    """座谈会, newest first (the latest 100), with attendees and the counts of suggestions and demands."""
    require_role(actor, *READERS)
    with session_scope() as session:
        query = _query(session, actor).order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(LIST_LIMIT)
        return _rows(session, session.exec(query).all())


def meeting_problems(*, actor: Actor, meeting_id) -> tuple[MeetingRow, list[ProblemRow]]:
    """One meeting (if ``actor`` sees it) and its 意见建议 with the demands they became."""
    require_role(actor, *READERS)
    with session_scope() as session:
        meeting = get_row(session, Meeting, meeting_id, "未找到该会议")
        rows = session.exec(_query(session, actor).where(Meeting.id == meeting.id)).all()
        if not rows:
            raise NotFound("未找到该会议")
        problems = problem_rows(session, meeting_id=meeting.id)
        area = area_condition(session, actor)
        if area is not None and meeting.unit_id != actor.unit_id:
            # Another unit's meeting one of its enterprises attended: only those enterprises' 意见建议.
            attending = {p["enterprise_id"] for p in problems}
            mine = set(session.exec(select(Enterprise.id).where(Enterprise.id.in_(attending), area)).all())
            problems = [p for p in problems if p["enterprise_id"] in mine]
        return _rows(session, rows)[0], problems
