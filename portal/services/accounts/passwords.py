"""修改密码 (issue #20): every role changes its own password; a password someone else made (an admin's
重置密码, an admin-created staff account, 账号认领) must be replaced at the next login, and until then the
portal lets the account do nothing else (``Actor.must_change_password``).

A new password passes ``security.password_strength_error`` (zxcvbn score ≥ 3, no username inside). On
success every *other* session of the user ends; the one that changed it stays. Wrong current passwords
are counted like login failures, so a stolen session cannot be used to guess the password.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.settings import get_settings
from portal.models.tables import User, UserSession
from portal.services.accounts import sessions
from portal.services.accounts.actor import Actor
from portal.services.accounts.throttle import Limit, clear, locked, record_failure, throttle_key
from portal.services.base.audit import record_audit
from portal.services.base.errors import Forbidden, ServiceError, ValidationFailed

CHANGED = "密码已修改,其他设备上的登录已退出"


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _new_password_errors(username: str, current: str, new: str, confirm: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = "请输入当前密码"
    if err := security.password_strength_error(new, username):
        errors["new_password"] = err
    elif new == current:
        errors["new_password"] = "新密码不能与当前密码相同"
    elif new != confirm:
        errors["new_password_confirm"] = "两次输入的新密码不一致"
    return errors


def change_password(*, actor: Actor, session_token: str, current, new, confirm) -> None:
    """Replace the actor's password after checking the current one; end the user's other sessions and
    clear ``must_change_password``. Hashes twice (argon2): callers on an event loop run it in a thread."""
    current, new, confirm = _text(current)[:200], _text(new), _text(confirm)
    errors = _new_password_errors(actor.username, current, new, confirm)
    settings = get_settings()
    limit = Limit("password-change", settings.login_max_failures, timedelta(minutes=settings.login_lock_minutes))
    key = throttle_key(limit.kind, str(actor.user_id))
    moment = now()
    with session_scope() as session:
        user = session.get(User, actor.user_id)
        if user is None or not user.is_active:
            raise Forbidden()
        if locked(session, key, moment):
            raise ServiceError(f"当前密码输错次数过多,请{settings.login_lock_minutes}分钟后再试")
        if current and not security.verify_password(current, user.password_hash)[0]:
            record_failure(session, key, limit, moment)
            session.commit()
            raise ValidationFailed({**errors, "current_password": "当前密码不正确"})
        if errors:
            raise ValidationFailed(errors)
        clear(session, key)
        user.password_hash = security.hash_password(new)
        user.must_change_password = False
        session.add(user)
        session.exec(
            update(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.token_hash != security.hash_token(session_token or ""),
            )
            .values(revoked_at=moment)
        )
        record_audit(session, actor, "用户", user.username, "本人修改密码(其他登录已退出)")
    sessions.forget_cached(user_ids=[actor.user_id])
