"""导出台账 (issue #13): a request is a ``ledger_export`` row; ``run_export`` writes the file in the
background — in a child process (``python -m portal.cli run-export ID``, started by the page), so the
web worker's event loop never waits on the GIL of a 30-second .xlsx; the page polls the row's progress —
into
``<private dir>/exports/<owner id>/`` under a random name. Only the person who asked can download it
(``export_for_download``, behind /api/exports/{id}); files and rows older than a day are purged by the
scheduler's housekeeping.

A request is claimed by compare-and-set (启动中 → 生成中), so a repeated start never writes twice. One
export in progress per account, and a global cap on children writing at once: ``export_queue``.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import file_stamp, format_instant
from portal.core.ids import parse_id
from portal.models.tables import LedgerExport, Unit
from portal.services.accounts.actor import Actor
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, NotFound, ValidationFailed
from portal.services.demands.attachments import storage_dir
from portal.services.ledgers import export_queue, sheets, writers
from portal.services.ledgers.export_queue import DONE, FAILED, IN_PROGRESS, QUEUED, RUNNING, STARTING, claim_next
from portal.services.ledgers.sheets import LEDGERS, ExportFilters

__all__ = ["DONE", "FAILED", "QUEUED", "RUNNING", "STARTING", "claim_next"]
FORMATS = {"xlsx": "Excel(.xlsx)", "csv": "CSV(UTF-8 带BOM)"}
KEEP_HOURS = 24
AUDIT_SECTION = "导出台账"


def _exports_dir(owner_id: int) -> Path:
    directory = storage_dir() / "exports" / str(owner_id)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _record(export: LedgerExport) -> dict:
    return {
        "id": export.id,
        "ledger": LEDGERS[export.ledger].title if export.ledger in LEDGERS else export.ledger,
        "file_format": FORMATS.get(export.file_format, export.file_format),
        "status": export.status,
        "total": export.total,
        "done": export.done,
        "percent": 100 if export.status == DONE else (export.done * 100 // export.total if export.total else 0),
        "filename": export.filename,
        "error": export.error,
        "created_at": format_instant(export.created_at),
    }


def request_export(*, actor: Actor, ledger: str, file_format: str, filters: ExportFilters) -> dict:
    """Check what is asked (the ledger, the format, the viewer's scope) and queue it. Returns its record.
    Conflict while the account has another export queued or being written (in any tab, any worker)."""
    errors = {}
    if ledger not in LEDGERS:
        errors["ledger"] = "请选择台账"
    if file_format not in FORMATS:
        errors["file_format"] = "请选择文件格式"
    for name in ("date_from", "date_to"):
        if getattr(filters, name).strip() and sheets.parse_day(getattr(filters, name)) is None:
            errors[name] = "日期格式应为 年-月-日,如 2026-11-01"
    scope = sheets.scoped(actor, filters)  # Forbidden outside the viewer's scope
    if scope.day_from and scope.day_to and scope.day_from > scope.day_to:
        errors["date_to"] = "结束日期不能早于开始日期"
    if errors:
        raise ValidationFailed(errors)
    with session_scope() as session:
        total = sheets.count_rows(session, LEDGERS[ledger], scope)
    with session_scope() as session:
        export_queue.serialise(session)  # two tabs asking at once: the second one sees the first's row
        export_queue.expire_stale(session)
        if export_queue.owner_busy(session, actor.user_id):
            raise Conflict(export_queue.BUSY)
        export = LedgerExport(
            owner_id=actor.user_id,
            ledger=ledger,
            file_format=file_format,
            filters=asdict(filters),
            status=QUEUED,
            total=total,
            created_at=now(),
        )
        session.add(export)
        session.flush()
        detail = f"{FORMATS[file_format]};共{total}行;筛选:{_filters_text(session, scope)}"
        record_audit(session, actor, AUDIT_SECTION, LEDGERS[ledger].title, detail)
        return _record(export)


def _filters_text(session, scope: sheets.Scope) -> str:
    """The checked filters in words, for the audit (a handler's own unit included)."""
    parts = []
    if scope.day_from or scope.day_to:
        parts.append(f"登记日期 {scope.day_from or '…'} 至 {scope.day_to or '…'}")
    for label, unit_id in (("承办单位", scope.unit_id), ("镇街", scope.town_id)):
        if unit_id:
            unit = session.get(Unit, unit_id)
            parts.append(f"{label} {unit.name if unit else unit_id}")
    if scope.status:
        parts.append(f"状态 {scope.status}")
    return "、".join(parts) or "无"


def _reporter(actor_unit_id: int | None, scope: sheets.Scope) -> str:
    """提报单位: the 镇街 or unit the ledger is for, else the exporting unit."""
    with session_scope() as session:
        for unit_id in (scope.town_id, scope.unit_id, actor_unit_id):
            if unit_id and (unit := session.get(Unit, unit_id)):
                return unit.name
    return ""


def _claim(actor: Actor, export_id: int) -> tuple[sheets.Ledger, str, ExportFilters]:
    """启动中 → 生成中 (a slot taken by ``claim_next``); a queued export run directly (the CLI, tests)
    only while a slot is free. Exactly one run claims it."""
    with session_scope() as session:
        export_queue.serialise(session)
        export = session.get(LedgerExport, export_id)
        if export is None or export.owner_id != actor.user_id or export.status not in (QUEUED, STARTING):
            raise NotFound("导出任务不存在或已开始")
        if export.status == QUEUED and export_queue.writing_count(session) >= export_queue.slots():
            raise Conflict(export_queue.WAITING)
        session.exec(update(LedgerExport).where(LedgerExport.id == export_id).values(status=RUNNING))
        return LEDGERS[export.ledger], export.file_format, ExportFilters(**export.filters)


def run_export(*, actor: Actor, export_id: int) -> dict:
    """Write the file of a started (or queued) export in the caller's thread; returns its final record."""
    ledger, file_format, filters = _claim(actor, export_id)
    scope = sheets.scoped(actor, filters)
    key = f"{secrets.token_hex(16)}.{file_format}"
    path = _exports_dir(actor.user_id) / key

    def progress(done: int) -> None:
        with session_scope() as progress_session:
            progress_session.exec(update(LedgerExport).where(LedgerExport.id == export_id).values(done=done))

    write = writers.write_xlsx if file_format == "xlsx" else writers.write_csv
    reporter = _reporter(actor.unit_id, scope)
    try:
        with session_scope() as session:
            rows = sheets.ledger_rows(session, ledger, scope)
            done = write(path, ledger, rows, reporter=reporter, reported=writers.reported_on(), progress=progress)
        values = dict(status=DONE, done=done, total=done, storage_key=key, finished_at=now())
        values["filename"] = f"{ledger.title}_{file_stamp(values['finished_at'])}.{file_format}"
    except Exception as exc:  # noqa: BLE001 - any failure is the export's, recorded for its owner
        path.unlink(missing_ok=True)
        values = dict(status=FAILED, error=f"导出失败:{type(exc).__name__}", finished_at=now())
    with session_scope() as session:
        session.exec(update(LedgerExport).where(LedgerExport.id == export_id).values(**values))
        return _record(session.get(LedgerExport, export_id))


def run_export_for_owner(export_id: int) -> dict:
    """The child process's entry: run the export as its owner, with the owner's role as it is now (a
    switched-off account or a lost role exports nothing)."""
    from portal.models.enums import Role
    from portal.models.tables import User
    from portal.services.accounts.sessions import actor_of
    from portal.services.base.errors import Forbidden

    with session_scope() as session:
        export = session.get(LedgerExport, export_id)
        user = session.get(User, export.owner_id) if export else None
        if user is None or not user.is_active or user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER):
            raise Forbidden("无权导出台账")
        actor = actor_of(user)
    return run_export(actor=actor, export_id=export_id)


def mark_abandoned(*, export_id: int) -> dict | None:
    """An export whose process ended without finishing it (killed, out of memory) is marked 失败."""
    with session_scope() as session:
        session.exec(
            update(LedgerExport)
            .where(LedgerExport.id == export_id, LedgerExport.status.in_(IN_PROGRESS))
            .values(status=FAILED, error="导出进程意外退出,请重试", finished_at=now())
        )
        export = session.get(LedgerExport, export_id)
        return _record(export) if export else None


def export_status(*, actor: Actor, export_id) -> dict:
    """The export's record, with ``ahead``: how many queued exports start before it."""
    with session_scope() as session:
        export = session.get(LedgerExport, parse_id(export_id) or 0)
        if export is None or export.owner_id != actor.user_id:
            raise NotFound("导出任务不存在")
        return {**_record(export), "ahead": export_queue.ahead_of(session, export)}


def my_exports(*, actor: Actor) -> list[dict]:
    """The viewer's exports of the last day, newest first."""
    since = now() - timedelta(hours=KEEP_HOURS)
    with session_scope() as session:
        rows = session.exec(
            select(LedgerExport)
            .where(LedgerExport.owner_id == actor.user_id, LedgerExport.created_at >= since)
            .order_by(LedgerExport.id.desc())
            .limit(20)
        ).all()
        return [_record(export) for export in rows]


def export_for_download(*, actor: Actor, export_id) -> tuple[Path, str]:
    """(path, filename) of a finished export of the viewer's own; NotFound for anyone else's."""
    with session_scope() as session:
        export = session.get(LedgerExport, parse_id(export_id) or 0)
        fresh = export is not None and export.created_at >= now() - timedelta(hours=KEEP_HOURS)
        if not fresh or export.owner_id != actor.user_id or export.status != DONE:
            raise NotFound("文件不存在或已过期")
        path = _exports_dir(export.owner_id) / export.storage_key
        if not path.exists():
            raise NotFound("文件不存在或已过期")
        return path, export.filename


def purge_exports(*, older_than_hours: int = KEEP_HOURS) -> int:
    """Remove exports (files and rows) older than a day; a scheduler job."""
    cutoff = now() - timedelta(hours=older_than_hours)
    with session_scope() as session:
        old = session.exec(select(LedgerExport).where(LedgerExport.created_at < cutoff)).all()
        for export in old:
            if export.storage_key:
                (_exports_dir(export.owner_id) / export.storage_key).unlink(missing_ok=True)
            session.delete(export)
        return len(old)
