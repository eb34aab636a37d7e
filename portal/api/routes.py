"""Plain HTTP routes beside the Reflex app: authorised downloads; health and metrics (``api/operations``)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from portal import routes
from portal.core.ids import parse_bounded_int, parse_id


async def download(request: Request):
    """Authorised download of a private attachment: the session cookie decides, like every handler."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse

    from portal.services.accounts import sessions
    from portal.services.base.errors import ServiceError
    from portal.services.demands import detail

    attachment_id = parse_id(request.path_params.get("attachment_id", ""))
    if attachment_id is None:
        return PlainTextResponse("附件不存在", status_code=404)
    actor = await run_in_threadpool(sessions.resolve_session, request.cookies.get(routes.SESSION_COOKIE))
    if actor is None:
        return PlainTextResponse("请先登录", status_code=401)
    try:
        attachment = await run_in_threadpool(detail.attachment_for_download, actor=actor, attachment_id=attachment_id)
    except ServiceError:
        return PlainTextResponse("附件不存在或无权查看", status_code=404)
    return _file_response(attachment, cache="private, no-store")


def _file_response(attachment, *, cache: str):
    """The stored bytes, served as a download that can never run in the portal's origin."""
    from starlette.responses import FileResponse, PlainTextResponse

    from portal.services.demands.attachments import path_of

    path = path_of(attachment.storage_key)
    if not path.exists():
        return PlainTextResponse("附件文件缺失,请联系管理员", status_code=410)
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.filename,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": cache, "Content-Security-Policy": "sandbox"},
    )


async def policy_file(request: Request):
    """A policy's original document: public once the policy is; a draft's only to the 推进中心 and admins."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse

    from portal.services.accounts import sessions
    from portal.services.base.errors import ServiceError
    from portal.services.policies import library

    attachment_id = parse_id(request.path_params.get("attachment_id", ""))
    token = request.cookies.get(routes.SESSION_COOKIE)
    actor = await run_in_threadpool(sessions.resolve_session, token) if token else None
    try:
        attachment = await run_in_threadpool(library.policy_file_for_download, attachment_id=attachment_id, actor=actor)
    except ServiceError:
        return PlainTextResponse("文件不存在或政策尚未发布", status_code=404)
    return _file_response(attachment, cache="private, no-store")


async def ledger_export(request: Request):
    """A finished 导出台账 file: only to the session that asked for it (anyone else: 404)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import FileResponse, PlainTextResponse

    from portal.services.accounts import sessions
    from portal.services.base.errors import ServiceError
    from portal.services.ledgers import exports

    actor = await run_in_threadpool(sessions.resolve_session, request.cookies.get(routes.SESSION_COOKIE))
    if actor is None:
        return PlainTextResponse("请先登录", status_code=401)
    try:
        path, filename = await run_in_threadpool(
            exports.export_for_download, actor=actor, export_id=request.path_params.get("export_id", "")
        )
    except ServiceError:
        return PlainTextResponse("文件不存在或已过期", status_code=404)
    media = (
        "text/csv; charset=utf-8"
        if filename.endswith(".csv")
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(
        path,
        media_type=media,
        filename=filename,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


async def ledger_template(request: Request):
    """The empty 问题台账 (.xlsx) for the 镇街 to fill in; staff only."""
    from urllib.parse import quote

    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse, Response

    from portal.models.enums import Role
    from portal.services.accounts import sessions
    from portal.services.ledgers import imports

    actor = await run_in_threadpool(sessions.resolve_session, request.cookies.get(routes.SESSION_COOKIE))
    if actor is None or actor.role not in (Role.DISPATCHER, Role.HANDLER, Role.LEADER):
        return PlainTextResponse("请先以工作人员身份登录", status_code=401)
    content = await run_in_threadpool(imports.template_bytes)
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": "attachment; filename*=UTF-8''" + quote("问题台账模板.xlsx"),
            "Cache-Control": "private, no-store",
        },
    )


async def bulletin_file(request: Request):
    """A stored 一月一通报 as .xlsx, for the 推进中心 and leaders."""
    from urllib.parse import quote

    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse, Response

    from portal.services.accounts import sessions
    from portal.services.base.errors import Forbidden, ServiceError
    from portal.services.supervision import bulletin_xlsx

    actor = await run_in_threadpool(sessions.resolve_session, request.cookies.get(routes.SESSION_COOKIE))
    if actor is None:
        return PlainTextResponse("请先登录", status_code=401)
    period = str(request.path_params.get("period", ""))[:7]
    try:
        content, filename = await run_in_threadpool(bulletin_xlsx.bulletin_xlsx, actor=actor, period=period)
    except Forbidden:
        return PlainTextResponse("无权查看", status_code=403)
    except ServiceError:
        return PlainTextResponse("没有该月的通报", status_code=404)
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": "attachment; filename*=UTF-8''" + quote(filename),
            "Cache-Control": "private, no-store",
        },
    )


# Five files of 20 MB and the multipart overhead: anything larger sent to /_upload is refused before
# Starlette spools it (the Reflex upload endpoint itself sets no limit).
MAX_UPLOAD_REQUEST_BYTES = 5 * 20 * 1024 * 1024 + 1024 * 1024


def limit_upload_size(app):
    """ASGI wrapper: 413 for uploads whose declared size is too big or not declared at all."""

    async def guarded(scope, receive, send):
        if scope.get("type") == "http" and scope.get("path", "").startswith("/_upload"):
            headers = dict(scope.get("headers") or [])
            declared = parse_bounded_int(headers.get(b"content-length", b"").decode("latin-1"), low=0, high=2**40)
            if declared is None or declared > MAX_UPLOAD_REQUEST_BYTES:
                from starlette.responses import PlainTextResponse

                response = PlainTextResponse("上传文件过大(单个不超过20MB,最多5个)", status_code=413)
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    return guarded


def build_api() -> Starlette:
    from portal.api import operations, session_routes
    from portal.api.open311 import open311_routes

    return Starlette(
        routes=[
            Route(routes.HEALTH_API, operations.health),
            Route(routes.METRICS_API, operations.metrics),
            Route(routes.FILES_API + "/{attachment_id}", download),
            Route(routes.POLICY_FILES_API + "/{attachment_id}", policy_file),
            Route(routes.EXPORTS_API + "/{export_id}", ledger_export),
            Route(routes.LEDGER_TEMPLATE_API, ledger_template),
            Route(routes.BULLETINS_API + "/{period}", bulletin_file),
            Route(routes.SESSION_START_API, session_routes.start),
            # GET too, only to answer it with 405 (a link or an image anywhere must not log anyone out).
            Route(routes.SESSION_END_API, session_routes.end, methods=["GET", "POST"]),
            *open311_routes(),
        ]
    )
