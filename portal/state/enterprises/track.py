"""/track · 进度查询: public, no account. The client's address (as Reflex derived it server-side) is what the
lookups are counted by; a wrong pair shows 未找到 and nothing else."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal.models.records.enterprises import TrackResult
from portal.services.base.errors import ServiceError, ValidationFailed
from portal.services.enterprises import tracking
from portal.state.base import PageState, text_of


class TrackState(PageState):
    result: TrackResult = {}
    message: str = ""
    busy: bool = False

    @rx.event
    def load(self):
        """on_load: an empty form."""
        self.result, self.message, self.errors, self.busy = {}, "", {}, False

    @rx.event
    async def lookup(self, form: dict):
        """查询."""
        code, tail = text_of(form, "code"), text_of(form, "phone_tail")
        self.result, self.message, self.busy = {}, "", True
        yield
        try:
            found = await asyncio.to_thread(
                tracking.track_demand, code=code, phone_tail=tail, client_address=self._client_address()
            )
        except ValidationFailed as exc:
            self.errors, self.busy = exc.errors, False
            return
        except ServiceError as exc:
            self.errors, self.message, self.busy = {}, exc.message, False
            return
        self.errors, self.result, self.busy = {}, found, False
