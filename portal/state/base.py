"""Helpers shared by the page states: running a service call and turning its errors into messages."""

from __future__ import annotations

import reflex as rx

from portal.services.attachments import MAX_FILE_BYTES, drop_staged, read_staged, stage
from portal.services.demands import UploadedFile
from portal.services.errors import ServiceError, ValidationFailed
from portal.state.auth import AuthState

MAX_STAGED = 5


def text_of(form, key: str) -> str:
    value = form.get(key, "") if isinstance(form, dict) else ""
    return value if isinstance(value, str) else ""


class PageState(AuthState):
    """A page with a form: field errors, and a list of files staged for the next submit."""

    errors: dict[str, str] = {}
    staged_names: list[str] = []
    _staged_tokens: list[str] = []

    def _fail(self, exc: ServiceError):
        if isinstance(exc, ValidationFailed):
            self.errors = exc.errors
            return rx.toast.error(exc.message)
        self.errors = {}
        return rx.toast.error(exc.message)

    async def _stage_uploads(self, uploads: list[rx.UploadFile]):
        for upload in uploads:
            if len(self._staged_tokens) >= MAX_STAGED:
                self.errors = {"files": f"附件最多{MAX_STAGED}个"}
                return
            # Read one byte past the limit at most: an oversized file is refused without loading it all.
            data = await upload.read(MAX_FILE_BYTES + 1)
            try:
                token, name = stage(upload.name or upload.filename or "附件", data)
            except ValidationFailed as exc:
                self.errors = exc.errors
                return
            self._staged_tokens = [*self._staged_tokens, token]
            self.staged_names = [*self.staged_names, name]
        self.errors = {k: v for k, v in self.errors.items() if k != "files"}

    def _take_staged(self) -> list[UploadedFile]:
        return [UploadedFile(name, read_staged(token)) for token, name in zip(self._staged_tokens, self.staged_names)]

    def _clear_staged(self) -> None:
        drop_staged(self._staged_tokens)
        self._staged_tokens = []
        self.staged_names = []

    @rx.event
    def remove_staged(self, index: int):
        if not isinstance(index, int) or not 0 <= index < len(self._staged_tokens):
            return
        drop_staged([self._staged_tokens[index]])
        self._staged_tokens = self._staged_tokens[:index] + self._staged_tokens[index + 1:]
        self.staged_names = self.staged_names[:index] + self.staged_names[index + 1:]
