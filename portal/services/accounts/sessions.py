"""Login with lockout and opaque session tokens: login, resolve on every event, logout, purge."""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.cookies import CookieError, SimpleCookie

from sqlalchemy import bindparam, update
from sqlmodel import select

from portal import routes
from portal.core import logs, security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.metrics import LOGIN_FAILURES
from portal.core.settings import get_settings
from portal.models.records.accounts import UserPublic
from portal.models.tables import Enterprise, Unit, User, UserSession
from portal.services.accounts.actor import Actor
from portal.services.accounts.enterprise_accounts import clean, public_user, public_user_named
from portal.services.accounts.throttle import Limit, clear, held_until, record_failure, throttle_key
from portal.services.base.errors import LoginFailed

WRONG_CREDENTIALS = "用户名或密码错误"


def locked_message() -> str:
    return f"登录失败次数过多,请{get_settings().login_lock_minutes}分钟后再试"


# ── login, sessions ──────────────────────────────────────────────────────────────────────────


TICKET_SECONDS = 60


@dataclass(frozen=True)
class LoginResult:
    token: str  # the session itself (API clients, tests); a browser never receives it over the socket
    ticket: str  # one-time, TICKET_SECONDS: the browser exchanges it for the HttpOnly cookie
    user: UserPublic


def _login_limits() -> tuple[Limit, Limit, Limit]:
    """Per username at one address (the usual lockout), per address across usernames (spraying: a
    progressive delay, never a lock, so that people behind one NAT still get in) and per username across
    addresses (a high ceiling against a distributed guess)."""
    settings = get_settings()
    window = timedelta(minutes=settings.login_lock_minutes)
    delay = timedelta(seconds=settings.login_max_delay_seconds)
    return (
        Limit("login-pair", settings.login_max_failures, window),
        Limit("login-addr", settings.login_delay_after_failures, window, max_delay=delay),
        Limit("login-user", settings.login_max_failures_per_username, window),
    )


def delay_message(until: datetime, moment: datetime) -> str:
    return f"该网络登录失败次数较多,请{max(1, math.ceil((until - moment).total_seconds()))}秒后再试"


@dataclass(frozen=True)
class _Attempt:
    """One login attempt's throttle keys: per username + address, per address, per username."""

    keys: dict[Limit, str]
    since: dict[Limit, datetime | None]
    moment: datetime

    def refuse_while_held(self, session) -> None:
        held = {
            limit: held_until(session, key, self.moment, since=self.since.get(limit))
            for limit, key in self.keys.items()
        }
        pair, per_address, per_user = self.keys
        if held[pair] or held[per_user]:
            raise LoginFailed(locked_message())
        if held[per_address]:
            raise LoginFailed(delay_message(held[per_address], self.moment))

    def count_failure(self, session, user: User | None) -> LoginFailed:
        """Count the failure (committed) and say what the person is told."""
        LOGIN_FAILURES.inc()
        held = {
            limit: record_failure(session, key, limit, self.moment, since=self.since.get(limit))
            for limit, key in self.keys.items()
        }
        pair, per_address, per_user = self.keys
        if user is not None and (held[pair] or held[per_user]):
            user.locked_at = self.moment
            session.add(user)
        session.commit()
        if held[pair] or held[per_user]:
            return LoginFailed(locked_message())
        if held[per_address]:
            return LoginFailed(f"{WRONG_CREDENTIALS}。{delay_message(held[per_address], self.moment)}")
        return LoginFailed(WRONG_CREDENTIALS)


def login(*, username: str, password: str, client_address: str = "", user_agent: str = "") -> LoginResult:
    """Check the password and open a session, counting failures so that guessing is slow.

    A lock on one username from one address does not lock the real user out at another address, and
    failures from one address only delay that address (seconds), never lock it.
    Raises ``LoginFailed`` with the same words whether the user is unknown or the password wrong; this
    hashes (argon2, ~50 ms), so callers on an event loop run it in a thread.
    """
    username = clean(username)[:64]
    password = password if isinstance(password, str) else ""
    if not username or not password:
        raise LoginFailed("请输入用户名和密码")
    name = username.lower()
    address = (client_address or "")[:64]
    pair, per_address, per_user = _login_limits()
    keys = {
        pair: throttle_key(pair.kind, name, address),
        per_address: throttle_key(per_address.kind, address),
        per_user: throttle_key(per_user.kind, name),
    }
    moment = now()
    with session_scope() as session:
        from sqlalchemy import func

        user = session.exec(select(User).where(func.lower(User.username) == name)).first()
        # An admin's 解锁 lifts this account's locks (not the address's: that one guards every account).
        attempt = _Attempt(keys, {pair: user.unlocked_at, per_user: user.unlocked_at} if user else {}, moment)
        attempt.refuse_while_held(session)
        ok, new_hash = security.verify_password(password, user.password_hash if user else None)
        if not ok or user is None or not user.is_active:
            raise attempt.count_failure(session, user)
        clear(session, keys[pair])
        if new_hash:
            user.password_hash = new_hash
        user.last_login_at = moment
        token, ticket = security.new_session_token(), security.new_session_token()
        session.add(
            UserSession(
                token_hash=security.hash_token(token),
                user_id=user.id,
                created_at=moment,
                last_seen_at=moment,
                expires_at=moment + timedelta(hours=get_settings().session_hours),
                user_agent=(user_agent or "")[:200],
                ticket_hash=security.hash_token(ticket),
                ticket_expires_at=moment + timedelta(seconds=TICKET_SECONDS),
            )
        )
        session.add(user)
        session.flush()
        return LoginResult(token=token, ticket=ticket, user=public_user(session, user))


def redeem_ticket(ticket: str | None) -> tuple[str, str] | None:
    """Exchange a login ticket, once and within TICKET_SECONDS, for a fresh session token (the one
    ``login`` returned stops working). Returns (token, role), or None for an unknown, used or stale
    ticket. One conditional UPDATE, so two racing redemptions cannot both succeed."""
    if not isinstance(ticket, str) or not (20 <= len(ticket) <= 128):
        return None
    moment = now()
    token = security.new_session_token()
    with session_scope() as session:
        ticket_hash = security.hash_token(ticket)
        row = session.exec(select(UserSession).where(UserSession.ticket_hash == ticket_hash)).first()
        if row is None:
            return None
        result = session.exec(
            update(UserSession)
            .where(
                UserSession.id == row.id,
                UserSession.ticket_hash == ticket_hash,
                UserSession.ticket_expires_at > moment,
                UserSession.revoked_at.is_(None),
            )
            .values(
                token_hash=security.hash_token(token), ticket_hash=None, ticket_expires_at=None, last_seen_at=moment
            )
        )
        if result.rowcount != 1:
            return None
        user = session.get(User, row.user_id)
        return token, user.role


_TOUCH_EVERY = timedelta(minutes=1)


# A resolved session is trusted for at most CACHE_SECONDS (domain clock) before the database is asked
# again: revocation, deactivation or a role change made by another worker is seen within that time, and
# immediately when made by this worker (``forget_cached``). It never outlives the session's expiry or
# idle limit. This takes two queries off nearly every event (issue #8).
CACHE_SECONDS = 5
_CACHE_LIMIT = 20000


@dataclass(frozen=True)
class _Cached:
    actor: Actor
    viewer: UserPublic
    valid_until: datetime


_cache: dict[str, _Cached] = {}
_cache_lock = threading.Lock()


def forget_cached(*, token: str | None = None, user_ids: Iterable[int] = ()) -> None:
    """Drop cached sessions: one token's, or every session of ``user_ids``."""
    ids = set(user_ids)
    with _cache_lock:
        if token:
            _cache.pop(security.hash_token(token), None)
        if ids:
            for key in [k for k, v in _cache.items() if v.actor.user_id in ids]:
                del _cache[key]


@functools.lru_cache(maxsize=4096)
def token_in_cookie_header(raw: str) -> str:
    """The session token in a ``Cookie`` header ("" when there is none or the header does not parse).

    A socket sends the same header with every event of its connection, and the answer depends on the
    header's text alone, so it is parsed once per distinct header (``SimpleCookie`` costs ~20 µs); a
    changed cookie is a different text and is parsed anew. Only the parse is cached: whether the token
    is valid is still asked of ``resolve_session`` on every event."""
    try:
        morsel = SimpleCookie(raw).get(routes.SESSION_COOKIE)
    except CookieError:
        return ""
    return morsel.value if morsel else ""


def resolve_session(token: str | None) -> Actor | None:
    """The actor behind a token, or None if the token is unknown, revoked, expired or idle too long."""
    resolved = resolve_viewer(token)
    return resolved[0] if resolved else None


def resolve_viewer(token: str | None) -> tuple[Actor, UserPublic] | None:
    """The actor and its display projection (what the page header shows), from the cache or one trip
    to the database; None as for ``resolve_session``."""
    if not isinstance(token, str) or not (20 <= len(token) <= 128):
        return None
    key = security.hash_token(token)
    moment = now()
    hit = _cache.get(key)
    if hit is not None and moment < hit.valid_until:
        logs.set_user(hit.actor.user_id)
        return hit.actor, hit.viewer
    cached = _resolve_from_database(key, moment)
    with _cache_lock:
        if cached is None:
            _cache.pop(key, None)
            return None
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[key] = cached
    logs.set_user(cached.actor.user_id)
    return cached.actor, cached.viewer


def actor_of(user: User) -> Actor:
    """Who a user acts as (the record every service takes), from their account as it is now."""
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        unit_id=user.unit_id,
        enterprise_id=user.enterprise_id,
        must_change_password=user.must_change_password,
    )


# One read per refill (the session, its user, the user's unit and enterprise names): resolving a session
# every few seconds per user was a fifth of the worker's busy time under bench_ui load when it took four ORM
# reads (README § UI under load).
_SESSION_READ = (
    select(
        UserSession.id,
        UserSession.revoked_at,
        UserSession.expires_at,
        UserSession.last_seen_at,
        User,
        Unit.name,
        Enterprise.name,
    )
    .join(User, User.id == UserSession.user_id)
    .outerjoin(Unit, Unit.id == User.unit_id)
    .outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)


def _resolve_from_database(token_hash: str, moment: datetime) -> _Cached | None:
    settings = get_settings()
    idle = timedelta(minutes=settings.session_idle_minutes)
    with session_scope() as session:
        row = session.execute(_SESSION_READ, {"token_hash": token_hash}).first()
        if row is None:
            return None
        session_id, revoked_at, expires_at, last_seen, user, unit_name, enterprise_name = row
        if revoked_at is not None or expires_at <= moment or last_seen + idle <= moment or not user.is_active:
            return None
        if moment - last_seen >= _TOUCH_EVERY:
            # Sliding idle timeout, written at most once a minute rather than on every event.
            session.exec(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=moment))
            last_seen = moment
        viewer = public_user_named(user, unit_name, enterprise_name)
        # The idle limit counts from the last recorded use; using the cache does not extend it.
        valid_until = min(moment + timedelta(seconds=CACHE_SECONDS), expires_at, last_seen + idle)
        return _Cached(actor_of(user), viewer, valid_until)


def logout(token: str | None) -> None:
    """Revoke the session behind ``token`` (unknown tokens are ignored)."""
    if not isinstance(token, str) or not token:
        return
    forget_cached(token=token)
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
