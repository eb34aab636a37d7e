"""/staff/rectifications (差评整改): the list of cases, the selected case with what its viewer may do, the
lead unit's 整改情况 and the 推进中心's 回访. The 推进中心 and leaders see every case, a handler its own
unit's cases (the unit that must rectify); leaders only read."""

from __future__ import annotations

from sqlmodel import Session, select

from portal import routes
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.models.enums import DemandStatus as S
from portal.models.enums import RatingSource, Role
from portal.models.enums import RectificationStatus as R
from portal.models.records.demands import AttachmentRow, RectificationPanel, RectificationRow
from portal.models.tables import Attachment, Demand, Rating, RatingAppeal, Rectification, Unit
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.errors import NotFound, ServiceError, ValidationFailed
from portal.services.base.text import clean_text
from portal.services.demands import handling
from portal.services.demands.appeals import appeal_deadline, appeal_of, may_appeal
from portal.services.demands.detail import APPEAL_EVIDENCE
from portal.services.demands.lists import names_by_id
from portal.services.demands.rating import apply_rating
from portal.services.demands.rectification import settle_after_revisit
from portal.services.demands.workflow import advance_demand, record_event

LIST_LIMIT = 200
STATUSES = tuple(s.value for s in R)
REPORT, APPEAL, REVISIT, DECIDE = "提交整改情况", "申诉复核", "回访", "复核申诉"


def _row(session: Session, case: Rectification, demand: Demand, units: dict[int, str], moment) -> RectificationRow:
    first, last = session.get(Rating, case.rating_id), session.get(Rating, case.last_bad_rating_id)
    appeal = appeal_of(session, last.id) or appeal_of(session, first.id)
    return RectificationRow(
        case_id=case.id,
        demand_id=demand.id,
        code=demand.code,
        title=demand.title,
        unit=units.get(case.unit_id, ""),
        satisfaction=first.satisfaction,
        last_bad=last.satisfaction,
        status=case.status,
        case_round=case.case_round,
        due_at=format_instant(case.due_at),
        overdue=case.status == R.RECTIFYING and moment > case.due_at,
        report=case.report,
        reported_at=format_instant(case.reported_at) if case.reported_at else "",
        on_time="" if case.on_time is None else ("按期" if case.on_time else "逾期"),
        rerating=case.rerating,
        revisit=f"{format_instant(case.revisited_at)} {case.revisit_note}" if case.revisited_at else "",
        appeal=appeal.status if appeal else "",
        created_at=format_instant(case.created_at),
    )


def _visible(actor: Actor, case: Rectification) -> bool:
    return actor.role in (Role.DISPATCHER, Role.LEADER) or (
        actor.role == Role.HANDLER and case.unit_id == actor.unit_id
    )


def list_cases(*, actor: Actor, status: str = "") -> list[RectificationRow]:
    """The cases the viewer may see, newest first; ``status`` one of ``STATUSES`` or all."""
    require_role(actor, Role.DISPATCHER, Role.HANDLER, Role.LEADER)
    query = select(Rectification, Demand).join(Demand, Demand.id == Rectification.demand_id)
    if actor.role == Role.HANDLER:
        query = query.where(Rectification.unit_id == actor.unit_id)
    if status in STATUSES:
        query = query.where(Rectification.status == status)
    moment = now()
    with session_scope() as session:
        rows = session.exec(query.order_by(Rectification.created_at.desc(), Rectification.id.desc()).limit(LIST_LIMIT))
        rows = rows.all()
        units = names_by_id(session, Unit, [c.unit_id for c, _ in rows])
        return [_row(session, c, d, units, moment) for c, d in rows]


def _actions(session: Session, actor: Actor, case: Rectification, demand: Demand, moment) -> list[str]:
    pending = session.exec(
        select(RatingAppeal.id).where(RatingAppeal.demand_id == demand.id, RatingAppeal.status == "待复核")
    ).first()
    if actor.role == Role.DISPATCHER:
        return ([REVISIT] if case.status == R.REVISIT else []) + ([DECIDE] if pending else [])
    if actor.role == Role.HANDLER and case.unit_id == actor.unit_id:
        report = [REPORT] if case.status == R.RECTIFYING and demand.status == S.REDO else []
        return report + ([APPEAL] if may_appeal(session, case, moment) else [])
    return []


def case_panel(*, actor: Actor, case_id) -> RectificationPanel:
    """One case as its viewer may see it, with the actions open to them now (the services re-check)."""
    require_role(actor, Role.DISPATCHER, Role.HANDLER, Role.LEADER)
    moment = now()
    with session_scope() as session:
        case = get_row(session, Rectification, case_id)
        if not _visible(actor, case):
            raise NotFound()
        demand = session.get(Demand, case.demand_id)
        last = session.get(Rating, case.last_bad_rating_id)
        appeal = appeal_of(session, last.id)
        files = session.exec(
            select(Attachment).where(Attachment.demand_id == demand.id, Attachment.purpose == APPEAL_EVIDENCE)
        ).all()
        return RectificationPanel(
            row=_row(session, case, demand, names_by_id(session, Unit, [case.unit_id]), moment),
            actions=_actions(session, actor, case, demand, moment),
            needs_rating=demand.status == S.FEEDBACK,
            appeal_deadline=format_instant(appeal_deadline(session, last)),
            appeal_reason=appeal.reason if appeal else "",
            appeal_opinion=appeal.opinion if appeal else "",
            appeal_files=[
                AttachmentRow(
                    id=f.id,
                    filename=f.filename,
                    purpose=f.purpose,
                    size=f"{f.size / 1024:.0f} KB",
                    url=routes.attachment_file(f.id),
                )  # fmt: skip
                for f in files
            ],
        )


def report_rectification(*, actor: Actor, case_id, report: str, method: str, solved) -> None:
    """提交整改情况: the lead unit's reply on the case's 重办 order (``handling.submit_feedback`` checks the
    order, the unit and the text, and marks the case 待回访)."""
    require_role(actor, Role.HANDLER)
    with session_scope() as session:
        case = get_row(session, Rectification, case_id)
        if case.unit_id != actor.unit_id:
            raise NotFound()
        if case.status != R.RECTIFYING or case.order_id is None:
            raise ServiceError("该案件当前不在整改中")
        order_id = case.order_id
    handling.submit_feedback(actor=actor, order_id=order_id, reply=report, method=method, solved=solved)


@transactional
def revisit_case(
    *, actor: Actor, case_id, note: str, satisfaction: str = "", contacted=None, comment: str = "", scores=None
) -> None:
    """差评回访 by the 推进中心 (every 差评 is called back): the 回访情况, and the re-rating by phone when the
    enterprise has not rated online. The case closes once the demand is closed."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        case = get_row(session, Rectification, case_id)
        if case.status != R.REVISIT:
            raise ServiceError("该案件当前不需要回访")
        note = clean_text(note, limit=1000)
        if len(note) < 2:
            raise ValidationFailed({"note": "请填写回访情况"})
        demand = session.get(Demand, case.demand_id)
        moment = now()
        case.revisit_note, case.revisited_at, case.revisited_by_id = note, moment, actor.user_id
        if demand.status == S.FEEDBACK:
            apply_rating(session, demand, actor, satisfaction=satisfaction, contacted=contacted,
                         comment=comment, source=RatingSource.PHONE, scores=scores)  # fmt: skip
        else:
            advance_demand(session, demand, moment=moment)
            record_event(session, demand, actor, "差评回访", note, {"case_id": case.id}, moment,
                         public="推进中心已就差评整改情况电话回访")  # fmt: skip
        settle_after_revisit(case, demand)
        session.add(case)
