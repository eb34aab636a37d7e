"""申诉复核 (national 好差评: a unit may ask for a mistaken or malicious rating to be reviewed). Within the
差评申诉 limit (default 5 working days after the 差评) the case's lead unit appeals with a reason and
evidence files (checked like every attachment, staff-only); the 推进中心 upholds or rejects it with an
opinion. An upheld appeal leaves the rating visible, marked 申诉成立, and takes it out of 满意率 and 差评率.
One appeal per rating; every decision is audited and the enterprise reads a public wording of it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import AppealStatus, LimitLevel, Role
from portal.models.tables import Demand, Rating, RatingAppeal, Rectification
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, NotFound, ServiceError, ValidationFailed
from portal.services.base.notices import notify_center, notify_unit
from portal.services.base.text import clean_text
from portal.services.calendar.store import get_calendar
from portal.services.demands import attachments
from portal.services.demands.attachments import UploadedFile
from portal.services.demands.detail import APPEAL_EVIDENCE
from portal.services.demands.workflow import advance_demand, limit_days, record_event

PUBLIC_UPHELD = "经复核,承办单位对该条评价的申诉成立,该评价不计入满意率统计"
PUBLIC_REJECTED = "经复核,承办单位对该条评价的申诉不成立,评价维持有效"


def appeal_deadline(session: Session, rating: Rating) -> datetime:
    return get_calendar(session).add_working_days(rating.created_at, limit_days(session, LimitLevel.APPEAL))


def appeal_of(session: Session, rating_id: int) -> RatingAppeal | None:
    return session.exec(select(RatingAppeal).where(RatingAppeal.rating_id == rating_id)).first()


def may_appeal(session: Session, case: Rectification, moment: datetime) -> bool:
    rating = session.get(Rating, case.last_bad_rating_id)
    return appeal_of(session, rating.id) is None and moment <= appeal_deadline(session, rating)


def _own_case(session: Session, actor: Actor, case_id) -> Rectification:
    case = get_row(session, Rectification, case_id)
    if case.unit_id != actor.unit_id:
        raise NotFound()  # a co-unit or another unit: the same words as a case that does not exist
    return case


@transactional
def submit_appeal(*, actor: Actor, case_id, reason: str, files=()) -> None:
    """申诉复核 by the case's lead unit, on the case's latest 差评."""
    require_role(actor, Role.HANDLER)
    with attachments.kept_only_if_committed() as stored, session_scope() as session:
        case = _own_case(session, actor, case_id)
        rating = session.get(Rating, case.last_bad_rating_id)
        if appeal_of(session, rating.id) is not None:
            raise ServiceError("该评价已提出过申诉,每条评价只能申诉一次")
        deadline = appeal_deadline(session, rating)
        if now() > deadline:
            raise ServiceError(f"已超过申诉期限(差评后{limit_days(session, LimitLevel.APPEAL)}个工作日内)")
        reason = clean_text(reason, limit=1000)
        if len(reason) < 4:
            raise ValidationFailed({"reason": "请填写申诉理由(不少于4个字)"})
        files = list(files) if isinstance(files, (list, tuple)) else []
        if not all(isinstance(f, UploadedFile) for f in files):
            raise ValidationFailed({"files": "请上传申诉材料"})
        if len(files) > attachments.MAX_FILES_PER_SUBMISSION:
            raise ValidationFailed({"files": f"附件最多{attachments.MAX_FILES_PER_SUBMISSION}个"})
        for item in files:
            attachments.check_file(item.filename, item.data)
        demand = session.get(Demand, case.demand_id)
        moment = now()
        advance_demand(session, demand, moment=moment)  # the version gate: one appeal wins a race
        session.add(
            RatingAppeal(
                rating_id=rating.id,
                demand_id=demand.id,
                unit_id=case.unit_id,
                reason=reason,
                status=AppealStatus.PENDING,
                submitted_by_id=actor.user_id,
                created_at=moment,
            )
        )
        for upload in files:
            attachments.attach(
                session, stored, upload, demand_id=demand.id, purpose=APPEAL_EVIDENCE, uploaded_by_id=actor.user_id
            )
        record_event(
            session, demand, actor, "申诉复核申请", f"对第{rating.round}轮评价({rating.satisfaction})申诉:{reason}"
        )
        notify_center(session, demand, "申诉复核", f"承办单位申诉复核,待复核:{demand.title}")


@transactional
def decide_appeal(*, actor: Actor, case_id, uphold, opinion: str) -> None:
    """复核申诉: the 推进中心 upholds (the rating leaves the rates) or rejects, with its opinion."""
    require_role(actor, Role.DISPATCHER)
    if not isinstance(uphold, bool):
        raise ValidationFailed({"decision": "请选择复核结果"})
    with session_scope() as session:
        case = get_row(session, Rectification, case_id)
        appeal = session.exec(
            select(RatingAppeal)
            .where(RatingAppeal.demand_id == case.demand_id, RatingAppeal.status == AppealStatus.PENDING)
            .order_by(RatingAppeal.id)
        ).first()
        if appeal is None:
            raise Conflict("该申诉已复核或不存在")
        opinion = clean_text(opinion, limit=1000)
        if len(opinion) < 4:
            raise ValidationFailed({"opinion": "请填写复核意见(不少于4个字)"})
        moment = now()
        demand = session.get(Demand, case.demand_id)
        rating = session.get(Rating, appeal.rating_id)
        advance_demand(session, demand, moment=moment)
        status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
        appeal.status, appeal.opinion, appeal.decided_by_id, appeal.decided_at = status, opinion, actor.user_id, moment
        session.add(appeal)
        if uphold:
            rating.excluded = True
            session.add(rating)
        public = PUBLIC_UPHELD if uphold else PUBLIC_REJECTED
        record_event(session, demand, actor, "申诉复核", f"{status}:{opinion}", {"rating_round": rating.round},
                     moment, public=public)  # fmt: skip
        record_audit(session, actor, "申诉复核", f"诉求{demand.code}第{rating.round}轮评价", f"{status}:{opinion}")
        notify_unit(
            session,
            demand,
            key=f"d{demand.id}:申诉:{appeal.id}",
            kind="申诉复核",
            unit_id=appeal.unit_id,
            title=f"申诉复核结果:{status}",
            body=opinion[:200],
        )
