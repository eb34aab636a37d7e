"""Session handling shared by every page.

The browser holds an opaque session token in a cookie; every handler turns it back into an ``Actor``
with ``sessions.resolve_session`` (one indexed lookup) instead of trusting anything kept in the state.
Only a display projection of the current user (``viewer``) is ever sent to the browser.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from portal import routes
from portal.core.settings import get_settings
from portal.models.dto import Actor, NavItem, UserPublic
from portal.services import accounts, navigation, notices, sessions

_EMPTY_VIEWER = UserPublic(username="", display_name="", role="", role_label="", unit_name="", enterprise_name="")


class AuthState(rx.State):
    """Root of the portal's states: the session cookie and who is looking."""

    session_token: str = rx.Cookie(
        "",
        name="qs_session",
        path="/",
        same_site="strict",
        max_age=get_settings().session_hours * 3600,
        secure=bool(get_settings().public_origin and get_settings().public_origin.startswith("https")),
    )
    viewer: UserPublic = dict(_EMPTY_VIEWER)
    unread: int = 0

    # ── helpers (underscore: not callable from the browser) ──

    def _actor(self) -> Actor | None:
        return sessions.resolve_session(self.session_token)

    def _actor_with_role(self, *roles: str) -> Actor | None:
        actor = self._actor()
        if actor is None or (roles and actor.role not in roles):
            return None
        return actor

    def _client_address(self) -> str:
        """The peer address of this socket, as Reflex derived it server-side (X-Forwarded-For counts
        only through ``trusted_proxy_hops``; a client cannot set it)."""
        return (self.router.session.client_ip or "") if self.router else ""

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

    def _refresh_viewer(self, actor: Actor | None) -> None:
        viewer = accounts.get_public_user(actor.user_id) if actor else None
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
    def home_route(self) -> str:
        role = self.viewer.get("role", "")
        return navigation.home_for(role) if role else routes.LOGIN

    # ── events ──

    @rx.event
    def guard(self, route: str):
        """on_load of every page: refresh the viewer, send away whoever may not open ``route``."""
        route = route if isinstance(route, str) else routes.HOME
        actor = self._actor()
        self._refresh_viewer(actor)
        needs_login = route.startswith(routes.PRIVATE_PREFIXES)
        if actor is None:
            if self.session_token:
                self.session_token = ""  # expired or revoked: forget it
            if needs_login:
                return rx.redirect(routes.LOGIN)
            return None
        self.unread = notices.unread_count(actor=actor)
        if needs_login and not navigation.may_open(actor.role, route):
            return [rx.toast.error("您没有访问该页面的权限"), rx.redirect(navigation.home_for(actor.role))]
        if route in (routes.LOGIN, routes.REGISTER):
            return rx.redirect(navigation.home_for(actor.role))
        return None

    @rx.event
    async def logout(self):
        """退出: revoke the session server-side, forget the cookie and everything shown to this user."""
        await asyncio.to_thread(sessions.logout, self.session_token)
        await self._forget_everything()
        return rx.redirect(routes.LOGIN)
