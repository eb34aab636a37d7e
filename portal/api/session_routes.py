"""The session cookie over plain HTTP, so that it is HttpOnly: JavaScript on the page (and so any
injected script) can never read the token (README § 安全).

A login over the socket yields a one-time ticket; the browser navigates to ``/api/session/start``,
which redeems it, sets the cookie and sends the browser to its home page, where a new socket carries
the cookie in its handshake. ``/api/session/end`` revokes and clears it.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

from portal import routes
from portal.core.settings import get_settings
from portal.services.accounts import sessions
from portal.services.accounts.navigation import home_for

# Sec-Fetch-Site values of a navigation the portal itself started (or the user typed): a ticket
# arriving from another site is refused, so nobody can log a victim into the attacker's account.
_OWN_NAVIGATION = {"same-origin", "none", ""}


def _secure() -> bool:
    return (get_settings().public_origin or "").startswith("https://")


async def start(request: Request) -> RedirectResponse:
    if request.headers.get("sec-fetch-site", "") not in _OWN_NAVIGATION:
        return RedirectResponse(routes.LOGIN, status_code=303)
    redeemed = await run_in_threadpool(sessions.redeem_ticket, request.query_params.get("ticket"))
    if redeemed is None:
        return RedirectResponse(routes.LOGIN, status_code=303)
    token, role = redeemed
    response = RedirectResponse(home_for(role), status_code=303)
    response.set_cookie(
        routes.SESSION_COOKIE,
        token,
        max_age=get_settings().session_hours * 3600,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def end(request: Request) -> RedirectResponse:
    await run_in_threadpool(sessions.logout, request.cookies.get(routes.SESSION_COOKIE))
    response = RedirectResponse(routes.LOGIN, status_code=303)
    response.delete_cookie(routes.SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure())
    return response
