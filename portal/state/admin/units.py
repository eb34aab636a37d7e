"""/admin 部门: the unit tree (admins only)."""

from __future__ import annotations

from dataclasses import fields

import reflex as rx

from portal.core.ids import parse_id
from portal.models.enums import Role
from portal.models.records.admin import UnitAdminRow
from portal.services.accounts.actor import Actor
from portal.services.admin import units as units_admin
from portal.state.base import PageState, text_of

# The form's field names (and so their element ids) are prefixed: the /admin page has other forms with
# fields called name and kind.
PREFIX = "unit_"


class UnitsAdminState(PageState):
    units: list[UnitAdminRow] = []
    form: dict[str, str] = {}
    editing_id: int = 0
    form_version: int = 0

    @rx.var
    def parent_options(self) -> list[dict[str, str]]:
        return [
            {"id": str(u["id"]), "name": "—" * u["depth"] + u["name"]} for u in self.units if u["id"] != self.editing_id
        ]

    def _reload(self, actor: Actor) -> None:
        self.units = units_admin.list_units(actor=actor)

    @rx.event
    def load(self):
        """on_load of /admin: the tree and an empty form."""
        actor = self._actor_with_role(Role.ADMIN)
        self.form, self.editing_id, self.errors = {}, 0, {}
        self.units = units_admin.list_units(actor=actor) if actor else []

    @rx.event
    def edit(self, unit_id: int):
        """编辑: the unit's fields into the form."""
        row = next((u for u in self.units if u["id"] == parse_id(unit_id)), None)
        if row is None:
            return
        self.form = {
            PREFIX + k: str(row[k]) for k in ("name", "code", "kind", "parent_id", "contact_name", "contact_phone")
        }
        self.editing_id, self.errors = row["id"], {}
        self.form_version += 1

    @rx.event
    def new(self):
        """新建单位."""
        self.form, self.editing_id, self.errors = {}, 0, {}
        self.form_version += 1

    @rx.event
    def save(self, form: dict):
        """保存单位."""
        values = units_admin.UnitForm(**{f.name: text_of(form, PREFIX + f.name) for f in fields(units_admin.UnitForm)})
        editing = self.editing_id or None

        def call(actor: Actor) -> None:
            self.editing_id = units_admin.save_unit(actor=actor, unit_id=editing, form=values)
            self.form = {PREFIX + f.name: getattr(values, f.name) for f in fields(values)}

        result = self._act(call, "单位已保存", Role.ADMIN, after=self._reload)
        self.errors = {PREFIX + key: message for key, message in self.errors.items()}
        return result

    @rx.event
    def set_active(self, unit_id: int, active: bool):
        """停用 / 启用."""
        return self._act(
            lambda a: units_admin.set_unit_active(actor=a, unit_id=parse_id(unit_id) or -1, active=active is True),
            "已启用" if active is True else "已停用(不再出现在派单选项中)",
            Role.ADMIN,
            after=self._reload,
        )

    @rx.event
    def delete(self, unit_id: int):
        """删除 a unit nothing refers to."""
        return self._act(
            lambda a: units_admin.delete_unit(actor=a, unit_id=parse_id(unit_id) or -1),
            "单位已删除",
            Role.ADMIN,
            after=self._reload,
        )
