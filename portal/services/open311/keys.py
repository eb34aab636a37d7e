"""接口密钥 (/admin/api-keys): the keys of the systems that use the Open311-style API (issue #27).

An admin makes a key for one system (the 12345 hotline …): its name, the channel it posts under (接口,
fixed), the 镇街 whose enterprises it may post for and the topics it may post (none ticked: all), and a
rate per minute. The key — ``qs311_`` and 43 characters from the OS generator (256 bits) — is returned
once; only its SHA-256 is kept (a key is high-entropy, so a plain digest suffices, as for session
tokens) with its first characters to tell keys apart. 停用 (revoke) is immediate and final.

Every call a key makes counts on its row (calls, refused calls, last used) and on a per-minute counter in
the ``throttle`` table (one atomic upsert per call, shared by every worker, see ``spend``)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_bounded_int, parse_id
from portal.core.security import hash_token
from portal.models.enums import Channel, Role, UnitKind
from portal.models.records.open311 import ApiKeyRow
from portal.models.tables import ApiKey, Topic, Unit
from portal.services.accounts.actor import Actor
from portal.services.accounts.throttle import spend_in_minute
from portal.services.base.access import get_row, require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import ServiceError, ValidationFailed
from portal.services.base.text import clean_text

KEY_PREFIX = "qs311_"
SHOWN_PREFIX = len(KEY_PREFIX) + 6  # what the list shows of a key: "qs311_" and six characters
MAX_KEYS = 50  # active keys at once: a cap on what an admin's mistake can hand out
LISTED = 200  # keys on the page: every active one and the newest revoked ones
RATE_MIN, RATE_MAX, RATE_DEFAULT = 1, 6000, 60
ANONYMOUS_RATE = 60  # GET without a key: calls per minute per client address
AUDIT_SECTION = "开放接口"
API_ROLE = "接口"  # the role word of a key acting (never a ``Role``: it opens no page)


@dataclass
class KeyForm:
    """新建密钥 as typed: the system's name, rate per minute, the 镇街 and topic ids ticked (raw)."""

    name: str = ""
    rate_per_minute: str = ""
    town_unit_ids: list = field(default_factory=list)
    topic_ids: list = field(default_factory=list)


@dataclass(frozen=True)
class KeyHolder:
    """The system behind a valid, unrevoked key, as the API checks it."""

    id: int
    name: str
    channel: str
    town_unit_ids: tuple[int, ...]
    topic_ids: tuple[int, ...]
    rate_per_minute: int

    def as_actor(self) -> Actor:
        """The key as the one who registers its demands: no user, labelled by the system's name."""
        return Actor(user_id=None, username=f"api-key-{self.id}", role=API_ROLE, display_name=self.name)


def _ids(session: Session, raw: list, model, *kinds: str) -> list[int] | None:
    """The ids of ``raw`` (strings from the form) that name active rows of ``model``; None when one does not."""
    ids = sorted({parse_id(item) or -1 for item in (raw if isinstance(raw, list) else [])})
    if len(ids) > 200:
        return None
    for row_id in ids:
        row = session.get(model, row_id) if row_id > 0 else None
        if row is None or not row.active or (kinds and row.kind not in kinds):
            return None
    return ids


def _checked(session: Session, form: KeyForm) -> tuple[str, int, list[int], list[int]]:
    errors: dict[str, str] = {}
    name = clean_text(form.name, limit=50)
    if len(name) < 2 or len(name) > 50:
        errors["name"] = "请填写接入系统名称(2–50字)"
    rate = parse_bounded_int(form.rate_per_minute or str(RATE_DEFAULT), low=RATE_MIN, high=RATE_MAX)
    if rate is None:
        errors["rate_per_minute"] = f"每分钟调用上限为{RATE_MIN}–{RATE_MAX}的整数"
    towns = _ids(session, form.town_unit_ids, Unit, UnitKind.TOWN, UnitKind.PARK)
    if towns is None:
        errors["town_unit_ids"] = "请从列表中选择镇街"
    topics = _ids(session, form.topic_ids, Topic)
    if topics is None:
        errors["topic_ids"] = "请从列表中选择诉求事项"
    if errors:
        raise ValidationFailed(errors)
    return name, rate, towns, topics


@transactional
def create_key(*, actor: Actor, form: KeyForm) -> tuple[int, str]:
    """新建密钥: returns (its id, the key). The key is never stored nor shown again."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        name, rate, towns, topics = _checked(session, form)
        active = session.exec(select(ApiKey.id).where(ApiKey.revoked_at.is_(None)).limit(MAX_KEYS)).all()
        if len(active) >= MAX_KEYS:
            raise ServiceError(f"启用中的密钥已达{MAX_KEYS}个,请先停用不再使用的密钥")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKey(
            name=name,
            prefix=key[:SHOWN_PREFIX],
            key_hash=hash_token(key),
            channel=Channel.API,
            town_unit_ids=towns,
            topic_ids=topics,
            rate_per_minute=rate,
            created_at=now(),
            created_by_id=actor.user_id,
        )
        session.add(row)
        session.flush()
        detail = f"新建密钥:{name},每分钟{rate}次,{_scope(session, row)}"
        record_audit(session, actor, AUDIT_SECTION, f"密钥 {row.prefix}…", detail)
        return row.id, key


@transactional
def revoke_key(*, actor: Actor, key_id) -> None:
    """停用: the key is refused from the next call on; a revoked key stays listed (its calls were audited)."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        row = get_row(session, ApiKey, key_id)
        if row.revoked_at is not None:
            raise ServiceError("该密钥已停用")
        row.revoked_at, row.revoked_by_id = now(), actor.user_id
        record_audit(session, actor, AUDIT_SECTION, f"密钥 {row.prefix}…", f"停用密钥:{row.name}")


def _names(session: Session, model, ids: list[int]) -> str:
    if not ids:
        return "全部"
    return "、".join(session.exec(select(model.name).where(model.id.in_(ids)).order_by(model.id)).all())


def _scope(session: Session, row: ApiKey) -> str:
    return f"镇街:{_names(session, Unit, row.town_unit_ids)};事项:{_names(session, Topic, row.topic_ids)}"


def list_keys(*, actor: Actor) -> list[ApiKeyRow]:
    """The keys, active ones first (at most ``MAX_KEYS``), then the newest revoked ones; ``LISTED`` at most."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        rows = session.exec(
            select(ApiKey)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
            .limit(LISTED)
        ).all()
        return [
            ApiKeyRow(
                id=r.id,
                name=r.name,
                prefix=r.prefix + "…",
                channel=r.channel,
                towns=_names(session, Unit, r.town_unit_ids),
                topics=_names(session, Topic, r.topic_ids),
                rate_per_minute=r.rate_per_minute,
                created_at=format_instant(r.created_at),
                last_used_at=format_instant(r.last_used_at) if r.last_used_at else "从未使用",
                calls=r.calls,
                refused_calls=r.refused_calls,
                active=r.revoked_at is None,
                revoked_at=format_instant(r.revoked_at) if r.revoked_at else "",
            )
            for r in rows
        ]


class KeyRefused(ServiceError):
    """The key is missing, unknown (401) or revoked (403)."""

    def __init__(self, message: str, status: int, key_id: int | None = None):
        super().__init__(message)
        self.status, self.key_id = status, key_id


def holder_of(session: Session, key: str) -> KeyHolder:
    """The system a key belongs to; ``KeyRefused`` for no key, an unknown one or a revoked one."""
    if not isinstance(key, str) or not key.strip():
        raise KeyRefused("缺少 api_key:请在 X-Api-Key 请求头或 api_key 参数中提供接口密钥", 401)
    key = key.strip()[:200]
    digest = hash_token(key)
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        raise KeyRefused("api_key 无效", 401)
    if row.revoked_at is not None:
        raise KeyRefused("api_key 已停用", 403, key_id=row.id)
    return KeyHolder(
        id=row.id,
        name=row.name,
        channel=row.channel,
        town_unit_ids=tuple(row.town_unit_ids),
        topic_ids=tuple(row.topic_ids),
        rate_per_minute=row.rate_per_minute,
    )


def count_call(session: Session, key_id: int, *, refused: bool, moment: datetime) -> None:
    """One call on the key's row, in one UPDATE (parallel calls are each counted)."""
    values = {"last_used_at": moment, "calls": ApiKey.calls + 1}
    if refused:
        values["refused_calls"] = ApiKey.refused_calls + 1
    session.exec(update(ApiKey).where(ApiKey.id == key_id).values(**values))


def spend(session: Session, who: str, per_minute: int, moment: datetime) -> int | None:
    """Count one API call of ``who`` (a key or a client address); None within ``per_minute``, else 429's
    Retry-After in seconds (``throttle.spend_in_minute``, shared by every worker)."""
    return spend_in_minute(session, "api-rate", who, per_minute, moment)


def audit_call(session: Session, holder: KeyHolder | None, summary: str) -> None:
    """One audit row per call with a key (secrets never: the key appears by its name and prefix only)."""
    record_audit(session, holder.as_actor() if holder else None, AUDIT_SECTION, holder.name if holder else "", summary)
