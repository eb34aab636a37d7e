"""/staff/policies: 政策管理 for the 推进中心 and admins."""

from __future__ import annotations

from dataclasses import asdict, fields

import reflex as rx

from portal.core.ids import parse_id
from portal.models.enums import Role
from portal.models.records.policies import PolicyAdminRow
from portal.services.accounts.actor import Actor
from portal.services.base.errors import ServiceError
from portal.services.policies import editing as policy_admin
from portal.state.base import PageState, text_of
from portal.state.uploads import StagedUploadsMixin

EDITORS = (Role.DISPATCHER, Role.ADMIN)


class PolicyAdminState(StagedUploadsMixin, PageState):
    items: list[PolicyAdminRow] = []
    form: dict[str, str] = {}
    editing_id: int = 0
    form_version: int = 0  # remounts the form when another policy is opened
    loaded: bool = False

    def _uploader_roles(self) -> tuple[str, ...]:
        return EDITORS  # the policy's original documents

    def _reload(self, actor: Actor) -> None:
        self.items = policy_admin.list_policies(actor=actor)
        self.loaded = True

    @rx.event
    def load(self):
        """on_load: every policy, newest change first; an empty form."""
        actor = self._actor_with_role(*EDITORS)
        self.form, self.editing_id, self.errors = {}, 0, {}
        if actor is None:
            self.items, self.loaded = [], True
            return
        self._reload(actor)

    @rx.event
    def edit(self, policy_id: int):
        """编辑: the policy's fields into the form."""
        actor = self._actor_with_role(*EDITORS)
        if actor is None:
            return None
        try:
            form = policy_admin.policy_form(actor=actor, policy_id=parse_id(policy_id) or -1)
        except ServiceError as exc:
            return self._fail(exc)
        self.form, self.editing_id, self.errors = asdict(form), parse_id(policy_id) or 0, {}
        self.form_version += 1
        return None

    @rx.event
    def new(self):
        """新建政策: an empty form."""
        self.form, self.editing_id, self.errors = {}, 0, {}
        self.form_version += 1

    @rx.event
    def save(self, form: dict):
        """保存 (a new policy starts as 草稿)."""
        values = policy_admin.PolicyForm(**{f.name: text_of(form, f.name) for f in fields(policy_admin.PolicyForm)})
        editing = self.editing_id or None

        def call(actor: Actor) -> None:
            self.editing_id = policy_admin.save_policy(
                actor=actor, policy_id=editing, form=values, files_in=self._take_staged(actor)
            )
            self.form = asdict(values)
            self._clear_staged()

        return self._act(call, "已保存", *EDITORS, after=self._reload)

    @rx.event
    def publish(self, policy_id: int):
        """发布: public at once; matching enterprises are told."""
        return self._act(
            lambda a: policy_admin.publish(actor=a, policy_id=parse_id(policy_id) or -1),
            "已发布",
            *EDITORS,
            after=self._reload,
        )

    @rx.event
    def withdraw(self, policy_id: int):
        """撤回 to 草稿."""
        return self._act(
            lambda a: policy_admin.withdraw(actor=a, policy_id=parse_id(policy_id) or -1),
            "已撤回",
            *EDITORS,
            after=self._reload,
        )
