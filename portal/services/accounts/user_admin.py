"""用户 under /admin (issue #12): edit staff accounts, reset a password (the new one is shown once), lift a
login lock; find enterprise accounts; admit an early pilot credit code that fails the check digit.

An admin can never change their own role or switch themselves off (``staff_accounts.set_user_active``
refuses the latter). Every change is audited; a password never is.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_id
from portal.core.settings import get_settings
from portal.models.enums import STAFF_ROLES, Role, UnitKind, role_word
from portal.models.records.accounts import EnterpriseAccountRow
from portal.models.tables import AdmittedCreditCode, Enterprise, Unit, User, UserSession
from portal.services.accounts import sessions
from portal.services.accounts.actor import Actor
from portal.services.accounts.enterprise_accounts import clean, is_pilot_shaped
from portal.services.base.access import get_row, require_role
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, Forbidden, ValidationFailed

SEARCH_LIMIT = 50


def is_locked(user: User) -> bool:
    """Whether a login lock on the account may still hold (its window not over, not lifted since)."""
    if user.locked_at is None or (user.unlocked_at is not None and user.unlocked_at >= user.locked_at):
        return False
    return user.locked_at + timedelta(minutes=get_settings().login_lock_minutes) > now()


def _revoke_sessions(session: Session, user_id: int) -> None:
    session.exec(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now())
    )


def update_staff_user(*, actor: Actor, user_id, display_name, role, unit_id, phone="", email=None) -> None:
    """保存 a staff account's 姓名, role, unit, phone and e-mail (where 通知设置's e-mails go, so a new colleague's
    notices reach them before their first login; ``None`` keeps it). Nobody changes their own role."""
    require_role(actor, Role.ADMIN)
    display_name, phone = clean(display_name), security.normalise_phone(clean(phone))
    email = security.normalise_email(clean(email)) if email is not None else None
    with session_scope() as session:
        user = get_row(session, User, user_id, "用户不存在")
        if user.role == Role.ENTERPRISE:
            raise Conflict("企业账号的信息由企业在“企业信息”中维护")
        if user.id == actor.user_id and role != user.role:
            raise Forbidden("不能修改自己的角色")
        errors: dict[str, str] = {}
        if not 1 <= len(display_name) <= 50:
            errors["display_name"] = "请填写姓名"
        if role not in {r.value for r in STAFF_ROLES}:
            errors["role"] = "请选择角色"
        if phone and (err := security.phone_error(phone)):
            errors["phone"] = err
        if email is None:
            email = user.email
        elif err := security.email_error(email):
            errors["email"] = err
        unit = session.get(Unit, parse_id(unit_id) or 0) if role in (Role.DISPATCHER, Role.HANDLER) else None
        if role in (Role.DISPATCHER, Role.HANDLER) and unit is None:
            errors["unit_id"] = "推进中心和承办单位人员须选择所属单位"
        elif role == Role.DISPATCHER and unit.kind != UnitKind.CENTER:
            errors["unit_id"] = "派单人员须属于推进中心"
        if errors:
            raise ValidationFailed(errors)
        units = dict(session.exec(select(Unit.id, Unit.name)).all())
        before = (
            user.display_name,
            role_word(user.role),
            units.get(user.unit_id, "—"),
            user.phone or "—",
            user.email or "—",
        )
        after = (display_name, role_word(role), unit.name if unit else "—", phone or "—", email or "—")
        labels = ("姓名", "角色", "单位", "电话", "邮箱")
        changes = "、".join(f"{label} {b} → {a}" for label, b, a in zip(labels, before, after, strict=True) if b != a)
        if not changes:
            return
        role_changed = role != user.role or (unit.id if unit else None) != user.unit_id
        user.display_name, user.role, user.unit_id, user.phone = display_name, role, unit.id if unit else None, phone
        user.email = email
        session.add(user)
        if role_changed:  # what the account may do changed: it logs in again
            _revoke_sessions(session, user.id)
        record_audit(session, actor, "用户", user.username, changes)
    sessions.forget_cached(user_ids=[user.id])


def reset_password(*, actor: Actor, user_id) -> str:
    """重置密码: a new random password, returned once to be handed over; the account's sessions end, a
    login lock is lifted, and the owner must choose their own password at the next login. Only that it
    happened is audited."""
    require_role(actor, Role.ADMIN)
    password = security.generate_password()
    with session_scope() as session:
        user = get_row(session, User, user_id, "用户不存在")
        user.password_hash = security.hash_password(password)
        user.must_change_password = True
        user.unlocked_at = now()
        session.add(user)
        _revoke_sessions(session, user.id)
        record_audit(session, actor, "用户", user.username, "重置密码(新密码已当面交付,不记录)")
        user_id = user.id
    sessions.forget_cached(user_ids=[user_id])
    return password


def unlock_account(*, actor: Actor, user_id) -> None:
    """解锁: login failures counted so far no longer lock the account (the address's own limit stays)."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        user = get_row(session, User, user_id, "用户不存在")
        user.unlocked_at = now()
        session.add(user)
        record_audit(session, actor, "用户", user.username, "解除登录锁定")


def enterprise_account_row(user: User, enterprise: Enterprise, town: str) -> EnterpriseAccountRow:
    """An enterprise account as /admin 用户 and 账号认领 show it."""
    return EnterpriseAccountRow(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        enterprise=enterprise.name,
        credit_code=enterprise.credit_code + ("(试点代码)" if enterprise.credit_code_override else ""),
        industry=enterprise.industry,
        scale=enterprise.scale,
        town=town,
        contact=f"{enterprise.contact_name} {enterprise.contact_phone}",
        last_login=format_instant(user.last_login_at) if user.last_login_at else "从未登录",
        is_active=user.is_active,
        locked=is_locked(user),
    )


def search_enterprise_accounts(*, actor: Actor, query: str) -> list[EnterpriseAccountRow]:
    """Enterprise accounts whose username, enterprise name, credit code or contact contains ``query``
    (all of them, newest first, when it is empty), at most SEARCH_LIMIT."""
    require_role(actor, Role.ADMIN)
    text = clean(query)[:50]
    with session_scope() as session:
        statement = (
            select(User, Enterprise)
            .join(Enterprise, Enterprise.id == User.enterprise_id)
            .where(User.role == Role.ENTERPRISE)
            .order_by(User.id.desc())
            .limit(SEARCH_LIMIT)
        )
        if text:
            statement = statement.where(
                or_(
                    User.username.contains(text),
                    Enterprise.name.contains(text),
                    Enterprise.credit_code.contains(text.upper()),
                    Enterprise.contact_name.contains(text),
                )
            )
        towns = dict(session.exec(select(Unit.id, Unit.name)).all())
        return [
            enterprise_account_row(user, enterprise, towns.get(enterprise.town_unit_id, ""))
            for user, enterprise in session.exec(statement).all()
        ]


def admit_pilot_code(*, actor: Actor, credit_code, reason) -> None:
    """准予试点代码: registration will accept exactly this code although its check digit fails (the
    enterprise is marked ``credit_code_override``). Only well-formed codes whose check digit is what
    fails are admitted; a valid code needs no admission."""
    require_role(actor, Role.ADMIN)
    code = security.normalise_credit_code(clean(credit_code))
    reason = clean(reason)
    error = security.credit_code_error(code)
    errors = {}
    if error is None:
        errors["pilot_code"] = "该代码校验正确,无需准予,企业可直接注册"
    elif not is_pilot_shaped(code):
        errors["pilot_code"] = error
    if not 4 <= len(reason) <= 500:
        errors["pilot_reason"] = "请写明依据(如试点时期发证的批文、营业执照),4–500字"
    if errors:
        raise ValidationFailed(errors)
    try:
        with session_scope() as session:
            session.add(AdmittedCreditCode(credit_code=code, reason=reason, created_at=now(), actor_id=actor.user_id))
            record_audit(session, actor, "用户", code, f"准予试点统一社会信用代码(校验位不符):{reason}")
    except IntegrityError as exc:
        raise ValidationFailed({"pilot_code": "该代码已准予"}) from exc
