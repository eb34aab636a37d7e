"""类似诉求 while a demand is written (issue #26): a mixin, so the enterprise's form (/my/demands/new) and
代企业登记诉求 (/staff/intake) each get their own panel. What the person has typed so far is kept server-side
as the fields are left; the lookup runs in a thread (off the event loop) and never blocks the form. The
suggested demands' ids stay in a backend var: 关注 names a suggestion by its position, never by an id
the client could choose."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal.core.ids import parse_bounded_int
from portal.models.enums import Role
from portal.models.records.similar import SimilarDemand
from portal.services.base.errors import ServiceError
from portal.services.classes import follows, suggestions
from portal.state.base import NOT_ALLOWED

TYPED_FIELDS = {"topic_id": 20, "title": 50, "content": 2000}


class SimilarDemandsMixin(rx.State, mixin=True):
    similar: list[SimilarDemand] = []
    _similar_ids: list[int] = []
    _typed: dict[str, str] = {}

    def _similar_roles(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _similar_enterprise(self) -> int | None:
        """Staff: the enterprise being registered for (its 镇街 ranks first)."""
        return None

    def _clear_similar(self) -> None:
        self.similar, self._similar_ids, self._typed = [], [], {}

    @rx.event
    async def note_typed(self, field: str, value: str):
        """诉求事项 chosen, 标题 or 诉求内容 written: look up 类似诉求 again if the text changed."""
        if field not in TYPED_FIELDS or not isinstance(value, str):
            return
        actor = self._actor_with_role(*self._similar_roles())
        if actor is None:
            return
        typed = {**self._typed, field: value[: TYPED_FIELDS[field]]}
        if typed == self._typed:
            return
        self._typed = typed
        found = await asyncio.to_thread(
            suggestions.similar_demands,
            actor=actor,
            topic_id=typed.get("topic_id", ""),
            title=typed.get("title", ""),
            content=typed.get("content", ""),
            enterprise_id=self._similar_enterprise(),
        )
        if not found.throttled:
            self.similar, self._similar_ids = found.records, found.demand_ids

    @rx.event
    def follow_similar(self, key: str):
        """关注 the suggestion at position ``key`` instead of submitting (enterprises only)."""
        actor = self._actor_with_role(Role.ENTERPRISE)
        if actor is None:
            return rx.toast.error(NOT_ALLOWED)
        position = parse_bounded_int(key, low=0, high=len(self._similar_ids) - 1)
        if position is None:
            return rx.toast.error(follows.NOT_FOLLOWABLE)
        try:
            follows.follow_demand(actor=actor, demand_id=self._similar_ids[position])
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.similar = [{**r, "followed": True} if r["key"] == str(position) else r for r in self.similar]
        return rx.toast.success("已关注:该诉求有新进展时您会收到站内消息,可在“我的诉求”页查看")
