"""POST ``requests``: a system with a key registers a demand on an enterprise's behalf (channel 接口), through
the same ``demands/intake.open_demand`` as every way in (待受理, the code, the 推进中心 and the enterprise
told).

GeoReport's parameters map onto the portal's demand: ``service_code`` → the topic (诉求事项),
``description`` → 诉求内容 (10–2000 characters), ``last_name`` + ``first_name`` → 联系人 (Chinese order),
``phone`` → 联系电话. The enterprise is named by two extension attributes, ``attribute[credit_code]``
(统一社会信用代码) and ``attribute[enterprise_name]``, and must be in the 企业台账 with exactly that name
(a caller's enterprise the portal does not know is recorded by the 推进中心 or its 镇街 first); optional
``attribute[title]`` (标题, else the start of the description) and ``attribute[kind]`` (咨询 / 求助 / 建议 /
投诉, else 求助). ``email``, the address and location fields, ``device_id``, ``account_id`` and
``media_url`` are accepted and not stored: a demand has no place for them (the enterprise's address is
in its file).

A key may post only for enterprises of its 镇街 and for its topics (when it is bound to any). With an
``Idempotency-Key`` (header, or ``attribute[idempotency_key]``) the same key sending the same body again
gets the first answer and nothing is written; the same key with another body is refused. Every posted
demand keeps a row in ``api_request`` (the key, the body's hash, the GeoReport ``token``)."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from portal.core import security
from portal.core.ids import parse_id
from portal.models.enums import Channel, DemandKind
from portal.models.tables import ApiRequest, Demand, Enterprise, Topic
from portal.services.base.errors import Forbidden, ServiceError, ValidationFailed
from portal.services.base.notices import notify_enterprise
from portal.services.base.text import clean_text
from portal.services.demands import intake
from portal.services.open311.keys import KeyHolder

# The portal's field → the API parameter a caller fixes (ValidationFailed is re-keyed to these).
PARAMETER_OF = {
    "topic_id": "service_code",
    "content": "description",
    "title": "attribute[title]",
    "kind": "attribute[kind]",
    "contact_name": "first_name",
    "contact_phone": "phone",
}
_IDEMPOTENCY = re.compile(r"^[\x21-\x7e]{1,100}$")  # printable ASCII, no spaces
NOT_HASHED = ("api_key", "attribute[idempotency_key]")


UNKNOWN_ENTERPRISE = "企业台账中没有该统一社会信用代码与名称相符的企业,请先由推进中心或所在镇街登记企业"


class ReusedKey(ServiceError):
    """The Idempotency-Key was used before with another body."""


@dataclass(frozen=True)
class Posted:
    service_request_id: str
    token: str
    service_notice: str
    replayed: bool = False


def idempotency_key(raw: str | None) -> str | None:
    """The caller's key, or None for none; ``ValidationFailed`` when malformed."""
    if raw is None or raw == "":
        return None
    if not _IDEMPOTENCY.match(raw):
        raise ValidationFailed({"Idempotency-Key": "Idempotency-Key 须为1–100个可打印ASCII字符(不含空格)"})
    return raw


def request_hash(params: dict[str, str]) -> str:
    """What was asked, independent of parameter order and of the key and idempotency key sent with it."""
    kept = sorted((k, v) for k, v in params.items() if k not in NOT_HASHED)
    return hashlib.sha256(json.dumps(kept, ensure_ascii=False).encode("utf-8")).hexdigest()


def _enterprise(session: Session, holder: KeyHolder, params: dict[str, str]) -> Enterprise:
    code = security.normalise_credit_code(clean_text(params.get("attribute[credit_code]", ""), limit=30))
    name = clean_text(params.get("attribute[enterprise_name]", ""), limit=100)
    if not code or not name:
        raise ValidationFailed(
            {"attribute[credit_code]": "请提供 attribute[credit_code](统一社会信用代码)和 attribute[enterprise_name]"}
        )
    enterprise = session.exec(select(Enterprise).where(Enterprise.credit_code == code)).first()
    if enterprise is None or enterprise.name != name:
        raise ValidationFailed({"attribute[credit_code]": UNKNOWN_ENTERPRISE})
    if holder.town_unit_ids and enterprise.town_unit_id not in holder.town_unit_ids:
        raise Forbidden("该密钥无权为此镇街的企业提交诉求")
    return enterprise


def _topic(session: Session, holder: KeyHolder, raw: str) -> Topic:
    topic_id = parse_id(raw)
    topic = session.get(Topic, topic_id) if topic_id else None
    if topic is None or not topic.active:
        raise ValidationFailed({"service_code": "service_code 未知:请先读取 services.json"})
    if holder.topic_ids and topic.id not in holder.topic_ids:
        raise Forbidden("该密钥无权提交此事项")
    return topic


def _form(params: dict[str, str], topic: Topic) -> intake.DemandForm:
    description = params.get("description", "")
    title = params.get("attribute[title]", "") or clean_text(description, limit=intake.CONTENT_MAX)[:30]
    return intake.DemandForm(
        kind=params.get("attribute[kind]", "") or DemandKind.HELP,
        topic_id=topic.id,
        title=title,
        content=description,
        contact_name=(params.get("last_name", "") + params.get("first_name", "")).strip(),
        contact_phone=params.get("phone", ""),
    )


def _replay(session: Session, holder: KeyHolder, key: str, digest: str) -> Posted | None:
    row = session.exec(
        select(ApiRequest).where(ApiRequest.api_key_id == holder.id, ApiRequest.idempotency_key == key)
    ).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise ReusedKey("该 Idempotency-Key 已用于另一份请求,请为新请求使用新的 Idempotency-Key")
    code = session.get(Demand, row.demand_id).code
    return Posted(service_request_id=code, token=row.token, service_notice="重复请求:返回首次提交的结果", replayed=True)


def post_request(session: Session, *, holder: KeyHolder, params: dict[str, str], key: str | None) -> Posted:
    """Open one demand for ``params`` in the caller's transaction (or replay the first answer for ``key``)."""
    digest = request_hash(params)
    if key is not None and (first := _replay(session, holder, key, digest)) is not None:
        return first
    topic = _topic(session, holder, params.get("service_code", ""))
    enterprise = _enterprise(session, holder, params)
    form = _form(params, topic)
    errors = intake.validate_demand_form(session, form)
    if errors:
        first = sorted(errors, key=lambda field: field != "content")  # the description's message first
        raise ValidationFailed({PARAMETER_OF.get(k, k): errors[k] for k in first})
    title = clean_text(form.title, limit=intake.TITLE_MAX)
    demand = intake.open_demand(
        session,
        intake.NewDemand(
            enterprise_id=enterprise.id,
            kind=form.kind,
            topic_id=topic.id,
            title=title,
            content=clean_text(form.content, limit=intake.CONTENT_MAX),
            contact_name=clean_text(form.contact_name, limit=50),
            contact_phone=security.normalise_phone(clean_text(form.contact_phone, limit=30)),
            event_detail=f"{form.kind}·{title}",
            event_data={"channel": Channel.API, "api_key_id": holder.id},
        ),
        channel=Channel.API,
        registered_by=holder.as_actor(),
        action=f"代企业登记({Channel.API})",
    )
    told = f"编号{demand.code},可在我的诉求中查看"
    notify_enterprise(session, demand, "代登记", f"您的诉求已由{holder.name}登记:{title}", told)
    token = secrets.token_urlsafe(24)
    session.add(
        ApiRequest(api_key_id=holder.id, idempotency_key=key, request_hash=digest, demand_id=demand.id, token=token)
    )
    session.flush()  # a parallel replay of the same key collides here (unique key): Conflict, then replayed
    return Posted(service_request_id=demand.code, token=token, service_notice="已受理登记,推进中心将按时限派单办理")
