"""代企业登记诉求 (/staff/intake): a demand taken by 服务热线, 办不成事窗口, 走访征询, 座谈会 or 政企茶话会 on an
enterprise's behalf, for an enterprise of the 企业台账 or one recorded on the spot (新增企业, no account).

It enters the normal loop through ``demands.intake.open_demand`` (待受理, the code, the centre told), with
the channel and who registered it on the demand and on the first timeline event ("推进中心·姓名
代企业登记(服务热线)"; the enterprise reads the unit only). An enterprise with an account is told and finds
the demand in 我的诉求. Who: the 推进中心; a 镇街 handler for its own 镇街's enterprises; a 兜底办 handler
(the window serves every enterprise)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from portal.core import security
from portal.core.db import session_scope
from portal.core.ids import parse_id
from portal.models.enums import STAFF_INTAKE_CHANNELS
from portal.models.tables import Demand, Enterprise
from portal.services.accounts.actor import Actor
from portal.services.base.access import transactional
from portal.services.base.errors import NotFound, ValidationFailed
from portal.services.base.notices import notify_enterprise
from portal.services.base.text import clean_text
from portal.services.demands import attachments as files
from portal.services.demands.attachments import UploadedFile
from portal.services.demands.intake import (
    CONTENT_MAX,
    TITLE_MAX,
    DemandForm,
    NewDemand,
    open_demand,
    validate_demand_form,
)
from portal.services.enterprises.directory import visible_enterprise
from portal.services.enterprises.registry import EnterpriseForm, add_enterprise, check_new_enterprise, writer_unit

NEW_PREFIX = "new_"  # the 新增企业 fields' names on the intake form


@dataclass
class IntakeForm:
    """The 代企业登记诉求 form: the channel, an enterprise chosen (``enterprise_id``) or a new one (``new``),
    and the demand itself (contact, type, topic, title, content, files)."""

    channel: str
    demand: DemandForm
    enterprise_id: int | str | None = None
    new: EnterpriseForm | None = None
    files: list[UploadedFile] = field(default_factory=list)


def _enterprise(session: Session, actor: Actor, form: IntakeForm, errors: dict[str, str]) -> Enterprise | None:
    """The chosen enterprise (within the actor's area), or None with ``errors`` saying why."""
    if form.new is not None:
        return None
    if form.enterprise_id in (None, "", 0):
        errors["enterprise_id"] = "请在企业台账中查找并选择企业,或新增企业"
        return None
    try:
        return visible_enterprise(session, actor, form.enterprise_id)
    except NotFound:
        errors["enterprise_id"] = "未找到该企业,请重新查找选择"
        return None


@transactional
def register_for_enterprise(*, actor: Actor, form: IntakeForm) -> tuple[int, int]:
    """登记诉求: open the demand (待受理); returns (its id, the enterprise's id). Nothing is written when anything
    is wrong."""
    with files.kept_only_if_committed() as stored, session_scope() as session:
        writer_unit(session, actor)  # Forbidden for leaders, enterprises, departments
        errors: dict[str, str] = {}
        if form.channel not in {c.value for c in STAFF_INTAKE_CHANNELS}:
            errors["channel"] = "请选择来源渠道"
        enterprise = _enterprise(session, actor, form, errors)
        errors.update(validate_demand_form(session, form.demand))
        record = None
        if form.new is not None:
            # The new enterprise's contact is the demand's (checked there): its other fields are prefixed.
            form.new.contact_name, form.new.contact_phone = form.demand.contact_name, form.demand.contact_phone
            new_errors, record = check_new_enterprise(session, actor, form.new)
            errors.update({NEW_PREFIX + k: v for k, v in new_errors.items() if not k.startswith("contact_")})
        if errors:
            raise ValidationFailed(errors)
        if record is not None:
            enterprise = add_enterprise(session, actor, record)
        demand = _open(session, actor, form, enterprise)
        for upload in form.files:
            files.attach(session, stored, upload, demand_id=demand.id, purpose="诉求附件", uploaded_by_id=actor.user_id)
        notify_enterprise(
            session,
            demand,
            "代登记",
            f"您的诉求已由{form.channel}登记:{demand.title}",
            f"编号{demand.code},可在我的诉求中查看",
        )
        return demand.id, enterprise.id


def _open(session: Session, actor: Actor, form: IntakeForm, enterprise: Enterprise) -> Demand:
    demand_form = form.demand
    title = clean_text(demand_form.title, limit=TITLE_MAX)
    return open_demand(
        session,
        NewDemand(
            enterprise_id=enterprise.id,
            kind=demand_form.kind,
            topic_id=parse_id(demand_form.topic_id),
            title=title,
            content=clean_text(demand_form.content, limit=CONTENT_MAX),
            contact_name=clean_text(demand_form.contact_name, limit=50),
            contact_phone=security.normalise_phone(clean_text(demand_form.contact_phone, limit=30)),
            suggested_unit_id=parse_id(demand_form.suggested_unit_id) or None,
            event_detail=f"{demand_form.kind}·{title}",
            event_data={"attachments": len(form.files), "channel": form.channel},
        ),
        channel=form.channel,
        registered_by=actor,
        action=f"代企业登记({form.channel})",
    )
