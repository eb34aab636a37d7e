"""我关注的诉求 on /my/demands (issue #26): the demands the enterprise follows, public fields only, and 取消关注."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.models.records.similar import FollowedDemand
from portal.services.classes import follows
from portal.state.base import PageState


class FollowedDemandsState(PageState):
    followed: list[FollowedDemand] = []
    followed_loaded: bool = False

    def _refresh(self, actor) -> None:
        self.followed = follows.followed_demands(actor=actor)

    @rx.event
    def load(self):
        """on_load of /my/demands."""
        actor = self._actor_with_role(Role.ENTERPRISE)
        self.followed = follows.followed_demands(actor=actor) if actor else []
        self.followed_loaded = True

    @rx.event
    def unfollow(self, follow_id: int):
        """取消关注 (the service checks the follow is this enterprise's)."""
        return self._act(
            lambda actor: follows.unfollow(actor=actor, follow_id=follow_id),
            "已取消关注",
            Role.ENTERPRISE,
            after=self._refresh,
        )
