"""收集: how a demand comes into the portal, and 撤回 while nobody has taken it up.

Every way in — the enterprise online, a ledger import, staff registering a hotline call or a visit —
opens its demands through ``open_demands``: the codes, the search tokens, the first (public) timeline
event and the notices are made there and only there, with the channel and who registered it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from portal import routes
from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.ids import parse_id
from portal.models.enums import Channel, DemandKind, Role, UnitKind
from portal.models.enums import DemandStatus as S
from portal.models.tables import Demand, Topic, Unit
from portal.services.accounts.actor import Actor
from portal.services.base.access import actor_label, require_role, transactional
from portal.services.base.errors import ServiceError, ValidationFailed
from portal.services.base.fulltext import cjk_bigrams
from portal.services.base.notices import notify_center, notify_center_of_batch
from portal.services.base.text import clean_text
from portal.services.demands import attachments as files
from portal.services.demands.attachments import UploadedFile
from portal.services.demands.timeline import chained_event
from portal.services.demands.workflow import advance_demand, next_demand_codes, own_demand, record_event

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
    contact_name = clean_text(form.contact_name, limit=50)
    if not contact_name:
        errors["contact_name"] = "请填写联系人"
    elif len(contact_name) > 50:
        errors["contact_name"] = "联系人不超过50字"
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


@dataclass(frozen=True)
class NewDemand:
    """One demand as a way in supplies it, already checked and cleaned by that way in."""

    enterprise_id: int
    kind: str
    topic_id: int | None
    title: str
    content: str
    contact_name: str
    contact_phone: str
    suggested_unit_id: int | None = None
    import_fingerprint: str | None = None
    event_detail: str = ""  # the first timeline event's words (public)
    event_data: dict = field(default_factory=dict)


def open_demands(
    session: Session,
    new: Sequence[NewDemand],
    *,
    channel: str,
    registered_by: Actor,
    action: str = "提交诉求",
    batch_note: str = "",
    moment: datetime | None = None,
) -> list[Demand]:
    """Open ``new`` as 待受理 demands in the caller's transaction: codes reserved at once, one batched
    INSERT, each demand's first public timeline event (``action``), and the 推进中心 told — of one demand
    by its title, or, given a ``batch_note`` (an import), of the whole batch in one notice. Staff registering on an
    enterprise's behalf is recorded as who registered it (``submitted_by_id``) and on the timeline."""
    if channel not in {c.value for c in Channel}:
        raise ValidationFailed({"channel": "请选择来源渠道"})
    if not new:
        return []
    moment = moment or now()
    codes = next_demand_codes(session, moment, len(new))
    demands = [_demand_row(item, code, channel, registered_by, moment) for item, code in zip(new, codes, strict=True)]
    session.add_all(demands)
    session.flush()  # one batched INSERT … RETURNING for the ids
    label = actor_label(session, registered_by)
    session.add_all(
        chained_event(
            None,
            demand_id=demand.id,
            actor_id=registered_by.user_id,
            actor_label=label,
            action=action,
            detail=item.event_detail,
            public_detail=item.event_detail,
            data=item.event_data,
            created_at=moment,
        )
        for demand, item in zip(demands, new, strict=True)
    )
    if not batch_note:
        for demand in demands:
            notify_center(session, demand, "新诉求", f"新诉求待受理:{demand.title}", f"编号{demand.code}")
    else:
        notify_center_of_batch(
            session,
            key=f"batch:{demands[-1].id}",
            kind="新诉求",
            title=f"{action}:{len(demands)}条新诉求待受理",
            body=batch_note,
            link=routes.STAFF_DISPATCH,
        )
    return demands


def open_demand(session: Session, new: NewDemand, *, channel: str, registered_by: Actor, **options) -> Demand:
    """``open_demands`` for one demand."""
    return open_demands(session, [new], channel=channel, registered_by=registered_by, **options)[0]


def _demand_row(item: NewDemand, code: str, channel: str, registered_by: Actor, moment: datetime) -> Demand:
    return Demand(
        code=code,
        enterprise_id=item.enterprise_id,
        submitted_by_id=registered_by.user_id,
        channel=channel,
        kind=item.kind,
        topic_id=item.topic_id,
        title=item.title,
        content=item.content,
        suggested_unit_id=item.suggested_unit_id,
        contact_name=item.contact_name,
        contact_phone=item.contact_phone,
        status=S.SUBMITTED,
        created_at=moment,
        updated_at=moment,
        search_tokens=cjk_bigrams(f"{item.title} {item.content}"),
        import_fingerprint=item.import_fingerprint,
    )


@transactional
def submit_demand(*, actor: Actor, form: DemandForm, channel: str = Channel.ONLINE) -> int:
    """An enterprise submits a demand (待受理). Returns its id."""
    require_role(actor, Role.ENTERPRISE)
    with files.kept_only_if_committed() as stored, session_scope() as session:
        errors = validate_demand_form(session, form)
        if errors:
            raise ValidationFailed(errors)
        title, content = clean_text(form.title, limit=TITLE_MAX), clean_text(form.content, limit=CONTENT_MAX)
        demand = open_demand(
            session,
            NewDemand(
                enterprise_id=actor.enterprise_id,
                kind=form.kind,
                topic_id=parse_id(form.topic_id),
                title=title,
                content=content,
                contact_name=clean_text(form.contact_name, limit=50),
                contact_phone=security.normalise_phone(clean_text(form.contact_phone, limit=30)),
                suggested_unit_id=parse_id(form.suggested_unit_id) or None,
                event_detail=f"{form.kind}·{title}",
                event_data={"attachments": len(form.files)},
            ),
            channel=channel,
            registered_by=actor,
        )
        for upload in form.files:
            files.attach(session, stored, upload, demand_id=demand.id, purpose="诉求附件", uploaded_by_id=actor.user_id)
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
