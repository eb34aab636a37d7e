"""Accounts and sessions: enterprise self-registration, login with lockout, opaque session tokens,
staff accounts made by the admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.settings import get_settings
from portal.models.dto import Actor, UserPublic, UserRow
from portal.models.enums import ROLE_LABELS, EnterpriseScale, INDUSTRIES, Role, STAFF_ROLES, UnitKind
from portal.models.tables import Enterprise, LoginThrottle, Unit, User, UserSession
from portal.services.errors import Forbidden, LoginFailed, ValidationFailed

WRONG_CREDENTIALS = "用户名或密码错误"


def locked_message() -> str:
    return f"登录失败次数过多,请{get_settings().login_lock_minutes}分钟后再试"


# ── registration ────────────────────────────────────────────────────────────────────────────


@dataclass
class EnterpriseRegistration:
    enterprise_name: str
    credit_code: str
    contact_name: str
    contact_phone: str
    username: str
    password: str
    password_confirm: str
    town_unit_id: int | None = None
    industry: str = "其他"
    scale: str = "小型"


def _clean(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def register_enterprise(*, form: EnterpriseRegistration) -> int:
    """Create an enterprise and its first account in one transaction. Returns the new user's id."""
    errors: dict[str, str] = {}
    name = _clean(form.enterprise_name)
    code = security.normalise_credit_code(_clean(form.credit_code))
    contact = _clean(form.contact_name)
    phone = security.normalise_phone(_clean(form.contact_phone))
    username = _clean(form.username)
    password = form.password if isinstance(form.password, str) else ""

    if not (2 <= len(name) <= 100):
        errors["enterprise_name"] = "请填写企业名称(2–100字)"
    if err := security.credit_code_error(code):
        errors["credit_code"] = err
    if not (1 <= len(contact) <= 50):
        errors["contact_name"] = "请填写联系人"
    if err := security.phone_error(phone):
        errors["contact_phone"] = err
    if err := security.username_error(username):
        errors["username"] = err
    if err := security.password_error(password):
        errors["password"] = err
    elif password != form.password_confirm:
        errors["password_confirm"] = "两次输入的密码不一致"
    industry = form.industry if form.industry in INDUSTRIES else None
    if industry is None:
        errors["industry"] = "请选择所属行业"
    scale = form.scale if form.scale in {s.value for s in EnterpriseScale} else None
    if scale is None:
        errors["scale"] = "请选择企业规模"

    with session_scope() as session:
        town_id = None
        if form.town_unit_id not in (None, "", 0):
            try:
                town = session.get(Unit, int(form.town_unit_id))
            except (TypeError, ValueError):
                town = None
            if town is None or town.kind not in (UnitKind.TOWN, UnitKind.PARK) or not town.active:
                errors["town_unit_id"] = "请选择所属镇街"
            else:
                town_id = town.id
        if "username" not in errors and _username_taken(session, username):
            errors["username"] = "该用户名已被使用"
        if "enterprise_name" not in errors and session.exec(select(Enterprise.id).where(Enterprise.name == name)).first():
            errors["enterprise_name"] = "该企业已注册,请联系本企业已有账号或推进中心"
        if "credit_code" not in errors and session.exec(
            select(Enterprise.id).where(Enterprise.credit_code == code)
        ).first():
            errors["credit_code"] = "该统一社会信用代码已注册"
        if errors:
            raise ValidationFailed(errors)
        enterprise = Enterprise(name=name, credit_code=code, contact_name=contact, contact_phone=phone,
                                town_unit_id=town_id, industry=industry, scale=scale)
        session.add(enterprise)
        try:
            session.flush()
            user = User(username=username, password_hash=security.hash_password(password),
                        role=Role.ENTERPRISE, display_name=contact, phone=phone, enterprise_id=enterprise.id)
            session.add(user)
            session.flush()
        except IntegrityError:
            # Lost a race with a simultaneous registration of the same name, code or username.
            session.rollback()
            raise ValidationFailed({"username": "用户名或企业信息刚被他人注册,请核对后重试"})
        return user.id


def _username_taken(session: Session, username: str) -> bool:
    from sqlalchemy import func

    return session.exec(select(User.id).where(func.lower(User.username) == username.lower())).first() is not None


# ── login, sessions ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class LoginResult:
    token: str
    user: UserPublic


def login(*, username: str, password: str, user_agent: str = "") -> LoginResult:
    """Check the password, count failures per typed username, open a session.

    Raises ``LoginFailed`` with the same words whether the user is unknown or the password wrong.
    """
    settings = get_settings()
    username = _clean(username)[:64]
    password = password if isinstance(password, str) else ""
    if not username or not password:
        raise LoginFailed("请输入用户名和密码")
    key = username.lower()
    moment = now()
    with session_scope() as session:
        throttle = session.get(LoginThrottle, key)
        if throttle and throttle.locked_until and throttle.locked_until > moment:
            raise LoginFailed(locked_message())
        from sqlalchemy import func

        user = session.exec(select(User).where(func.lower(User.username) == key)).first()
        ok, new_hash = security.verify_password(password, user.password_hash if user else None)
        if not ok or user is None or not user.is_active:
            _record_failure(session, key, moment)
            session.commit()
            locked = session.get(LoginThrottle, key)
            if locked and locked.locked_until and locked.locked_until > moment:
                raise LoginFailed(locked_message())
            raise LoginFailed(WRONG_CREDENTIALS)
        if throttle:
            session.delete(throttle)
        if new_hash:
            user.password_hash = new_hash
        user.last_login_at = moment
        token = security.new_session_token()
        session.add(UserSession(token_hash=security.hash_token(token), user_id=user.id, created_at=moment,
                                last_seen_at=moment, expires_at=moment + timedelta(hours=settings.session_hours),
                                user_agent=(user_agent or "")[:200]))
        session.add(user)
        session.flush()
        return LoginResult(token=token, user=public_user(session, user))


def _record_failure(session: Session, key: str, moment: datetime) -> None:
    settings = get_settings()
    throttle = session.get(LoginThrottle, key)
    if throttle is None:
        throttle = LoginThrottle(username=key, failures=0)
    if throttle.locked_until and throttle.locked_until <= moment:
        throttle.failures = 0  # the previous lock has run out: start counting afresh
        throttle.locked_until = None
    throttle.failures += 1
    throttle.updated_at = moment
    if throttle.failures >= settings.login_max_failures:
        throttle.locked_until = moment + timedelta(minutes=settings.login_lock_minutes)
    session.add(throttle)


_TOUCH_EVERY = timedelta(minutes=1)


def resolve_session(token: str | None) -> Actor | None:
    """The actor behind a token, or None if the token is unknown, revoked, expired or idle too long."""
    if not isinstance(token, str) or not (20 <= len(token) <= 128):
        return None
    settings = get_settings()
    moment = now()
    with session_scope() as session:
        row = session.exec(select(UserSession).where(UserSession.token_hash == security.hash_token(token))).first()
        if row is None or row.revoked_at is not None or row.expires_at <= moment:
            return None
        if row.last_seen_at + timedelta(minutes=settings.session_idle_minutes) <= moment:
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.is_active:
            return None
        if moment - row.last_seen_at >= _TOUCH_EVERY:
            # Sliding idle timeout, written at most once a minute rather than on every event.
            session.exec(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=moment))
        return Actor(user_id=user.id, username=user.username, role=user.role, display_name=user.display_name,
                     unit_id=user.unit_id, enterprise_id=user.enterprise_id)


def logout(token: str | None) -> None:
    """Revoke the session behind ``token`` (unknown tokens are ignored)."""
    if not isinstance(token, str) or not token:
        return
    with session_scope() as session:
        session.exec(
            update(UserSession)
            .where(UserSession.token_hash == security.hash_token(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=now())
        )


def purge_expired_sessions(*, older_than_days: int = 30) -> int:
    """Delete sessions that ended more than ``older_than_days`` ago (a scheduler job)."""
    from sqlalchemy import delete, or_

    cutoff = now() - timedelta(days=older_than_days)
    with session_scope() as session:
        result = session.exec(
            delete(UserSession).where(or_(UserSession.expires_at < cutoff, UserSession.revoked_at < cutoff))
        )
        return result.rowcount or 0


def public_user(session: Session, user: User) -> UserPublic:
    unit = session.get(Unit, user.unit_id) if user.unit_id else None
    enterprise = session.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
    return UserPublic(username=user.username, display_name=user.display_name, role=user.role,
                      role_label=ROLE_LABELS.get(Role(user.role), user.role),
                      unit_name=unit.name if unit else "", enterprise_name=enterprise.name if enterprise else "")


def get_public_user(user_id: int) -> UserPublic | None:
    with session_scope() as session:
        user = session.get(User, user_id)
        return public_user(session, user) if user else None


# ── staff accounts (admin) ─────────────────────────────────────────────────────────────────


def create_staff_user(*, actor: Actor | None, username: str, display_name: str, role: str,
                      password: str, unit_id: int | None = None) -> int:
    """Make a staff account. ``actor`` None means the trusted CLI; otherwise it must be an admin."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden()
    errors: dict[str, str] = {}
    username = _clean(username)
    display_name = _clean(display_name)
    if err := security.username_error(username):
        errors["username"] = err
    if not (1 <= len(display_name) <= 50):
        errors["display_name"] = "请填写姓名"
    if role not in {r.value for r in STAFF_ROLES}:
        errors["role"] = "请选择角色"
    if err := security.password_error(password if isinstance(password, str) else ""):
        errors["password"] = err
    with session_scope() as session:
        unit = None
        if role in (Role.DISPATCHER, Role.HANDLER):
            try:
                unit = session.get(Unit, int(unit_id)) if unit_id not in (None, "") else None
            except (TypeError, ValueError):
                unit = None
            if unit is None:
                errors["unit_id"] = "推进中心和承办单位人员须选择所属单位"
            elif role == Role.DISPATCHER and unit.kind != UnitKind.CENTER:
                errors["unit_id"] = "派单人员须属于推进中心"
        if "username" not in errors and _username_taken(session, username):
            errors["username"] = "该用户名已被使用"
        if errors:
            raise ValidationFailed(errors)
        user = User(username=username, display_name=display_name, role=role,
                    password_hash=security.hash_password(password), unit_id=unit.id if unit else None)
        session.add(user)
        session.flush()
        return user.id


def set_user_active(*, actor: Actor, user_id: int, active: bool) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden()
    if not isinstance(user_id, int) or user_id == actor.user_id:
        raise Forbidden("不能停用自己的账号")
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise ValidationFailed({"user": "用户不存在"})
        user.is_active = bool(active)
        session.add(user)
        if not active:
            session.exec(update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                         .values(revoked_at=now()))


def list_users(*, actor: Actor, limit: int = 200) -> list[UserRow]:
    if actor.role != Role.ADMIN:
        raise Forbidden()
    with session_scope() as session:
        units = {u.id: u.name for u in session.exec(select(Unit))}
        rows = session.exec(select(User).where(User.role != Role.ENTERPRISE).order_by(User.id).limit(limit))
        return [UserRow(id=u.id, username=u.username, display_name=u.display_name,
                        role_label=ROLE_LABELS.get(Role(u.role), u.role), unit_name=units.get(u.unit_id, ""),
                        is_active=u.is_active, created_at=u.created_at.isoformat()) for u in rows]


def enterprise_profile(*, actor: Actor) -> dict[str, str]:
    """The enterprise's own record, as shown on /my/profile."""
    if actor.role != Role.ENTERPRISE or not actor.enterprise_id:
        raise Forbidden()
    with session_scope() as session:
        enterprise = session.get(Enterprise, actor.enterprise_id)
        town = session.get(Unit, enterprise.town_unit_id) if enterprise.town_unit_id else None
        return {"企业名称": enterprise.name, "统一社会信用代码": enterprise.credit_code, "所属镇街": town.name if town else "",
                "所属行业": enterprise.industry, "企业规模": enterprise.scale, "联系人": enterprise.contact_name,
                "联系电话": enterprise.contact_phone, "地址": enterprise.address,
                "注册时间": enterprise.created_at.astimezone(__import__("zoneinfo").ZoneInfo(get_settings().timezone))
                .strftime("%Y-%m-%d")}
