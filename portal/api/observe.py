"""Every HTTP request timed, counted and (for the portal's own routes) logged with a request id
(issue #24). An ASGI wrapper, the outermost of ``api_transformer``; the websocket (``/_event``) is left
alone: its events are timed one by one by ``state/failures.EventTiming``."""

from __future__ import annotations

import logging
import time

from portal.core import logs
from portal.core.metrics import REQUEST_SECONDS, REQUESTS

log = logging.getLogger("portal.http")


# The portal's own API routes (``routes.*_API``) and Reflex's endpoints: nothing else gets a label of its own.
_API_NAMES = {
    *("health", "metrics", "files", "policy-files", "exports", "ledger-template", "bulletins", "session"),
    "open311",
}
_REFLEX_NAMES = {"_event", "_upload", "_health", "_all_routes"}


def route_label(path: str) -> str:
    """A bounded label for ``path``: ``/api/<name>`` of a known route, ``/_upload`` and the like, ``other``
    for any other ``/api`` or ``/_`` path, else ``page`` (the built frontend). Neither ids nor made-up
    names reach a label, so a client cannot grow the metrics."""
    parts = [part for part in path.split("/") if part]
    if not parts:
        return "page"
    if parts[0] == "api":
        return "/api/" + parts[1] if len(parts) > 1 and parts[1] in _API_NAMES else "other"
    if parts[0].startswith("_"):
        return "/" + parts[0] if parts[0] in _REFLEX_NAMES else "other"
    return "page"


def observe_requests(app):
    async def observed(scope, receive, send):
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        route = route_label(scope.get("path", ""))
        context = logs.begin("request", route)
        status = {"code": 500}
        started = time.perf_counter()

        async def sending(message):
            if message.get("type") == "http.response.start":
                status["code"] = message.get("status", 500)
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - started
            REQUESTS.labels(route=route, status=f"{status['code'] // 100}xx").inc()
            REQUEST_SECONDS.labels(route=route).observe(elapsed)
            if route != "page":  # static files would drown the log
                log.info(
                    "request handled",
                    extra={
                        **context,
                        "method": scope.get("method", ""),
                        "status": status["code"],
                        "duration_ms": round(elapsed * 1000, 1),
                    },
                )

    return observed
