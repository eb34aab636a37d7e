"""Login and enterprise registration forms."""

from __future__ import annotations

import asyncio
import json

import reflex as rx

from portal import routes
from portal.models.records.common import UnitOption
from portal.services.accounts import enterprise_accounts, sessions
from portal.services.accounts.enterprise_accounts import EnterpriseRegistration
from portal.services.base.errors import LoginFailed, ServiceError, ValidationFailed
from portal.services.demands import form_options
from portal.state.auth import AuthState
from portal.state.base import text_of


class LoginState(AuthState):
    login_error: str = ""
    busy: bool = False

    @rx.event
    async def login(self, form: dict):
        """登录: start a session and open the role's home. The password hash runs in a thread, so a
        client hammering this handler slows only itself, not the worker's other users."""
        self.login_error = ""
        try:
            user_agent = self.router.headers.user_agent if self.router else ""
            result = await asyncio.to_thread(
                sessions.login,
                username=text_of(form, "username"),
                password=text_of(form, "password"),
                client_address=self._client_address(),
                user_agent=user_agent or "",
            )
        except LoginFailed as exc:
            self.login_error = exc.message
            return None
        await self._forget_everything()  # a previous user of this tab leaves nothing behind
        # The socket never carries the session token: the browser fetches its HttpOnly cookie with the
        # one-time ticket, in a full page load whose new socket then presents the cookie.
        return rx.call_script(f"window.location.assign({json.dumps(routes.session_start(result.ticket))})")


REGISTER_FIELDS = (
    "enterprise_name",
    "credit_code",
    "contact_name",
    "contact_phone",
    "town_unit_id",
    "industry",
    "scale",
    "username",
    "password",
    "password_confirm",
)


class RegisterState(AuthState):
    errors: dict[str, str] = {}
    town_options: list[UnitOption] = []
    done: bool = False

    @rx.event
    def load(self):
        """on_load: the 所属镇街 options."""
        self.town_options = form_options.town_options()
        self.errors = {}
        self.done = False

    @rx.event
    async def register_enterprise(self, form: dict):
        """注册: create the enterprise and its account, then go to 登录 (hashing off the event loop)."""
        values = {k: text_of(form, k) for k in REGISTER_FIELDS}
        town = values.pop("town_unit_id")
        try:
            await asyncio.to_thread(
                enterprise_accounts.register_enterprise,
                form=EnterpriseRegistration(**values, town_unit_id=town or None),
                client_address=self._client_address(),
            )
        except ValidationFailed as exc:
            self.errors = exc.errors
            return None
        except ServiceError as exc:  # too many attempts from this address
            self.errors = {}
            return rx.toast.error(exc.message)
        self.errors = {}
        self.done = True
        return [rx.toast.success("注册成功,请登录"), rx.redirect(routes.LOGIN)]
