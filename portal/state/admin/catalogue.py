"""/admin 派单目录: topics with their routing and keywords, versioned (admins only)."""

from __future__ import annotations

import reflex as rx

from portal.core.ids import parse_id
from portal.models.enums import Role, UnitKind
from portal.models.records.admin import CatalogueChangeRow, CatalogueTopicRow
from portal.models.records.common import UnitOption
from portal.services.accounts.actor import Actor
from portal.services.admin import catalogue
from portal.services.demands import form_options
from portal.state.base import PageState, checked, text_of

# The form's field names (and so their element ids) are prefixed: /admin has other forms with a name field.
PREFIX = "topic_"


class CatalogueAdminState(PageState):
    topics: list[CatalogueTopicRow] = []
    units: list[UnitOption] = []  # the units a topic may route to
    version: int = 0
    form: dict[str, str] = {}
    form_co: list[str] = []  # the co-units ticked in the form
    editing_id: int = 0
    form_version: int = 0
    history: list[CatalogueChangeRow] = []
    history_topic: str = ""

    def _reload(self, actor: Actor) -> None:
        self.topics = catalogue.list_catalogue(actor=actor)
        self.version = catalogue.catalogue_version(actor=actor)

    @rx.event
    def load(self):
        """on_load of /admin: the catalogue and an empty form."""
        actor = self._actor_with_role(Role.ADMIN)
        self.form, self.form_co, self.editing_id, self.errors, self.history, self.history_topic = {}, [], 0, {}, [], ""
        if actor is None:
            self.topics, self.units = [], []
            return
        self._reload(actor)
        self.units = [u for u in form_options.unit_options() if u["kind"] != UnitKind.CENTER]

    @rx.event
    def edit(self, topic_id: int):
        """编辑: the topic's fields into the form."""
        row = next((t for t in self.topics if t["id"] == parse_id(topic_id)), None)
        if row is None:
            return
        self.form = {
            PREFIX + "name": row["name"],
            PREFIX + "topic_class": row["topic_class"],
            PREFIX + "lead_unit_id": row["lead_id"],
            PREFIX + "level": row["level"],
            PREFIX + "keywords": row["keywords"],
            PREFIX + "active": "on" if row["active"] else "",
        }
        self.form_co = [i for i in row["co_ids"].split(",") if i]
        self.editing_id, self.errors = row["id"], {}
        self.form_version += 1

    @rx.event
    def new(self):
        """新建事项."""
        self.form, self.form_co, self.editing_id, self.errors = {PREFIX + "active": "on"}, [], 0, {}
        self.form_version += 1

    @rx.event
    def save(self, form: dict):
        """保存事项: one new catalogue version."""
        co = [key[len(PREFIX) + 3 :] for key in form if str(key).startswith(PREFIX + "co_") and checked(form, key)]
        values = catalogue.TopicForm(
            name=text_of(form, PREFIX + "name"),
            topic_class=text_of(form, PREFIX + "topic_class"),
            lead_unit_id=text_of(form, PREFIX + "lead_unit_id"),
            co_unit_ids=tuple(co) if isinstance(form, dict) else (),
            level=text_of(form, PREFIX + "level"),
            keywords=text_of(form, PREFIX + "keywords"),
            active=checked(form, PREFIX + "active"),
        )
        editing = self.editing_id or None

        def call(actor: Actor) -> None:
            self.editing_id = catalogue.save_topic(actor=actor, topic_id=editing, form=values)

        result = self._act(call, "派单目录已保存", Role.ADMIN, after=self._reload)
        if not self.errors:
            self.form = {PREFIX + k: text_of(form, PREFIX + k) for k in ("name", "topic_class", "lead_unit_id")}
            self.form |= {PREFIX + "level": values.level, PREFIX + "keywords": values.keywords}
            self.form[PREFIX + "active"] = "on" if values.active else ""
            self.form_co = list(co)
        self.errors = {PREFIX + key: message for key, message in self.errors.items()}
        return result

    @rx.event
    def show_history(self, topic_id: int):
        """历史: who changed the topic, when, old → new."""
        row = next((t for t in self.topics if t["id"] == parse_id(topic_id)), None)

        actor = self._actor_with_role(Role.ADMIN)
        if actor is None or row is None:
            return
        self.history = catalogue.topic_history(actor=actor, topic_id=row["id"])
        self.history_topic = row["name"]
