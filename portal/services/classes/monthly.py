"""每月一题 (issue #26, after Beijing's 接诉即办): each month the centre takes a theme from the largest
一类问题 (``theme_candidates`` proposes the top five), names 2–3 problems, gives tasks to units with due dates
and publishes it; units report progress (% and a milestone note) on their own tasks; ``/monthly`` shows the
published months to anyone. The public records carry the centre's own words, units, dates and progress,
never an enterprise's name or a demand's text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, update
from sqlmodel import Session, select

from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.dates import parse_day
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_bounded_int, parse_id
from portal.models.enums import ClassStatus, Role
from portal.models.records.classes import PublicMilestone, PublicProblem, PublicTask, PublicTheme, ThemeCandidate
from portal.models.tables import MonthlyMilestone, MonthlyProblem, MonthlyTask, MonthlyTheme, ProblemClass
from portal.models.tables.classes import ProblemClassMember
from portal.models.tables.organisation import Unit
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, Forbidden, ServiceError, ValidationFailed
from portal.services.base.text import clean_text

READERS = (Role.DISPATCHER, Role.LEADER, Role.HANDLER)
TITLE_MAX, SUMMARY_MAX, PROBLEM_MAX, TASK_MAX, NOTE_MAX = 60, 1000, 200, 100, 200
MAX_TASKS, MAX_MILESTONES, PUBLIC_MONTHS, TOP_CLASSES = 30, 50, 24, 5
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
TASK_DONE, TASK_LATE, TASK_RUNNING = "已完成", "已逾期", "进行中"


@dataclass
class ThemeForm:
    month: str = ""
    title: str = ""
    summary: str = ""
    problems: list = field(default_factory=list)  # the texts of up to three problems
    classes: list = field(default_factory=list)  # beside each, a class id or ""


@dataclass
class TaskForm:
    problem_id: str = ""
    unit_id: str = ""
    title: str = ""
    due_on: str = ""


def theme_candidates(*, actor: Actor) -> list[ThemeCandidate]:
    """The five largest confirmed classes, to choose a month's theme from."""
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    size = func.count(ProblemClassMember.id)
    with session_scope() as session:
        rows = session.exec(
            select(ProblemClass.id, ProblemClass.name, size)
            .join(ProblemClassMember, ProblemClassMember.class_id == ProblemClass.id)
            .where(ProblemClass.status == ClassStatus.CONFIRMED, ProblemClassMember.removed_at.is_(None))
            .group_by(ProblemClass.id, ProblemClass.name)
            .order_by(size.desc(), ProblemClass.id.desc())
            .limit(TOP_CLASSES)
        ).all()
    return [ThemeCandidate(class_id=i, name=name, size=n) for i, name, n in rows]


def _month(raw) -> str | None:
    match = _MONTH.match(raw.strip()) if isinstance(raw, str) else None
    if not match or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        return None
    return f"{int(match[1]):04d}-{int(match[2]):02d}"


def _text(errors: dict, key: str, raw, limit: int, label: str, *, low: int = 2) -> str:
    text = clean_text(raw, limit=limit)
    if len(text) < low:
        errors[key] = f"请填写{label}"
    elif len(text) > limit:
        errors[key] = f"{label}不超过{limit}字"
    return text


def _problems(session: Session, form: ThemeForm, errors: dict) -> list[tuple[str, int | None]]:
    problems = []
    raw = list(form.problems)[:3] if isinstance(form.problems, list) else []
    chosen = list(form.classes)[:3] if isinstance(form.classes, list) else []
    for i, text in enumerate(raw):
        class_id = parse_id(chosen[i]) if i < len(chosen) and chosen[i] else None
        group = session.get(ProblemClass, class_id) if class_id else None
        if class_id and (group is None or group.status != ClassStatus.CONFIRMED):
            errors[f"problem_{i}"] = "请选择已确认的一类问题"
            continue
        text = clean_text(text, limit=PROBLEM_MAX) or (group.name if group else "")
        if len(text) > PROBLEM_MAX:
            errors[f"problem_{i}"] = f"问题不超过{PROBLEM_MAX}字"
        elif text:
            problems.append((text, group.id if group else None))
    if not 2 <= len(problems) <= 3 and "problem_0" not in errors:
        errors["problem_0"] = "请填写2至3个问题"
    return problems


@transactional
def create_theme(*, actor: Actor, form: ThemeForm) -> int:
    """新增每月一题: the month (one theme a month), the theme and its 2–3 problems; a draft until 发布."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        errors: dict[str, str] = {}
        month = _month(form.month)
        if month is None:
            errors["month"] = "请填写月份(年-月,如 2026-12)"
        elif session.exec(select(MonthlyTheme.id).where(MonthlyTheme.month == month)).first():
            errors["month"] = "该月已有每月一题"
        title = _text(errors, "title", form.title, TITLE_MAX, "主题")
        summary = _text(errors, "summary", form.summary, SUMMARY_MAX, "说明", low=0)
        problems = _problems(session, form, errors)
        if errors:
            raise ValidationFailed(errors)
        theme = MonthlyTheme(month=month, title=title, summary=summary, created_by_id=actor.user_id, created_at=now())
        session.add(theme)
        session.flush()
        session.add_all(
            MonthlyProblem(theme_id=theme.id, position=i + 1, text=text, class_id=class_id)
            for i, (text, class_id) in enumerate(problems)
        )
        record_audit(session, actor, "新增每月一题", f"每月一题{month}", title)
        return theme.id


@transactional
def add_task(*, actor: Actor, theme_id, form: TaskForm) -> int:
    """新增任务: a unit's task under one of the theme's problems, with its due date."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        theme = get_row(session, MonthlyTheme, theme_id, "未找到该每月一题")
        errors: dict[str, str] = {}
        problem = session.get(MonthlyProblem, parse_id(form.problem_id) or 0)
        if problem is None or problem.theme_id != theme.id:
            errors["problem_id"] = "请选择所属问题"
        unit = session.get(Unit, parse_id(form.unit_id) or 0)
        if unit is None or not unit.active:
            errors["unit_id"] = "请选择责任单位"
        title = _text(errors, "task_title", form.title, TASK_MAX, "任务内容")
        due = parse_day(form.due_on)
        if due is None or not (date(2000, 1, 1) <= due <= date(2100, 12, 31)):
            errors["due_on"] = "请填写完成时限(年-月-日)"
        if errors:
            raise ValidationFailed(errors)
        count = session.exec(select(func.count()).where(MonthlyTask.theme_id == theme.id)).one()
        if count >= MAX_TASKS:
            raise ServiceError(f"每个每月一题最多{MAX_TASKS}项任务")
        task = MonthlyTask(
            theme_id=theme.id, problem_id=problem.id, unit_id=unit.id, title=title, due_on=due, created_at=now()
        )
        session.add(task)
        session.flush()
        return task.id


@transactional
def publish_theme(*, actor: Actor, theme_id) -> None:
    """发布: the theme appears on the public /monthly page."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        theme = get_row(session, MonthlyTheme, theme_id, "未找到该每月一题")
        if session.exec(select(func.count()).where(MonthlyTask.theme_id == theme.id)).one() == 0:
            raise ServiceError("请先为每月一题分配任务")
        theme.published = True
        session.add(theme)
        record_audit(session, actor, "发布每月一题", f"每月一题{theme.month}", theme.title)


@transactional
def report_progress(*, actor: Actor, task_id, progress, note) -> None:
    """更新进度: the task's own unit (or the centre) reports a percentage and a milestone."""
    require_role(actor, Role.HANDLER, Role.DISPATCHER)
    with session_scope() as session:
        task = get_row(session, MonthlyTask, task_id, "未找到该任务")
        if actor.role == Role.HANDLER and task.unit_id != actor.unit_id:
            raise Forbidden()
        errors: dict[str, str] = {}
        percent = parse_bounded_int(progress, low=0, high=100)
        if percent is None:
            errors["progress"] = "请填写0至100之间的整数"
        text = _text(errors, "note", note, NOTE_MAX, "进展情况")
        if errors:
            raise ValidationFailed(errors)
        if session.exec(select(func.count()).where(MonthlyMilestone.task_id == task.id)).one() >= MAX_MILESTONES:
            raise ServiceError(f"每项任务最多记录{MAX_MILESTONES}次进展")
        result = session.exec(
            update(MonthlyTask)
            .where(MonthlyTask.id == task.id, MonthlyTask.version == task.version)
            .values(progress=percent, done_at=now() if percent == 100 else None, version=task.version + 1)
        )
        if result.rowcount != 1:
            raise Conflict()
        session.add(
            MonthlyMilestone(
                task_id=task.id, progress=percent, note=text, created_by_id=actor.user_id, created_at=now()
            )
        )


def _status(task: MonthlyTask, today: date) -> str:
    if task.progress >= 100:
        return TASK_DONE
    return TASK_LATE if task.due_on < today else TASK_RUNNING


def _themes(session: Session, themes: list[MonthlyTheme]) -> list[PublicTheme]:
    ids = [t.id for t in themes]
    if not ids:
        return []
    problems = session.exec(
        select(MonthlyProblem).where(MonthlyProblem.theme_id.in_(ids)).order_by(MonthlyProblem.position)
    ).all()
    tasks = session.exec(
        select(MonthlyTask, Unit.name)
        .join(Unit, Unit.id == MonthlyTask.unit_id)
        .where(MonthlyTask.theme_id.in_(ids))
        .order_by(MonthlyTask.problem_id, MonthlyTask.due_on, MonthlyTask.id)
    ).all()
    milestones: dict[int, list[PublicMilestone]] = {}
    task_ids = [t.id for t, _ in tasks]
    for m in session.exec(
        select(MonthlyMilestone).where(MonthlyMilestone.task_id.in_(task_ids)).order_by(MonthlyMilestone.id.desc())
    ).all():
        day = format_instant(m.created_at, with_time=False)
        milestones.setdefault(m.task_id, []).append(PublicMilestone(day=day, progress=m.progress, note=m.note))
    today = local_date(now())
    rows = []
    for theme in themes:
        mine = [
            PublicTask(
                id=t.id,
                problem_id=t.problem_id,
                unit=unit,
                unit_id=t.unit_id,
                title=t.title,
                due_on=t.due_on.isoformat(),
                progress=t.progress,
                status=_status(t, today),
                milestones=milestones.get(t.id, [])[:5],
            )
            for t, unit in tasks
            if t.theme_id == theme.id
        ]
        rows.append(
            PublicTheme(
                id=theme.id,
                month=theme.month,
                title=theme.title,
                summary=theme.summary,
                published=theme.published,
                progress=round(sum(t["progress"] for t in mine) / len(mine)) if mine else 0,
                problems=[
                    PublicProblem(id=p.id, position=p.position, text=p.text) for p in problems if p.theme_id == theme.id
                ],
                tasks=mine,
            )
        )
    return rows


def public_themes() -> list[PublicTheme]:
    """/monthly: the published months, newest first (the last 24)."""
    with session_scope() as session:
        themes = session.exec(
            select(MonthlyTheme)
            .where(MonthlyTheme.published == True)  # noqa: E712
            .order_by(MonthlyTheme.month.desc())
            .limit(PUBLIC_MONTHS)
        ).all()
        return _themes(session, themes)


def staff_themes(*, actor: Actor) -> list[PublicTheme]:
    """/staff/monthly: every theme, drafts included, newest first (the last 24)."""
    require_role(actor, *READERS)
    with session_scope() as session:
        themes = session.exec(select(MonthlyTheme).order_by(MonthlyTheme.month.desc()).limit(PUBLIC_MONTHS)).all()
        return _themes(session, themes)
