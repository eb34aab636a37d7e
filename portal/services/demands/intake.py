"""收集: an enterprise submits a demand (待受理) or withdraws it while nobody has taken it up."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.ids import parse_id
from portal.models.enums import DemandKind, Role, UnitKind
from portal.models.enums import DemandStatus as S
from portal.models.tables import Demand, Topic, Unit
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role, transactional
from portal.services.base.errors import ServiceError, ValidationFailed
from portal.services.base.fulltext import cjk_bigrams
from portal.services.base.notices import notify_center
from portal.services.base.text import clean_text
from portal.services.demands import attachments as files
from portal.services.demands.attachments import UploadedFile
from portal.services.demands.workflow import advance_demand, next_demand_code, own_demand, record_event

TITLE_MAX, CONTENT_MIN, CONTENT_MAX = 50, 10, 2000


@dataclass
class DemandForm:
    kind: str
    topic_id: int | str | None
    title: str
    content: str
    contact_name: str
    contact_phone: str
    suggested_unit_id: int | str | None = None
    files: list[UploadedFile] = field(default_factory=list)


def _text_errors(form: DemandForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    title = clean_text(form.title, limit=TITLE_MAX)
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > TITLE_MAX:
        errors["title"] = "标题不超过50字"
    content = clean_text(form.content, limit=CONTENT_MAX)
    if len(content) < CONTENT_MIN:
        errors["content"] = "诉求内容至少10个字,请把问题和诉求说清楚"
    elif len(content) > CONTENT_MAX:
        errors["content"] = "诉求内容不超过2000字"
    if not clean_text(form.contact_name, limit=50):
        errors["contact_name"] = "请填写联系人"
    if err := security.phone_error(clean_text(form.contact_phone, limit=30)):
        errors["contact_phone"] = err
    return errors


def _file_errors(uploads: list[UploadedFile]) -> dict[str, str]:
    if len(uploads) > files.MAX_FILES_PER_SUBMISSION:
        return {"files": f"附件最多{files.MAX_FILES_PER_SUBMISSION}个"}
    for item in uploads:
        try:
            files.check_file(item.filename, item.data)
        except ValidationFailed as exc:
            return {"files": exc.errors["files"]}
    return {}


def validate_demand_form(session: Session, form: DemandForm) -> dict[str, str]:
    """Field → message for everything wrong with the form; empty when it may be submitted."""
    errors: dict[str, str] = {}
    if form.kind not in {k.value for k in DemandKind}:
        errors["kind"] = "请选择诉求类型"
    topic_id = parse_id(form.topic_id)
    topic = session.get(Topic, topic_id) if topic_id else None
    if topic is None or not topic.active:
        errors["topic_id"] = "请选择诉求事项"
    errors.update(_text_errors(form))
    if form.suggested_unit_id not in (None, "", 0):
        unit_id = parse_id(form.suggested_unit_id)
        unit = session.get(Unit, unit_id) if unit_id else None
        if unit is None or not unit.active or unit.kind == UnitKind.CENTER:
            errors["suggested_unit_id"] = "请选择建议解决部门"
    errors.update(_file_errors(form.files))
    return errors


@transactional
def submit_demand(*, actor: Actor, form: DemandForm, channel: str = "线上提交") -> int:
    """An enterprise submits a demand (待受理). Returns its id."""
    require_role(actor, Role.ENTERPRISE)
    with files.kept_only_if_committed() as stored, session_scope() as session:
        errors = validate_demand_form(session, form)
        if errors:
            raise ValidationFailed(errors)
        moment = now()
        title, content = clean_text(form.title, limit=TITLE_MAX), clean_text(form.content, limit=CONTENT_MAX)
        demand = Demand(
            code=next_demand_code(session, moment),
            enterprise_id=actor.enterprise_id,
            submitted_by_id=actor.user_id,
            channel=channel,
            kind=form.kind,
            topic_id=parse_id(form.topic_id),
            title=title,
            content=content,
            suggested_unit_id=parse_id(form.suggested_unit_id) or None,
            contact_name=clean_text(form.contact_name, limit=50),
            contact_phone=security.normalise_phone(clean_text(form.contact_phone, limit=30)),
            status=S.SUBMITTED,
            created_at=moment,
            updated_at=moment,
            search_tokens=cjk_bigrams(f"{title} {content}"),
        )
        session.add(demand)
        session.flush()
        for upload in form.files:
            files.attach(session, stored, upload, demand_id=demand.id, purpose="诉求附件", uploaded_by_id=actor.user_id)
        record_event(
            session,
            demand,
            actor,
            "提交诉求",
            f"{form.kind}·{title}",
            {"attachments": len(form.files)},
            moment,
            public=True,
        )
        notify_center(session, demand, "新诉求", f"新诉求待受理:{title}", f"编号{demand.code}")
        return demand.id


@transactional
def withdraw(*, actor: Actor, demand_id) -> None:
    """撤回: only while the demand is still 待受理."""
    require_role(actor, Role.ENTERPRISE)
    with session_scope() as session:
        demand = own_demand(session, actor, demand_id)
        if demand.status != S.SUBMITTED:
            raise ServiceError("只有待受理的诉求可以撤回")
        advance_demand(session, demand, status=S.WITHDRAWN, closed_at=now())
        record_event(session, demand, actor, "撤回", "企业撤回诉求", public=True)
