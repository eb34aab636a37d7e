"""走访记录 (issue #22, seed 001 大走访 / 问题征询): a unit's people visit an enterprise and write down what they
found; each 发现问题 may then be 转为诉求 (``collected.convert_problem``). A 镇街 handler records and sees the
visits of its own area only (``directory``); leaders read; enterprises never see a visit."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_
from sqlmodel import Session, select

from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.dates import parse_day
from portal.core.db import session_scope
from portal.models.records.collection import ProblemRow, VisitRow
from portal.models.tables import CollectedProblem, Enterprise, Unit, Visit
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Forbidden, NotFound, ValidationFailed
from portal.services.base.text import clean_text
from portal.services.enterprises.collected import READERS, RECORDERS, clean_problems, problem_rows
from portal.services.enterprises.directory import area_condition, visible_enterprise

VISITORS_MAX, SUMMARY_MAX, LIST_LIMIT = 200, 2000, 100


@dataclass
class VisitForm:
    visited_on: str = ""
    enterprise_id: str = ""
    visitors: str = ""
    summary: str = ""
    problems: list = field(default_factory=list)


def _checked(session: Session, actor: Actor, form: VisitForm) -> tuple[dict, list[str]]:
    errors: dict[str, str] = {}
    values: dict = {}
    day = parse_day(form.visited_on)
    if day is None:
        errors["visited_on"] = "请填写走访日期(年-月-日)"
    elif day > local_date(now()):
        errors["visited_on"] = "走访日期不能晚于今天"
    values["visited_on"] = day
    try:
        values["enterprise"] = visible_enterprise(session, actor, form.enterprise_id)
    except NotFound:
        errors["enterprise_id"] = "请从企业台账中选择走访企业"
    values["visitors"] = clean_text(form.visitors, limit=VISITORS_MAX + 1)
    if not values["visitors"]:
        errors["visitors"] = "请填写走访人员"
    elif len(values["visitors"]) > VISITORS_MAX:
        errors["visitors"] = f"走访人员不超过{VISITORS_MAX}字"
    values["summary"] = clean_text(form.summary, limit=SUMMARY_MAX + 1)
    if not values["summary"]:
        errors["summary"] = "请填写走访情况"
    elif len(values["summary"]) > SUMMARY_MAX:
        errors["summary"] = f"走访情况不超过{SUMMARY_MAX}字"
    try:
        problems = clean_problems(form.problems)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        problems = []
    if errors:
        raise ValidationFailed(errors)
    return values, problems


@transactional
def record_visit(*, actor: Actor, form: VisitForm) -> int:
    """新增走访: the visit and its 发现问题 rows (empty rows ignored), all or nothing. The visit counts for the
    recorder's unit (a 镇街's weekly 征询). Returns the visit's id."""
    require_role(actor, *RECORDERS)
    if not actor.unit_id:
        raise Forbidden()
    with session_scope() as session:
        values, problems = _checked(session, actor, form)
        enterprise = values["enterprise"]
        visit = Visit(
            enterprise_id=enterprise.id,
            unit_id=actor.unit_id,
            visited_on=values["visited_on"],
            visitors=values["visitors"],
            summary=values["summary"],
            created_by_id=actor.user_id,
            created_at=now(),
        )
        session.add(visit)
        session.flush()
        session.add_all(
            CollectedProblem(visit_id=visit.id, enterprise_id=enterprise.id, position=i, text=text, created_at=now())
            for i, text in enumerate(problems)
        )
        detail = f"{enterprise.name},{values['visited_on'].isoformat()},发现问题{len(problems)}条"
        record_audit(session, actor, "新增走访", f"走访{visit.id}", detail)
        return visit.id


def visit_condition(session: Session, actor: Actor):
    """Which visits ``actor`` sees: all, or (a handler) those of its area's enterprises and its own unit's."""
    area = area_condition(session, actor)
    if area is None:
        return None
    return or_(Visit.unit_id == actor.unit_id, Visit.enterprise_id.in_(select(Enterprise.id).where(area)))


def list_visits(*, actor: Actor, enterprise_id=None) -> list[VisitRow]:
    """走访记录, newest first (the latest 100), with counts of problems and of demands they became."""
    require_role(actor, *READERS)
    problems = func.count(CollectedProblem.id)
    demands = func.count(CollectedProblem.demand_id)
    with session_scope() as session:
        query = (
            select(Visit, Enterprise.name, Unit.name, problems, demands)
            .join(Enterprise, Enterprise.id == Visit.enterprise_id)
            .join(Unit, Unit.id == Visit.unit_id)
            .join(CollectedProblem, CollectedProblem.visit_id == Visit.id, isouter=True)
            .group_by(Visit.id, Enterprise.name, Unit.name)
        )
        if (condition := visit_condition(session, actor)) is not None:
            query = query.where(condition)
        if enterprise_id is not None:
            query = query.where(Visit.enterprise_id == visible_enterprise(session, actor, enterprise_id).id)
        rows = session.exec(query.order_by(Visit.visited_on.desc(), Visit.id.desc()).limit(LIST_LIMIT)).all()
    return [
        VisitRow(
            id=v.id,
            visited_on=v.visited_on.isoformat(),
            enterprise_id=v.enterprise_id,
            enterprise=name,
            unit=unit,
            visitors=v.visitors,
            summary=v.summary,
            problems=n_problems,
            demands=n_demands,
        )
        for v, name, unit, n_problems, n_demands in rows
    ]


def visit_problems(*, actor: Actor, visit_id) -> tuple[VisitRow, list[ProblemRow]]:
    """One visit (if ``actor`` sees it) and its 发现问题 with the demands they became and their status."""
    require_role(actor, *READERS)
    with session_scope() as session:
        visit = get_row(session, Visit, visit_id, "未找到该走访记录")
        condition = visit_condition(session, actor)
        if (
            condition is not None
            and session.exec(select(Visit.id).where(Visit.id == visit.id, condition)).first() is None
        ):
            raise NotFound("未找到该走访记录")
        problems = problem_rows(session, visit_id=visit.id)
        row = VisitRow(
            id=visit.id,
            visited_on=visit.visited_on.isoformat(),
            enterprise_id=visit.enterprise_id,
            enterprise=session.get(Enterprise, visit.enterprise_id).name,
            unit=session.get(Unit, visit.unit_id).name,
            visitors=visit.visitors,
            summary=visit.summary,
            problems=len(problems),
            demands=sum(1 for p in problems if p["demand_id"]),
        )
        return row, problems
