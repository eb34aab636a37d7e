"""The session cookie over plain HTTP, so that it is HttpOnly: JavaScript on the page (and so any
injected script) can never read the token (README § 安全).

A login over the socket yields a one-time ticket; the browser navigates to ``/api/session/start``,
which redeems it, sets the cookie and sends the browser to its home page, where a new socket carries
the cookie in its handshake. ``/api/session/end`` (a POST from the portal's own page) revokes and
clears it.

Neither may be driven by another site (issue #20): a request whose ``Sec-Fetch-Site``, ``Origin`` or
``Referer`` names another origin is refused, so no page elsewhere can log a visitor in (login CSRF) or
out. The portal's own origin is ``PORTAL_PUBLIC_ORIGIN`` when set, else the request's own host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse

from portal import routes
from portal.core.settings import get_settings
from portal.services.accounts import sessions
from portal.services.accounts.navigation import home_for

# Sec-Fetch-Site values of a navigation the portal itself started (or the user typed): a ticket
# arriving from another site is refused, so nobody can log a victim into the attacker's account. ""
# is a client that sends no such header (an older browser, a script): Origin and Referer decide then.
_OWN_NAVIGATION = {"same-origin", "none", ""}
# 退出 is a POST from the portal's own page; "none" (typed, a bookmark) cannot make a POST.
_OWN_POST = {"same-origin", ""}
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _origin_of(url: str) -> str | None:
    """scheme://host[:port] of ``url``, lower-case, without the scheme's default port; None when it
    is none (``null``, a relative or malformed URL)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    explicit = f":{port}" if port is not None and str(port) != _DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{explicit}".lower()


def _own_origin(request: Request) -> str | None:
    configured = get_settings().public_origin
    if configured:
        return _origin_of(configured)
    return _origin_of(f"{request.url.scheme}://{request.headers.get('host', '')}")


def from_elsewhere(request: Request, allowed_sites: set[str]) -> bool:
    """Whether another site sent the browser here: its Sec-Fetch-Site is not one of ``allowed_sites``,
    or an Origin or Referer it carries is not the portal's own origin (an opaque ``null`` Origin is
    foreign too)."""
    if request.headers.get("sec-fetch-site", "").strip().lower() not in allowed_sites:
        return True
    own = _own_origin(request)
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if value is not None and (own is None or _origin_of(value) != own):
            return True
    return False


def _secure() -> bool:
    return (get_settings().public_origin or "").startswith("https://")


async def start(request: Request) -> RedirectResponse:
    if from_elsewhere(request, _OWN_NAVIGATION):
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


async def end(request: Request) -> RedirectResponse | PlainTextResponse:
    """退出: a POST from the portal's own page. A GET (a link, an image) or another site's form is
    refused, and the session lives on."""
    if request.method != "POST":
        return PlainTextResponse("请使用页面上的“退出”按钮退出登录", status_code=405, headers={"Allow": "POST"})
    if from_elsewhere(request, _OWN_POST):
        return PlainTextResponse("请从本平台页面退出登录", status_code=403)
    await run_in_threadpool(sessions.logout, request.cookies.get(routes.SESSION_COOKIE))
    response = RedirectResponse(routes.LOGIN, status_code=303)
    response.delete_cookie(routes.SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure())
    return response
