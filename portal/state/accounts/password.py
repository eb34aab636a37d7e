"""/my/password and /staff/password: 修改密码 for every role, also while a change is forced."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal import routes
from portal.services.accounts import navigation, passwords
from portal.services.base.errors import ServiceError, ValidationFailed
from portal.state.auth import AuthState
from portal.state.base import NOT_ALLOWED, text_of


class PasswordState(AuthState):
    errors: dict[str, str] = {}
    forced: bool = False  # someone else made the current password: say why this page came up

    @rx.event
    def load(self):
        """on_load: whether the change is forced; no old messages."""
        actor = self._session_actor()
        self.forced = bool(actor and actor.must_change_password)
        self.errors = {}

    @rx.event
    async def change(self, form: dict):
        """修改密码: check the current password, set the new one, end the other sessions (hashing runs
        in a thread), then open the role's home."""
        actor = self._session_actor()  # a forced change is exactly what this account may still do
        if actor is None:
            return [rx.toast.error(NOT_ALLOWED), rx.redirect(routes.LOGIN)]
        try:
            await asyncio.to_thread(
                passwords.change_password,
                actor=actor,
                session_token=self._session_token(),
                current=text_of(form, "current_password"),
                new=text_of(form, "new_password"),
                confirm=text_of(form, "new_password_confirm"),
            )
        except ValidationFailed as exc:
            self.errors = exc.errors
            return rx.toast.error(exc.message)
        except ServiceError as exc:
            self.errors = {}
            return rx.toast.error(exc.message)
        self.errors, self.forced = {}, False
        return [rx.toast.success(passwords.CHANGED), rx.redirect(navigation.home_for(actor.role))]
