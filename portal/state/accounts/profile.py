"""/my/profile: the enterprise's own record."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.models.records.accounts import ProfileField
from portal.services.accounts.enterprise_accounts import enterprise_profile
from portal.state.base import PageState


class ProfileState(PageState):
    profile: list[ProfileField] = []

    @rx.event
    def load(self):
        """on_load: label/value pairs of the profile."""
        actor = self._actor_with_role(Role.ENTERPRISE)
        self.profile = (
            [ProfileField(label=k, value=v) for k, v in enterprise_profile(actor=actor).items()] if actor else []
        )
