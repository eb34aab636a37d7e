"""The problems people bring back from visits and meetings (发现问题 / 意见建议) and 转为诉求: each becomes at
most one demand, opened through ``demands.intake.open_demand`` in the transaction that marks the problem."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from portal import routes
from portal.core.db import session_scope
from portal.models.enums import Channel, MeetingKind, PlanHorizon, Role
from portal.models.records.collection import ProblemPrefill, ProblemRow
from portal.models.records.enterprises import EnterpriseChoice
from portal.models.tables import CollectedProblem, Demand, Enterprise, Meeting, Unit
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, ServiceError, ValidationFailed
from portal.services.base.text import clean_text
from portal.services.demands import intake
from portal.services.enterprises.directory import find_enterprises, visible_enterprise

RECORDERS = (Role.DISPATCHER, Role.HANDLER)
READERS = (Role.DISPATCHER, Role.HANDLER, Role.LEADER)
PROBLEM_MAX, PROBLEMS_MAX = 1000, 30


def clean_problems(texts: list) -> list[str]:
    """The typed rows, cleaned; empty rows dropped. Too many or too long → ``ValidationFailed``."""
    rows = [clean_text(t, limit=PROBLEM_MAX + 1) for t in texts if isinstance(t, str)]
    rows = [t for t in rows if t]
    if len(rows) > PROBLEMS_MAX:
        raise ValidationFailed({"problems": f"最多登记{PROBLEMS_MAX}条"})
    if any(len(t) > PROBLEM_MAX for t in rows):
        raise ValidationFailed({"problems": f"每条不超过{PROBLEM_MAX}字"})
    return rows


def problem_rows(session: Session, *, visit_id: int | None = None, meeting_id: int | None = None) -> list[ProblemRow]:
    """The problems of one visit or meeting in their order, each with the demand it became and its status."""
    query = (
        select(CollectedProblem, Enterprise.name, Unit.name, Demand.code, Demand.status)
        .join(Enterprise, Enterprise.id == CollectedProblem.enterprise_id)
        .join(Unit, Unit.id == CollectedProblem.unit_id, isouter=True)
        .join(Demand, Demand.id == CollectedProblem.demand_id, isouter=True)
    )
    if visit_id is not None:
        query = query.where(CollectedProblem.visit_id == visit_id)
    else:
        query = query.where(CollectedProblem.meeting_id == meeting_id)
    rows = session.exec(query.order_by(CollectedProblem.position, CollectedProblem.id)).all()
    return [
        ProblemRow(
            id=p.id,
            position=p.position + 1,
            text=p.text,
            enterprise_id=p.enterprise_id,
            enterprise=name,
            unit=unit or "",
            demand_id=p.demand_id or 0,
            demand_code=code or "",
            demand_status=status or "",
            plan_horizon=p.plan_horizon or "",
            link=routes.staff_demand(p.demand_id) if p.demand_id else "",
        )
        for p, name, unit, code, status in rows
    ]


def _problem(session: Session, actor: Actor, problem_id) -> CollectedProblem:
    """The problem ``problem_id`` names if ``actor`` may see its enterprise (a foreign one reads as missing)."""
    problem = get_row(session, CollectedProblem, problem_id, "未找到该问题")
    visible_enterprise(session, actor, problem.enterprise_id)
    return problem


def _channel(session: Session, problem: CollectedProblem) -> str:
    if problem.meeting_id is None:
        return Channel.VISIT
    meeting = session.get(Meeting, problem.meeting_id)
    return Channel.TEA_PARTY if meeting and meeting.kind == MeetingKind.TEA_PARTY else Channel.MEETING


def _already(session: Session, problem: CollectedProblem) -> ServiceError:
    code = session.get(Demand, problem.demand_id).code if problem.demand_id else ""
    return ValidationFailed({"problem": f"该问题已转为诉求(编号{code}),不能重复登记"})


def problem_prefill(*, actor: Actor, problem_id) -> ProblemPrefill:
    """转为诉求's form, pre-filled: title and content from the problem, contact from the enterprise."""
    require_role(actor, *RECORDERS)
    with session_scope() as session:
        problem = _problem(session, actor, problem_id)
        if problem.demand_id:
            raise _already(session, problem)
        enterprise = session.get(Enterprise, problem.enterprise_id)
        unit = session.get(Unit, problem.unit_id) if problem.unit_id else None
        first_line = problem.text.splitlines()[0] if problem.text else ""
        return ProblemPrefill(
            problem_id=problem.id,
            channel=_channel(session, problem),
            title=first_line[: intake.TITLE_MAX],
            content=problem.text[: intake.CONTENT_MAX],
            contact_name=enterprise.contact_name,
            contact_phone=enterprise.contact_phone,
            suggested_unit=unit.name if unit else "",
        )


@dataclass
class ConvertForm:
    kind: str = ""
    topic_id: str = ""
    title: str = ""
    content: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    plan_horizon: str = ""


@transactional
def convert_problem(*, actor: Actor, problem_id, form: ConvertForm) -> int:
    """转为诉求: the problem becomes one demand (channel 走访征询, or the meeting's), with the meeting row's
    department as 建议解决部门 and the optional 计划周期. A problem already converted is refused; of two
    people converting it at once exactly one wins (the conditional UPDATE of ``demand_id``)."""
    require_role(actor, *RECORDERS)
    with session_scope() as session:
        problem = _problem(session, actor, problem_id)
        if problem.demand_id:
            raise _already(session, problem)
        horizon = form.plan_horizon if isinstance(form.plan_horizon, str) else ""
        demand_form = intake.DemandForm(
            kind=form.kind,
            topic_id=form.topic_id,
            title=form.title,
            content=form.content,
            contact_name=form.contact_name,
            contact_phone=form.contact_phone,
        )
        errors = intake.validate_demand_form(session, demand_form)
        if horizon and horizon not in {h.value for h in PlanHorizon}:
            errors["plan_horizon"] = "请选择计划周期"
        if errors:
            raise ValidationFailed(errors)
        channel = _channel(session, problem)
        demand = intake.open_demand(
            session,
            intake.NewDemand(
                enterprise_id=problem.enterprise_id,
                kind=demand_form.kind,
                topic_id=int(demand_form.topic_id),
                title=clean_text(demand_form.title, limit=intake.TITLE_MAX),
                content=clean_text(demand_form.content, limit=intake.CONTENT_MAX),
                contact_name=clean_text(demand_form.contact_name, limit=50),
                contact_phone=clean_text(demand_form.contact_phone, limit=30),
                suggested_unit_id=problem.unit_id,
                event_detail=f"{channel}登记的诉求",
            ),
            channel=channel,
            registered_by=actor,
        )
        demand.plan_horizon = horizon or None
        claimed = session.exec(
            update(CollectedProblem)
            .where(CollectedProblem.id == problem.id, CollectedProblem.demand_id.is_(None))
            .values(demand_id=demand.id, plan_horizon=horizon or None)
        )
        if claimed.rowcount != 1:
            raise Conflict("该问题已转为诉求,不能重复登记")
        source = f"走访{problem.visit_id}" if problem.visit_id else f"会议{problem.meeting_id}"
        record_audit(session, actor, "转为诉求", f"{source}·问题{problem.id}", f"诉求编号{demand.code}")
        return demand.id


def lookup_enterprises(*, actor: Actor, query: str) -> list[EnterpriseChoice]:
    """走访企业 / 参会企业 as you type: the enterprises of ``actor``'s area matching ``query``."""
    require_role(actor, *RECORDERS)
    with session_scope() as session:
        return find_enterprises(session=session, actor=actor, query=query if isinstance(query, str) else "")
