"""Staff accounts, made and switched on or off by the admin (or the CLI)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import select

from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_id
from portal.models.enums import ROLE_LABELS, STAFF_ROLES, Role, UnitKind, role_word
from portal.models.records.accounts import UserRow
from portal.models.tables import Unit, User, UserSession
from portal.services.accounts import sessions
from portal.services.accounts.actor import Actor
from portal.services.accounts.enterprise_accounts import clean, username_taken
from portal.services.accounts.user_admin import is_locked
from portal.services.base.audit import record_audit
from portal.services.base.errors import Forbidden, ValidationFailed

# ── staff accounts (admin) ─────────────────────────────────────────────────────────────────


def create_staff_user(
    *, actor: Actor | None, username: str, display_name: str, role: str, password: str, unit_id: int | None = None
) -> int:
    """Make a staff account. ``actor`` None means the trusted CLI; otherwise it must be an admin, and the
    new colleague must replace the password the admin chose at the first login. Weak or common passwords
    are refused either way (``security.password_strength_error``)."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden()
    errors: dict[str, str] = {}
    username = clean(username)
    display_name = clean(display_name)
    if err := security.username_error(username):
        errors["username"] = err
    if not (1 <= len(display_name) <= 50):
        errors["display_name"] = "请填写姓名"
    if role not in {r.value for r in STAFF_ROLES}:
        errors["role"] = "请选择角色"
    if err := security.password_strength_error(password if isinstance(password, str) else "", username):
        errors["password"] = err
    with session_scope() as session:
        unit = None
        if role in (Role.DISPATCHER, Role.HANDLER):
            unit = session.get(Unit, unit_id) if (unit_id := parse_id(unit_id)) else None
            if unit is None:
                errors["unit_id"] = "推进中心和承办单位人员须选择所属单位"
            elif role == Role.DISPATCHER and unit.kind != UnitKind.CENTER:
                errors["unit_id"] = "派单人员须属于推进中心"
        if "username" not in errors and username_taken(session, username):
            errors["username"] = "该用户名已被使用"
        if errors:
            raise ValidationFailed(errors)
        user = User(
            username=username,
            display_name=display_name,
            role=role,
            password_hash=security.hash_password(password),
            unit_id=unit.id if unit else None,
            must_change_password=actor is not None,
        )
        session.add(user)
        session.flush()
        record_audit(
            session,
            actor,
            "用户",
            username,
            f"创建账号:{display_name},角色 {role_word(role)},单位 {unit.name if unit else '—'}",
        )
        return user.id


def set_user_active(*, actor: Actor, user_id: int, active: bool) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden()
    if user_id == actor.user_id:
        raise Forbidden("不能停用自己的账号")
    with session_scope() as session:
        user = session.get(User, user_id) if (user_id := parse_id(user_id)) else None
        if user is None:
            raise ValidationFailed({"user": "用户不存在"})
        before = "正常" if user.is_active else "已停用"
        user.is_active = bool(active)
        session.add(user)
        record_audit(session, actor, "用户", user.username, f"{before} → {'正常' if active else '已停用'}")
        if not active:
            session.exec(
                update(UserSession)
                .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                .values(revoked_at=now())
            )
    sessions.forget_cached(user_ids=[user_id])  # this worker at once; others within CACHE_SECONDS


def list_users(*, actor: Actor, limit: int = 200) -> list[UserRow]:
    if actor.role != Role.ADMIN:
        raise Forbidden()
    with session_scope() as session:
        units = {u.id: u.name for u in session.exec(select(Unit))}
        rows = session.exec(select(User).where(User.role != Role.ENTERPRISE).order_by(User.id).limit(limit))
        return [
            UserRow(
                id=u.id,
                username=u.username,
                display_name=u.display_name,
                role=u.role,
                role_label=ROLE_LABELS.get(Role(u.role), u.role),
                unit_id=str(u.unit_id or ""),
                unit_name=units.get(u.unit_id, ""),
                phone=u.phone,
                email=u.email,
                is_active=u.is_active,
                locked=is_locked(u),
                created_at=format_instant(u.created_at),
            )
            for u in rows
        ]
