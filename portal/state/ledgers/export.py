"""导出台账 on /staff/reports: choose a ledger, period, unit, 镇街 and status; the file is written by a
child process (``portal.cli run-export``) while the page shows its progress, then downloaded from
/api/exports/{id} (only by the person who asked). Dispatchers and leaders export everything; a handler
its own unit's."""

from __future__ import annotations

import asyncio
import sys
from asyncio.subprocess import DEVNULL

import reflex as rx

from portal import routes
from portal.models.enums import Role
from portal.models.records.common import UnitOption
from portal.services.base.errors import ServiceError
from portal.services.demands import form_options
from portal.services.ledgers import exports as ledger_exports
from portal.services.ledgers.sheets import ExportFilters
from portal.state.base import PageState, text_of

EXPORT_ROLES = (Role.DISPATCHER, Role.LEADER, Role.HANDLER)
POLL_SECONDS = 0.5


class LedgerExportState(PageState):
    exports: list[dict[str, str | int]] = []  # the viewer's exports of the last day
    units: list[UnitOption] = []
    towns: list[UnitOption] = []
    running: bool = False
    percent: int = 0
    progress_label: str = ""

    @rx.event
    def load(self):
        """on_load: the choices and the viewer's recent exports."""
        actor = self._actor_with_role(*EXPORT_ROLES)
        self.running, self.percent, self.progress_label, self.errors = False, 0, "", {}
        if actor is None:
            self.exports, self.units, self.towns = [], [], []
            return
        self.units = form_options.form_options()["units"]
        self.towns = form_options.town_options()
        self.exports = ledger_exports.my_exports(actor=actor)

    @rx.event(background=True)
    async def export(self, form: dict):
        """导出: queue the export, write it in a child process, show its progress, then download it."""
        async with self:
            actor = self._actor_with_role(*EXPORT_ROLES)
            if actor is None:
                return rx.toast.error("无权执行此操作")
            if self.running:
                return rx.toast.info("上一个导出尚未完成")
            filters = ExportFilters(**{name: text_of(form, name) for name in ExportFilters.__dataclass_fields__})
            try:
                record = ledger_exports.request_export(
                    actor=actor,
                    ledger=text_of(form, "ledger"),
                    file_format=text_of(form, "file_format"),
                    filters=filters,
                )
            except ServiceError as exc:
                return self._fail(exc)
            self.errors, self.running, self.percent = {}, True, 0
            self.progress_label = f"正在生成:共{record['total']}行"
        # A child process, not a thread: a 30-second .xlsx would hold the GIL the event loop needs.
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "portal.cli", "run-export", str(record["id"]), stdout=DEVNULL, stderr=DEVNULL
        )
        while child.returncode is None:
            try:
                await asyncio.wait_for(child.wait(), timeout=POLL_SECONDS)
            except TimeoutError:
                pass
            status = await asyncio.to_thread(ledger_exports.export_status, actor=actor, export_id=record["id"])
            async with self:
                self.percent = status["percent"]
                self.progress_label = f"正在生成:{status['done']} / {status['total']}行"
        finished = await asyncio.to_thread(ledger_exports.export_status, actor=actor, export_id=record["id"])
        if finished["status"] not in (ledger_exports.DONE, ledger_exports.FAILED):
            finished = await asyncio.to_thread(ledger_exports.mark_abandoned, export_id=record["id"])
        async with self:
            self.running, self.percent = False, finished["percent"]
            self.exports = ledger_exports.my_exports(actor=actor)
            if finished["status"] != ledger_exports.DONE:
                self.progress_label = finished["error"] or "导出失败"
                return rx.toast.error(self.progress_label)
            self.progress_label = f"已完成:{finished['done']}行"
            return rx.download(url=f"{routes.EXPORTS_API}/{finished['id']}", filename=finished["filename"])
