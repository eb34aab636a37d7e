"""Login with lockout and opaque session tokens: login, resolve on every event, logout, purge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.settings import get_settings
from portal.models.dto import Actor, UserPublic
from portal.models.tables import LoginThrottle, User, UserSession
from portal.services.accounts import clean, public_user
from portal.services.errors import LoginFailed

WRONG_CREDENTIALS = "用户名或密码错误"


def locked_message() -> str:
    return f"登录失败次数过多,请{get_settings().login_lock_minutes}分钟后再试"


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
    username = clean(username)[:64]
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
        session.add(
            UserSession(
                token_hash=security.hash_token(token),
                user_id=user.id,
                created_at=moment,
                last_seen_at=moment,
                expires_at=moment + timedelta(hours=settings.session_hours),
                user_agent=(user_agent or "")[:200],
            )
        )
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
        return Actor(
            user_id=user.id,
            username=user.username,
            role=user.role,
            display_name=user.display_name,
            unit_id=user.unit_id,
            enterprise_id=user.enterprise_id,
        )


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
