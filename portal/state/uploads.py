"""Files chosen in a form before it is submitted: checked and parked privately at once (DESIGN §8)."""

from __future__ import annotations

import reflex as rx

from portal.services.accounts.actor import Actor
from portal.services.base.errors import ValidationFailed
from portal.services.demands.attachments import MAX_FILE_BYTES, UploadedFile, drop_staged, read_staged, stage
from portal.state.base import NOT_ALLOWED

MAX_STAGED = 5  # per form; the per-user cap across all tabs lives in the service


class StagedUploadsMixin(rx.State, mixin=True):
    """The staged files of one form. A mixin, so every form state gets lists of its own; the tokens
    naming the parked files stay in a backend-only var."""

    staged_names: list[str] = []
    _staged_tokens: list[str] = []
    _staged_owner: int = 0  # the user the staged files belong to (they are stored under that user)

    def _uploader_roles(self) -> tuple[str, ...]:
        """Who may stage files on this page."""
        raise NotImplementedError

    async def _stage_uploads(self, owner_id: int, uploads: list[rx.UploadFile]):
        if self._staged_owner != owner_id:
            self._clear_staged()  # another user's leftovers (should not happen: logout resets states)
            self._staged_owner = owner_id
        for upload in uploads:
            if len(self._staged_tokens) >= MAX_STAGED:
                self.errors = {"files": f"附件最多{MAX_STAGED}个"}
                return
            # Read one byte past the limit at most: an oversized file is refused without loading it all.
            data = await upload.read(MAX_FILE_BYTES + 1)
            try:
                token, name = stage(upload.name or upload.filename or "附件", data, owner_id=owner_id)
            except ValidationFailed as exc:
                self.errors = exc.errors
                return
            self._staged_tokens = [*self._staged_tokens, token]
            self.staged_names = [*self.staged_names, name]
        self.errors = {k: v for k, v in self.errors.items() if k != "files"}

    def _take_staged(self, actor: Actor) -> list[UploadedFile]:
        """The staged files' bytes, only for the user who staged them."""
        if self._staged_tokens and self._staged_owner != actor.user_id:
            raise ValidationFailed({"files": "待提交的附件已失效,请重新选择"})
        return [
            UploadedFile(name, read_staged(token, owner_id=actor.user_id))
            for token, name in zip(self._staged_tokens, self.staged_names, strict=True)
        ]

    def _clear_staged(self) -> None:
        if self._staged_owner:
            drop_staged(self._staged_tokens, owner_id=self._staged_owner)
        self._staged_tokens = []
        self.staged_names = []

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Files chosen or dropped: check and park them."""
        actor = self._actor_with_role(*self._uploader_roles())
        if actor is None:
            return rx.toast.error(NOT_ALLOWED)
        if not isinstance(files, list) or not all(isinstance(f, rx.UploadFile) for f in files):
            return rx.toast.error("上传的内容不是文件")  # a raw socket event, not the upload endpoint
        await self._stage_uploads(actor.user_id, files)
        return None

    @rx.event
    def remove_staged(self, index: int):
        """移除 one staged file."""
        if not isinstance(index, int) or not 0 <= index < len(self._staged_tokens):
            return
        drop_staged([self._staged_tokens[index]], owner_id=self._staged_owner)
        self._staged_tokens = self._staged_tokens[:index] + self._staged_tokens[index + 1 :]
        self.staged_names = self.staged_names[:index] + self.staged_names[index + 1 :]
