"""The base of every page state: run one service call as the current actor, turn its errors into a toast
and field messages, and read form fields safely."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal import routes
from portal.services.accounts.actor import Actor
from portal.services.base.errors import ServiceError, ValidationFailed
from portal.state.auth import AuthState

NOT_ALLOWED = "无权执行此操作"


def text_of(form, key: str) -> str:
    """A text field of a submitted form ("" when missing or not text: clients send anything)."""
    value = form.get(key, "") if isinstance(form, dict) else ""
    return value if isinstance(value, str) else ""


def checked(form, key: str) -> bool:
    """Whether a checkbox of a submitted form was ticked."""
    return isinstance(form, dict) and form.get(key) in ("on", True, "true")


class PageState(AuthState):
    """A page with forms: field errors beside the inputs, a toast for everything else."""

    errors: dict[str, str] = {}

    def _fail(self, exc: ServiceError):
        self.errors = exc.errors if isinstance(exc, ValidationFailed) else {}
        return rx.toast.error(exc.message)

    def _act(
        self, call: Callable[[Actor], object], success: str, *roles: str, after: Callable[[Actor], None] | None = None
    ):
        """Resolve the actor (of one of ``roles``, if given), run ``call(actor)``; on success clear the
        errors, run ``after(actor)`` to refresh what changed and show ``success``."""
        actor = self._actor()
        if actor is None:
            return [rx.toast.error(NOT_ALLOWED), rx.redirect(routes.LOGIN)]
        if roles and actor.role not in roles:
            return rx.toast.error(NOT_ALLOWED)
        try:
            call(actor)
        except ServiceError as exc:
            return self._fail(exc)
        self.errors = {}
        if after is not None:
            after(actor)
        return rx.toast.success(success)
