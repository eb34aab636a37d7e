"""导入台账 on /staff/reports (the 推进中心): choose a filled 问题台账, see every row and its errors, then
import it all or not at all. Reading the workbook runs in a thread (async handlers): the event loop
answers every other tab meanwhile (issue #20)."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal.models.enums import Role
from portal.models.records.ledgers import ImportPreviewRow
from portal.services.base.errors import ServiceError
from portal.services.ledgers import imports
from portal.state.base import PageState, text_of
from portal.state.uploads import StagedUploadsMixin


class LedgerImportState(StagedUploadsMixin, PageState):
    preview_rows: list[ImportPreviewRow] = []
    file_errors: list[str] = []
    previewed: bool = False
    importable: bool = False

    def _uploader_roles(self) -> tuple[str, ...]:
        return (Role.DISPATCHER,)

    @rx.event
    def load(self):
        """on_load: nothing chosen, nothing previewed."""
        self._clear_staged()
        self.preview_rows, self.file_errors, self.previewed, self.importable, self.errors = [], [], False, False, {}

    def _latest_file(self):
        actor = self._actor_with_role(Role.DISPATCHER)
        if actor is None:
            return None, None
        files = self._take_staged(actor)
        return actor, (files[-1] if files else None)

    @rx.event
    async def preview(self):
        """预览: every row of the chosen file with what is wrong in it; nothing is written."""
        try:
            actor, upload = self._latest_file()
        except ServiceError as exc:
            return self._fail(exc)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        if upload is None:
            return rx.toast.error("请先选择填好的问题台账(.xlsx)")
        result = await asyncio.to_thread(
            imports.preview_import, actor=actor, content=upload.data, filename=upload.filename
        )
        self.file_errors = result.errors
        self.preview_rows = [
            ImportPreviewRow(
                row=r.row,
                enterprise=r.enterprise,
                description=r.description[:60],
                unit=r.unit,
                outcome="；".join(r.errors) if r.errors else ("已导入过,跳过" if r.duplicate else "可导入"),
                ok=not r.errors,
            )
            for r in result.rows
        ]
        self.previewed, self.importable = True, result.ok
        return None

    @rx.event
    async def confirm(self, form: dict):
        """确认导入: all rows of an error-free file, in one go."""
        try:
            actor, upload = self._latest_file()
            if actor is None or upload is None:
                return rx.toast.error("请先选择并预览问题台账")
            created, skipped = await asyncio.to_thread(
                imports.import_ledger,
                actor=actor,
                content=upload.data,
                filename=upload.filename,
                channel=text_of(form, "channel"),
            )
        except ServiceError as exc:
            return self._fail(exc)
        self._clear_staged()
        self.preview_rows, self.file_errors, self.previewed, self.importable = [], [], False, False
        return rx.toast.success(f"已导入{created}条诉求" + (f",跳过已导入过的{skipped}条" if skipped else ""))
