"""The Starlette baseline of bench/bench_ui.py: the same session resolution and the same service calls as
the Reflex page, over plain HTTP, under the same ASGI server (granian, one worker).

    granian --interface asgi --workers 1 --port 8123 bench.baseline_app:app
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal import routes
from portal.core.ids import parse_bounded_int
from portal.services.accounts import sessions
from portal.services.base import notices
from portal.services.demands import form_options, lists


def _actor(request: Request):
    return sessions.resolve_session(request.cookies.get(routes.SESSION_COOKIE))


async def first_load(request: Request) -> JSONResponse:
    """What /staff/demands loads on open: the guard's reads, the unit options, the first page."""
    resolved = sessions.resolve_viewer(request.cookies.get(routes.SESSION_COOKIE))
    if resolved is None:
        return JSONResponse({"error": "login"}, status_code=401)
    actor, viewer = resolved
    return JSONResponse(
        {
            "viewer": viewer,
            "unread": notices.unread_count(actor=actor),
            "units": form_options.form_options()["units"],
            "page": lists.search_demands(actor=actor, filters={}, page=1),
        }
    )


async def page(request: Request) -> JSONResponse:
    """One page of the list, as 下一页 asks for it."""
    actor = _actor(request)
    if actor is None:
        return JSONResponse({"error": "login"}, status_code=401)
    number = parse_bounded_int(request.query_params.get("page", "1"), low=1, high=99999) or 1
    return JSONResponse(lists.search_demands(actor=actor, filters={}, page=number))


app = Starlette(routes=[Route("/first", first_load), Route("/page", page)])
