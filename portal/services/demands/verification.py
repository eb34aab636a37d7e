"""办结核查: after two 不满意 rounds the lead unit uploads the 不满意诉求审核反馈表 signed by its head, and
the 专班 closes the demand with an opinion or orders another round."""

from __future__ import annotations

from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import DemandStatus as S
from portal.models.enums import Role
from portal.models.tables import Verification
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role, transactional
from portal.services.base.errors import NotFound, ServiceError, ValidationFailed
from portal.services.base.notices import notify_center, notify_enterprise
from portal.services.base.text import clean_text
from portal.services.demands import attachments, rectification
from portal.services.demands.attachments import UploadedFile
from portal.services.demands.rating import start_redo
from portal.services.demands.workflow import advance_demand, get_demand, lead_order, record_event


def _current_verification(session, demand) -> Verification:
    return session.exec(
        select(Verification).where(Verification.demand_id == demand.id, Verification.round == demand.round)
    ).one()


@transactional
def upload_review_form(*, actor: Actor, demand_id, upload: UploadedFile, note: str = "") -> None:
    """The lead unit uploads the 不满意诉求审核反馈表 signed by its head."""
    require_role(actor, Role.HANDLER)
    with attachments.kept_only_if_committed() as stored, session_scope() as session:
        demand = get_demand(session, demand_id)
        lead = lead_order(session, demand, live_only=False)
        if lead is None or lead.unit_id != actor.unit_id:
            raise NotFound()
        if demand.status != S.VERIFYING:
            raise ServiceError("该诉求不在核查中")
        verification = _current_verification(session, demand)
        if not isinstance(upload, UploadedFile):
            raise ValidationFailed({"files": "请上传审核反馈表"})
        attachment = attachments.attach(
            session,
            stored,
            upload,
            demand_id=demand.id,
            work_order_id=lead.id,
            purpose="审核反馈表",
            uploaded_by_id=actor.user_id,
        )
        session.flush()
        verification.form_attachment_id = attachment.id
        verification.unit_note = clean_text(note, limit=1000)
        session.add(verification)
        advance_demand(session, demand)
        record_event(session, demand, actor, "上传审核反馈表", attachment.filename, {"attachment_id": attachment.id})
        notify_center(session, demand, "审核反馈表", f"审核反馈表已上传,待核查:{demand.title}")


@transactional
def decide_verification(*, actor: Actor, demand_id, close: bool, opinion: str) -> None:
    """核查办结 with an opinion, or order another round (重办)."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        demand = get_demand(session, demand_id)
        if demand.status != S.VERIFYING:
            raise ServiceError("该诉求不在核查中")
        verification = _current_verification(session, demand)
        if verification.form_attachment_id is None:
            raise ServiceError("承办单位尚未上传不满意诉求审核反馈表")
        opinion = clean_text(opinion, limit=1000)
        if len(opinion) < 4:
            raise ValidationFailed({"opinion": "请填写核查意见"})
        moment = now()
        verification.opinion, verification.decided_by_id, verification.decided_at = opinion, actor.user_id, moment
        verification.decision = "核查办结" if close else "重办"
        session.add(verification)
        if close:
            advance_demand(session, demand, status=S.CLOSED, closed_at=moment, moment=moment)
            record_event(session, demand, actor, "核查办结", opinion, {}, moment, public="经核查,诉求已办结")
            # The opinion is the centre's internal finding; the enterprise is told the outcome only.
            notify_enterprise(session, demand, "已办结", f"诉求{demand.code}经核查办结", "经核查,诉求已办结")
            rectification.on_verified(session, demand)
        else:
            lead = lead_order(session, demand, live_only=False)
            order = start_redo(
                session,
                demand,
                lead.unit_id,
                actor,
                moment,
                "核查意见:重办",
                opinion,
                public_prefix="经核查,转承办单位重办",
            )
            rectification.on_new_round(session, demand, order)
