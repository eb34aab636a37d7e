"""导出台账 on /staff/reports: choose a ledger, period, unit, 镇街 and status; the file is written by a
child process (forked by ``services/ledgers/export_runner``) while the page shows its progress, then downloaded from
/api/exports/{id} (only by the person who asked). Dispatchers and leaders export everything; a handler
its own unit's. One export at a time per account and a global cap on children (``export_queue``): the
request waits as 排队 until a page's poll starts it."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal import routes
from portal.models.enums import Role
from portal.models.records.common import UnitOption
from portal.services.base.errors import ServiceError
from portal.services.demands import form_options
from portal.services.ledgers import export_queue, export_runner
from portal.services.ledgers import exports as ledger_exports
from portal.services.ledgers.sheets import ExportFilters
from portal.state.base import PageState, text_of

EXPORT_ROLES = (Role.DISPATCHER, Role.LEADER, Role.HANDLER)
POLL_SECONDS = 0.5
_WATCHERS: set[asyncio.Task] = set()  # held so that they are not collected while they wait


def _keep(task: asyncio.Task) -> None:
    _WATCHERS.add(task)
    task.add_done_callback(_WATCHERS.discard)


async def _watch(child, export_id: int) -> None:
    """When the child ends, an export it left unfinished (killed, out of memory) is marked 失败."""
    await asyncio.to_thread(child.join)
    await asyncio.to_thread(ledger_exports.mark_abandoned, export_id=export_id)


async def start_claimed_exports() -> None:
    """Start a child for every export that may run now: the oldest queued, whoever's, within the
    global cap (``export_queue``). Called by every waiting page's poll and by the page's load."""
    for export_id in await asyncio.to_thread(export_queue.claim_next):
        # A child process, not a thread: a 30-second .xlsx would hold the GIL the event loop needs.
        try:
            child = await asyncio.to_thread(export_runner.start, export_id)
        except OSError:  # no process to be had: the export fails rather than holding its slot
            await asyncio.to_thread(ledger_exports.mark_abandoned, export_id=export_id)
            continue
        _keep(asyncio.create_task(_watch(child, export_id)))


def _progress(status: dict) -> str:
    if status["status"] == export_queue.QUEUED:
        return f"排队中:前面还有{status['ahead']}个导出" if status["ahead"] else "排队中:即将开始"
    if status["status"] == export_queue.STARTING:
        return "正在启动……"
    return f"正在生成:{status['done']} / {status['total']}行"


class LedgerExportState(PageState):
    exports: list[dict[str, str | int]] = []  # the viewer's exports of the last day
    units: list[UnitOption] = []
    towns: list[UnitOption] = []
    running: bool = False
    percent: int = 0
    progress_label: str = ""

    @rx.event
    async def load(self):
        """on_load: the choices and the viewer's recent exports (and start any export waiting for a slot)."""
        actor = self._actor_with_role(*EXPORT_ROLES)
        self.running, self.percent, self.progress_label, self.errors = False, 0, "", {}
        if actor is None:
            self.exports, self.units, self.towns = [], [], []
            return
        self.units = form_options.form_options()["units"]
        self.towns = form_options.town_options()
        self.exports = ledger_exports.my_exports(actor=actor)
        _keep(asyncio.create_task(asyncio.to_thread(export_runner.warm)))  # the fork server, in the background
        await start_claimed_exports()

    def _still_mine(self, owner_id: int) -> bool:
        """Whether this tab's session is still the export's owner (not logged out, nobody else in)."""
        actor = self._actor()
        return actor is not None and actor.user_id == owner_id

    @rx.event(background=True)
    async def export(self, form: dict):
        """导出: queue the export; the page's poll starts it when a slot is free, shows its progress, then
        downloads it. Once the tab has logged out (or someone else logged in) it touches nothing."""
        async with self:
            actor = self._actor_with_role(*EXPORT_ROLES)
            if actor is None:
                return rx.toast.error("无权执行此操作")
            if self.running:
                return rx.toast.info("上一个导出尚未完成")
            self.running = True
        filters = ExportFilters(**{name: text_of(form, name) for name in ExportFilters.__dataclass_fields__})
        try:  # in a thread: counting the rows and waiting for the export lock are not the event loop's
            record = await asyncio.to_thread(
                ledger_exports.request_export,
                actor=actor,
                ledger=text_of(form, "ledger"),
                file_format=text_of(form, "file_format"),
                filters=filters,
            )
        except ServiceError as exc:
            async with self:
                if not self._still_mine(actor.user_id):
                    return None
                self.running = False
                return self._fail(exc)
        async with self:
            if not self._still_mine(actor.user_id):
                return None
            self.errors, self.percent, self.progress_label = {}, 0, f"正在准备:共{record['total']}行"
        while True:
            await start_claimed_exports()
            status = await asyncio.to_thread(ledger_exports.export_status, actor=actor, export_id=record["id"])
            if status["status"] in (ledger_exports.DONE, ledger_exports.FAILED):
                break
            async with self:
                if not self._still_mine(actor.user_id):
                    return None
                self.percent, self.progress_label = status["percent"], _progress(status)
            await asyncio.sleep(POLL_SECONDS)
        mine = await asyncio.to_thread(ledger_exports.my_exports, actor=actor)
        async with self:
            if not self._still_mine(actor.user_id):
                return None
            self.running, self.percent, self.exports = False, status["percent"], mine
            if status["status"] != ledger_exports.DONE:
                self.progress_label = status["error"] or "导出失败"
                return rx.toast.error(self.progress_label)
            self.progress_label = f"已完成:{status['done']}行"
            return rx.download(url=f"{routes.EXPORTS_API}/{status['id']}", filename=status["filename"])
