"""政策管理 (/staff/policies; 推进中心 and admins): write, edit, publish and withdraw policies. Every change is
audited (who, when, what changed). Publishing tells each enterprise whose profile matches the policy's
行业 / 规模 / 区域 tags, once per policy and enterprise (未诉先办, seed 004)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from sqlalchemy import and_, or_
from sqlmodel import Session, delete, select

from portal import routes
from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.dates import DATE_HINT, parse_day
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.models.enums import PolicyStatus, Role
from portal.models.records.policies import PolicyAdminRow
from portal.models.tables import Enterprise, Policy, PolicyTag, Unit, User
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, ValidationFailed
from portal.services.base.notices import notify
from portal.services.base.text import clean_text
from portal.services.demands import attachments as files
from portal.services.policies.library import refresh_policy_tokens

EDITORS = (Role.DISPATCHER, Role.ADMIN)
TAG_FIELDS = {"industries": "行业", "scales": "规模", "regions": "区域", "topics": "主题"}
_LIMITS = {
    "title": 200,
    "doc_number": 100,
    "issuer": 100,
    "summary": 1000,
    "body": 50000,
    "interpretation": 20000,
    "guide": 20000,
}


@dataclass
class PolicyForm:
    title: str = ""
    doc_number: str = ""
    issuer: str = ""
    published_on: str = ""
    effective_from: str = ""
    effective_to: str = ""
    summary: str = ""
    body: str = ""
    interpretation: str = ""
    guide: str = ""
    industries: str = ""  # tags, separated by spaces, commas or 、
    scales: str = ""
    regions: str = ""
    topics: str = ""


def _tag_values(raw: str) -> list[str]:
    return list(dict.fromkeys(v for v in re.split(r"[\s,,、;;]+", clean_text(raw, limit=2000)) if v))[:20]


def _checked(form: PolicyForm) -> tuple[dict, dict[str, list[str]]]:
    """The policy's columns and its tags, or ValidationFailed naming every bad field."""
    values = {name: clean_text(getattr(form, name), limit=limit) for name, limit in _LIMITS.items()}
    errors = {name: f"不超过{limit}字" for name, limit in _LIMITS.items() if len(values[name]) > limit}
    if len(values["title"]) < 4:
        errors["title"] = "请填写政策标题(至少4个字)"
    if not values["issuer"]:
        errors["issuer"] = "请填写发布部门"
    if not values["summary"]:
        errors["summary"] = "请填写政策摘要"
    for name in ("published_on", "effective_from", "effective_to"):
        raw = clean_text(getattr(form, name), limit=100)
        values[name] = parse_day(raw) if raw else None
        if raw and values[name] is None:
            errors[name] = f"日期无法识别({DATE_HINT})"
    if values["effective_from"] and values["effective_to"] and values["effective_to"] < values["effective_from"]:
        errors["effective_to"] = "有效期止须不早于有效期起"
    tags = {kind: _tag_values(getattr(form, name)) for name, kind in TAG_FIELDS.items()}
    if any(len(v) > 50 for values_ in tags.values() for v in values_):
        errors["topics"] = "每个标签不超过50字"
    if errors:
        raise ValidationFailed(errors)
    return values, tags


def list_policies(*, actor: Actor) -> list[PolicyAdminRow]:
    require_role(actor, *EDITORS)
    with session_scope() as session:
        rows = session.exec(select(Policy).order_by(Policy.updated_at.desc(), Policy.id.desc()).limit(500)).all()
        return [
            PolicyAdminRow(
                id=p.id,
                title=p.title,
                issuer=p.issuer,
                status=p.status,
                published_on=p.published_on.isoformat() if p.published_on else "",
                updated_at=format_instant(p.updated_at),
            )
            for p in rows
        ]


def policy_form(*, actor: Actor, policy_id) -> PolicyForm:
    """The stored policy as the edit form shows it."""
    require_role(actor, *EDITORS)
    with session_scope() as session:
        policy = get_row(session, Policy, policy_id, "政策不存在")
        tags: dict[str, list[str]] = {}
        for kind, value in session.exec(
            select(PolicyTag.kind, PolicyTag.value).where(PolicyTag.policy_id == policy.id)
        ):
            tags.setdefault(kind, []).append(value)
        form = PolicyForm(
            **{f.name: str(getattr(policy, f.name) or "") for f in fields(PolicyForm) if hasattr(policy, f.name)}
        )
        for name, kind in TAG_FIELDS.items():
            setattr(form, name, " ".join(tags.get(kind, [])))
        return form


MAX_POLICY_FILES = 5


def save_policy(*, actor: Actor, policy_id=None, form: PolicyForm, files_in=()) -> int:
    """新建 (as 草稿) or 保存修改, with new original documents (checked like demand attachments, public
    once the policy is). Returns the policy's id."""
    require_role(actor, *EDITORS)
    values, tags = _checked(form)
    if len(files_in) > MAX_POLICY_FILES:
        raise ValidationFailed({"files": f"每次最多上传{MAX_POLICY_FILES}个文件"})
    for item in files_in:
        files.check_file(item.filename, item.data)
    with files.kept_only_if_committed() as stored, session_scope() as session:
        if policy_id:
            policy = get_row(session, Policy, policy_id, "政策不存在")
            changed = [name for name, value in values.items() if getattr(policy, name) != value]
        else:
            policy, changed = Policy(status=PolicyStatus.DRAFT, title=values["title"]), ["新建"]
        for name, value in values.items():
            setattr(policy, name, value)
        policy.updated_at = now()
        session.add(policy)
        session.flush()
        old_tags = set(
            session.exec(select(PolicyTag.kind, PolicyTag.value).where(PolicyTag.policy_id == policy.id)).all()
        )
        new_tags = {(kind, value) for kind, values_ in tags.items() for value in values_}
        if old_tags != new_tags:
            changed.append("标签")
            session.exec(delete(PolicyTag).where(PolicyTag.policy_id == policy.id))
            session.add_all(PolicyTag(policy_id=policy.id, kind=k, value=v) for k, v in sorted(new_tags))
            session.flush()
        refresh_policy_tokens(session, policy)
        for upload in files_in:
            files.attach(session, stored, upload, policy_id=policy.id, purpose="政策原件", uploaded_by_id=actor.user_id)
            changed.append(f"原件 {upload.filename}")
        record_audit(
            session, actor, "政策新建" if not policy_id else "政策修改", policy.title, "、".join(changed) or "无变化"
        )
        if policy.status == PolicyStatus.PUBLISHED:
            _push(session, policy)
        return policy.id


def publish(*, actor: Actor, policy_id) -> int:
    """发布 a draft: it becomes public at once; matching enterprises are told. Returns how many."""
    require_role(actor, *EDITORS)
    with session_scope() as session:
        policy = get_row(session, Policy, policy_id, "政策不存在")
        if policy.status == PolicyStatus.PUBLISHED:
            raise Conflict("该政策已发布")
        policy.status = PolicyStatus.PUBLISHED
        policy.published_on = policy.published_on or local_date(now())
        policy.updated_at = now()
        refresh_policy_tokens(session, policy)  # its year (“2026年”) is what it is found by too
        record_audit(session, actor, "政策发布", policy.title, f"发布日期 {policy.published_on.isoformat()}")
        return _push(session, policy)


def withdraw(*, actor: Actor, policy_id) -> None:
    """撤回 a published policy to 草稿: it leaves the public library."""
    require_role(actor, *EDITORS)
    with session_scope() as session:
        policy = get_row(session, Policy, policy_id, "政策不存在")
        if policy.status == PolicyStatus.DRAFT:
            raise Conflict("该政策尚未发布")
        policy.status, policy.updated_at = PolicyStatus.DRAFT, now()
        session.add(policy)
        record_audit(session, actor, "政策撤回", policy.title, "撤回为草稿")


def _push(session: Session, policy: Policy) -> int:
    """未诉先办: one notice per enterprise that fits the policy: for each of 行业 / 规模 / 区域 the policy is
    tagged with, the enterprise has one of those values (keyed by policy and enterprise, so editing or
    republishing never sends it twice). A policy with none of these tags is for everyone and pushes to no one."""
    tags = session.exec(
        select(PolicyTag.kind, PolicyTag.value).where(
            PolicyTag.policy_id == policy.id, PolicyTag.kind.in_(("行业", "规模", "区域"))
        )
    ).all()
    if not tags:
        return 0
    by_kind: dict[str, list] = {}
    for kind, value in tags:
        if kind == "行业":
            by_kind.setdefault(kind, []).append(Enterprise.industry == value)
        elif kind == "规模":
            by_kind.setdefault(kind, []).append(Enterprise.scale == value)
        else:
            by_kind.setdefault(kind, []).append(Enterprise.town_unit_id.in_(select(Unit.id).where(Unit.name == value)))
    # 精准推送: every kind the policy names must match (any of its values), e.g. 制造业 and 小型.
    matching = and_(*[or_(*conditions) for conditions in by_kind.values()])
    first_account = (
        select(User.enterprise_id, User.id)
        .where(User.enterprise_id.is_not(None), User.is_active == True)  # noqa: E712
        .order_by(User.enterprise_id, User.id)
    )
    accounts: dict[int, int] = {}
    for enterprise_id, user_id in session.exec(
        first_account.where(User.enterprise_id.in_(select(Enterprise.id).where(matching)))
    ).all():
        accounts.setdefault(enterprise_id, user_id)
    for enterprise_id, user_id in accounts.items():
        notify(
            session,
            key=f"policy{policy.id}:e{enterprise_id}",
            kind="政策推送",
            title=f"新政策:{policy.title}",
            body=policy.summary[:200],
            link=routes.policy(policy.id),
            user_id=user_id,
        )
    return len(accounts)
