"""The Open311 GeoReport v2-style API under ``/api/open311/v2/`` (issue #27; described in
``docs/open311.yaml``): ``services``, ``requests`` (GET: the public list; POST: a demand on an enterprise's
behalf, with a key), ``requests/{code}``, ``requests/{code}/updates`` (the public timeline, which GeoReport
never defined) and ``tokens/{token}``; each as ``.json`` or ``.xml``.

Each call: the body bounded and parsed (POST), the key and the rate checked (``services/open311/calls.admit``),
the work in a thread, then the call counted and audited (``calls.finish``). The key is read from the
``X-Api-Key`` header, else the ``api_key`` parameter (GeoReport's)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import routes
from portal.api.open311_format import FORMATS, BodyRefused, error, read_body, render
from portal.api.operations import request_client
from portal.services.base.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from portal.services.open311 import calls
from portal.services.open311.georeport import BadQuery
from portal.services.open311.keys import KeyHolder, KeyRefused
from portal.services.open311.posting import ReusedKey

# What the work of a call returns: (status, kind of answer, items, a note for the audit).
Outcome = tuple[int, str, list[dict], str]


def _status_of(exc: ServiceError) -> int:
    if isinstance(exc, ReusedKey):
        return 422
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    return 400


def _message(exc: ServiceError) -> str:
    if isinstance(exc, ValidationFailed):
        return ";".join(f"{field}:{text}" for field, text in exc.errors.items())
    return exc.message


async def _admit(request: Request, key: str | None, summary: str, fmt: str) -> KeyHolder | None | Response:
    """The key's holder (None: anonymous), or the refusal to send (401, 403, 429, 503)."""
    address, needs_key = request_client(request), request.method == "POST"
    try:
        return await run_in_threadpool(lambda: calls.admit(key=key, address=address, needs_key=needs_key))
    except KeyRefused as refusal:
        if refusal.key_id is not None:  # a revoked key: counted and audited on its row
            key_id = refusal.key_id
            await run_in_threadpool(lambda: calls.finish(key_id=key_id, holder=None, summary=summary, refused=True))
        return error(refusal.status, refusal.message, fmt)
    except calls.RateLimited as limited:
        if (over := limited.holder) is not None:
            await run_in_threadpool(
                lambda: calls.finish(key_id=over.id, holder=over, summary="", refused=True, audit=False)
            )
        wait = str(limited.retry_after)
        return error(429, f"调用过于频繁,请{wait}秒后再试", fmt, {"Retry-After": wait})
    except Conflict:
        return error(503, "服务繁忙,请稍后重试", fmt, {"Retry-After": "1"})


async def _work(work: Callable[[KeyHolder | None], Outcome], holder: KeyHolder | None) -> Outcome:
    try:
        return await run_in_threadpool(work, holder)
    except ServiceError as exc:
        status, message = _status_of(exc), _message(exc)
    except BadQuery as exc:
        status, message = 400, str(exc)
    return status, "errors", [{"code": status, "description": message}], message


async def _serve(request: Request, work: Callable[[KeyHolder | None], Outcome], *, params=None, refused=None):
    """Admit the call, run ``work`` (or answer ``refused``: a body already turned down), count and audit."""
    fmt = request.path_params.get("fmt", "")
    if fmt not in FORMATS:
        return error(404, "请求地址须以 .json 或 .xml 结尾")
    params = params or {}
    key = request.headers.get("x-api-key") or params.get("api_key") or request.query_params.get("api_key")
    summary = f"{request.method} {request.url.path}"
    holder = await _admit(request, key, summary, fmt)
    if isinstance(holder, Response):
        return holder
    if refused is not None:
        status, message = refused.status, refused.message
        status, kind, items, note = status, "errors", [{"code": status, "description": message}], message
    else:
        status, kind, items, note = await _work(work, holder)
    audit = f"{summary} → {status}" + (f" {note}" if note else "")
    key_id = holder.id if holder else None
    await run_in_threadpool(lambda: calls.finish(key_id=key_id, holder=holder, summary=audit, refused=status >= 400))
    return render(kind, items, fmt, status)


def _params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k != "api_key"}


async def services(request: Request) -> Response:
    return await _serve(request, lambda holder: (200, "services", calls.read_services(), ""))


async def requests(request: Request) -> Response:
    if request.method == "POST":
        return await _post(request)
    params = _params(request)

    def work(holder: KeyHolder | None) -> Outcome:
        return 200, "requests", calls.read_requests(params=params, holder=holder), ""

    return await _serve(request, work)


async def _post(request: Request) -> Response:
    try:
        params = await read_body(request)
    except BodyRefused as exc:
        return await _serve(request, lambda holder: (0, "", [], ""), refused=exc)
    idempotency = request.headers.get("idempotency-key") or params.get("attribute[idempotency_key]")

    def work(holder: KeyHolder | None) -> Outcome:
        posted = calls.post(holder=holder, params=params, idempotency_key=idempotency)
        answer = {
            "service_request_id": posted.service_request_id,
            "token": posted.token,
            "service_notice": posted.service_notice,
            "account_id": None,
        }
        note = posted.service_request_id + (" (重放)" if posted.replayed else "")
        return (200 if posted.replayed else 201), "requests", [answer], note

    return await _serve(request, work, params=params)


async def one_request(request: Request) -> Response:
    code = request.path_params.get("code", "")
    return await _serve(request, lambda holder: (200, "requests", calls.read_request(code=code, holder=holder), code))


async def updates(request: Request) -> Response:
    code = request.path_params.get("code", "")
    return await _serve(request, lambda holder: (200, "updates", calls.read_updates(code=code, holder=holder), code))


async def token(request: Request) -> Response:
    """GeoReport's ``tokens/{token}``: the request a token names, to whoever holds the token (only the key that
    posted it was given it; the code it returns is public in ``requests`` anyway)."""
    value = request.path_params.get("token", "")

    def work(holder: KeyHolder | None) -> Outcome:
        return 200, "requests", calls.read_token(token=value, holder=holder), ""

    return await _serve(request, work)


def open311_routes() -> list[Route]:
    base = routes.OPEN311_API
    return [
        Route(base + "/services.{fmt}", services),
        Route(base + "/requests.{fmt}", requests, methods=["GET", "POST"]),
        Route(base + "/requests/{code}/updates.{fmt}", updates),
        Route(base + "/requests/{code}.{fmt}", one_request),
        Route(base + "/tokens/{token}.{fmt}", token),
    ]
