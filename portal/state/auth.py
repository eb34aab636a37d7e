"""Session handling shared by every page.

The browser holds an opaque session token in an HttpOnly cookie set over plain HTTP
(``portal.api.session_routes``); the socket's handshake carries it, and Reflex keeps the handshake's
headers server-side (it never sends the cookie header to the page). Every handler turns the cookie back
into an ``Actor`` with ``sessions.resolve_session`` (one indexed lookup) instead of trusting anything
kept in the state; no state var ever holds the token. Only a display projection of the current user
(``viewer``) is sent to the browser.
"""

from __future__ import annotations

import asyncio
import json

import reflex as rx

from portal import routes
from portal.core.network import client_address
from portal.models.records.accounts import UserPublic
from portal.models.records.common import NavItem
from portal.services.accounts import navigation, sessions
from portal.services.accounts.actor import Actor
from portal.services.base import notices

_EMPTY_VIEWER = UserPublic(username="", display_name="", role="", role_label="", unit_name="", enterprise_name="")


class AuthState(rx.State):
    """Root of the portal's states: the session cookie and who is looking."""

    viewer: UserPublic = dict(_EMPTY_VIEWER)
    unread: int = 0

    # ── helpers (underscore: not callable from the browser) ──

    def _session_token(self) -> str:
        """The session cookie from this socket's handshake ("" when there is none)."""
        # ``rx_router_headers`` is the field ``self.router.headers`` reads: ``self.router`` assembles a whole
        # RouterData from five fields first, which costs more than the rest of this on every event.
        return sessions.token_in_cookie_header(self.rx_router_headers.cookie or "")

    def _actor(self) -> Actor | None:
        """Who acts; None without a session, and while the password someone else made is still to be
        replaced (only ``PasswordState`` serves such an account, through ``_session_actor``)."""
        actor = self._session_actor()
        return None if actor is None or actor.must_change_password else actor

    def _session_actor(self) -> Actor | None:
        return sessions.resolve_session(self._session_token())

    def _actor_with_role(self, *roles: str) -> Actor | None:
        actor = self._actor()
        if actor is None or (roles and actor.role not in roles):
            return None
        return actor

    def _client_address(self) -> str:
        """The client's address: the socket's peer, or what a trusted reverse proxy (``PORTAL_TRUSTED_PROXIES``)
        says in X-Forwarded-For / X-Real-IP (``core/network.client_address``); a client cannot set it."""
        if not self.router:
            return ""
        headers = self.router.headers.raw_headers
        peer = headers.get("asgi-scope-client") or self.router.session.client_ip or ""
        return client_address(peer, headers.get("x-forwarded-for", ""), headers.get("x-real-ip", ""))

    async def _forget_everything(self) -> None:
        """Reset this state and every page state below it to their defaults, loading the ones this
        worker does not hold yet, so nothing of the previous user (lists, a demand, phone numbers,
        staged files' tokens) survives into the next one in the same tab (DESIGN §8)."""
        pending = list(AuthState.get_substates())
        while pending:
            cls = pending.pop()
            pending.extend(cls.get_substates())
            substate = await self.get_state(cls)
            if hasattr(substate, "_clear_staged"):
                substate._clear_staged()  # the files too, not only the tokens
            substate.reset()
        self.reset()

    def _refresh_viewer(self, viewer: UserPublic | None) -> None:
        new = dict(viewer) if viewer else dict(_EMPTY_VIEWER)
        if new != self.viewer:
            self.viewer = new

    # ── computed projections for the layout ──

    @rx.var
    def logged_in(self) -> bool:
        return bool(self.viewer.get("username"))

    @rx.var
    def is_enterprise(self) -> bool:
        return self.viewer.get("role") == "enterprise"

    @rx.var
    def staff_menu(self) -> list[NavItem]:
        role = self.viewer.get("role", "")
        return [NavItem(**item) for item in navigation.staff_nav(role)] if role and role != "enterprise" else []

    @rx.var
    def password_route(self) -> str:
        role = self.viewer.get("role", "")
        return navigation.password_page_for(role) if role else routes.LOGIN

    @rx.var
    def home_route(self) -> str:
        role = self.viewer.get("role", "")
        return navigation.home_for(role) if role else routes.LOGIN

    # ── events ──

    @rx.event
    def guard(self, route: str):
        """on_load of every page: refresh the viewer, send away whoever may not open ``route``."""
        route = route if isinstance(route, str) else routes.HOME
        resolved = sessions.resolve_viewer(self._session_token())  # cached: usually no query at all
        actor = resolved[0] if resolved else None
        self._refresh_viewer(resolved[1] if resolved else None)
        needs_login = route.startswith(routes.PRIVATE_PREFIXES)
        if actor is None:
            if needs_login:
                return rx.redirect(routes.LOGIN)
            return None
        self.unread = notices.unread_count(actor=actor)
        if actor.must_change_password and route != navigation.password_page_for(actor.role):
            # A password an admin made (reset, new account, 账号认领): nothing else until it is replaced.
            return [rx.toast.info("请先修改密码"), rx.redirect(navigation.password_page_for(actor.role))]
        if needs_login and not navigation.may_open(actor.role, route):
            return [rx.toast.error("您没有访问该页面的权限"), rx.redirect(navigation.home_for(actor.role))]
        if route in (routes.LOGIN, routes.REGISTER):
            return rx.redirect(navigation.home_for(actor.role))
        return None

    @rx.event
    async def logout(self):
        """退出: revoke the session, forget everything shown to this user, and let the HTTP endpoint
        clear the HttpOnly cookie with a same-origin form POST (a full page load, so the next socket
        starts without it; the endpoint refuses GETs and other sites, README § 安全)."""
        await asyncio.to_thread(sessions.logout, self._session_token())
        await self._forget_everything()
        return rx.call_script(
            "(() => { const form = document.createElement('form'); form.method = 'post'; "
            f"form.action = {json.dumps(routes.SESSION_END_API)}; document.body.appendChild(form); form.submit(); }})()"
        )
