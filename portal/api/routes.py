"""Plain HTTP routes beside the Reflex app: health check (and, later, authorised downloads)."""

from __future__ import annotations

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal.core.db import get_engine


async def health(_request: Request) -> JSONResponse:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - the health check reports any failure as "down"
        return JSONResponse({"status": "down", "database": False}, status_code=503)
    return JSONResponse({"status": "ok", "database": True})


def build_api() -> Starlette:
    return Starlette(routes=[Route("/api/health", health)])
