"""``/api/health`` and ``/api/metrics`` (issue #24).

Health: anyone gets ``{"status": "ok" | "degraded"}`` (200 / 503), enough for a load balancer; the
detail (database and migration head, Redis, the scheduler's lease holder and each job's last run, free
disk) goes only to the local host, an administrator's session or ``Authorization: Bearer
$PORTAL_METRICS_TOKEN``. Metrics: the local host or the token only (not even an administrator's browser:
they are for a collector). "The local host" is the client address after ``PORTAL_TRUSTED_PROXIES``
(``core/network``), so a request relayed by nginx counts as the remote client that sent it.
"""

from __future__ import annotations

import os

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from portal import routes
from portal.core.network import client_address, is_loopback, token_matches
from portal.core.settings import get_settings


def request_client(request: Request) -> str:
    peer = request.client.host if request.client else ""
    return client_address(peer, request.headers.get("x-forwarded-for", ""), request.headers.get("x-real-ip", ""))


def _local_or_token(request: Request) -> tuple[bool, bool]:
    local = is_loopback(request_client(request))
    token_ok = token_matches(request.headers.get("authorization", ""), get_settings().metrics_token)
    return local, token_ok


async def health(request: Request) -> JSONResponse:
    from portal.services.accounts import sessions
    from portal.services.operations.health import health_report, may_see_detail

    report = await run_in_threadpool(health_report)
    local, token_ok = _local_or_token(request)
    actor = None
    if not (local or token_ok) and request.cookies.get(routes.SESSION_COOKIE):
        actor = await run_in_threadpool(sessions.resolve_session, request.cookies.get(routes.SESSION_COOKIE))
    body = report if may_see_detail(client_is_local=local, token_ok=token_ok, actor=actor) else {}
    body = {**body, "status": report["status"]}
    return JSONResponse(
        body,
        status_code=200 if report["status"] == "ok" else 503,
        # The worker's pid lets an operator (and the multi-worker test) see which process answered.
        headers={"X-Portal-Pid": str(os.getpid()), "Cache-Control": "no-store"},
    )


async def metrics(request: Request) -> Response:
    from portal.core.metrics import exposition
    from portal.services.operations.figures import DatabaseCollector

    local, token_ok = _local_or_token(request)
    if not (local or token_ok):
        return PlainTextResponse("仅限本机或持有监控令牌的采集端访问", status_code=403)
    content, media_type = await run_in_threadpool(exposition, DatabaseCollector())
    return Response(content, media_type=media_type, headers={"Cache-Control": "no-store"})
