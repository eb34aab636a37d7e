"""/admin/api-keys 接口密钥: the keys of the systems using the Open311-style API (admins only). A new key is
held in ``new_key`` only until the admin closes the notice or leaves the page: it is shown this once."""

from __future__ import annotations

import json

import reflex as rx

from portal.core.ids import parse_id
from portal.models.enums import Role
from portal.models.records.common import UnitOption
from portal.models.records.open311 import ApiKeyRow
from portal.services.accounts.actor import Actor
from portal.services.demands import form_options
from portal.services.open311 import keys as api_keys
from portal.state.base import PageState, text_of


def _focus(element_id: str) -> rx.event.EventSpec:
    """Move the keyboard focus (and the view) to an element once it is on the page: the key just made
    sits at the top, far above the 生成密钥 button on a phone; when it is closed the focus would fall
    to the page's start."""
    return rx.call_script(
        f"(function f(n){{const e=document.getElementById({json.dumps(element_id)});"
        "if(e){e.scrollIntoView({block:'center'});e.focus({preventScroll:true});}"
        "else if(n>0){setTimeout(()=>f(n-1),50);}})(40)"
    )


class ApiKeysState(PageState):
    keys: list[ApiKeyRow] = []
    towns: list[UnitOption] = []
    topics: list[UnitOption] = []
    town_ids: list[str] = []  # 镇街 ticked for the new key
    topic_ids: list[str] = []  # 诉求事项 ticked
    new_key: str = ""  # the key just made, shown once
    new_key_name: str = ""
    form_version: int = 0
    loaded: bool = False

    def _reload(self, actor: Actor) -> None:
        self.keys = api_keys.list_keys(actor=actor)

    @rx.event
    def load(self):
        """on_load: the keys and the choices; nothing of a key made before."""
        self.new_key, self.new_key_name, self.town_ids, self.topic_ids, self.errors = "", "", [], [], {}
        self.loaded = False
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            self.keys, self.towns, self.topics = [], [], []
            return
        self._reload(actor)
        self.towns = form_options.town_options()
        options = form_options.form_options()["topics"]
        self.topics = [UnitOption(id=t["id"], name=t["name"], kind=t["topic_class"]) for t in options]
        self.loaded = True

    def _toggle(self, chosen: list[str], options: list[UnitOption], item_id, ticked) -> list[str]:
        if not isinstance(item_id, str) or all(o["id"] != item_id for o in options):
            return chosen
        rest = [i for i in chosen if i != item_id]
        return [*rest, item_id] if ticked is True else rest

    @rx.event
    def toggle_town(self, unit_id: str, ticked: bool):
        self.town_ids = self._toggle(self.town_ids, self.towns, unit_id, ticked)

    @rx.event
    def toggle_topic(self, topic_id: str, ticked: bool):
        self.topic_ids = self._toggle(self.topic_ids, self.topics, topic_id, ticked)

    @rx.event
    def create(self, form: dict):
        """新建密钥: the key is shown once, above the list."""
        values = api_keys.KeyForm(
            name=text_of(form, "key_name"),
            rate_per_minute=text_of(form, "rate_per_minute"),
            town_unit_ids=list(self.town_ids),
            topic_ids=list(self.topic_ids),
        )

        def call(actor: Actor) -> None:
            _, self.new_key = api_keys.create_key(actor=actor, form=values)
            self.new_key_name = values.name.strip()
            made.append(True)

        made: list[bool] = []
        result = self._act(call, "密钥已生成,请立即复制保存", Role.ADMIN, after=self._reload)
        self.errors = {("key_name" if k == "name" else k): v for k, v in self.errors.items()}
        if not made:
            return result
        self.town_ids, self.topic_ids = [], []
        self.form_version += 1
        return [result, _focus("copy-api-key")]

    @rx.event
    def dismiss_key(self):
        """我已保存: the key leaves the page for good."""
        self.new_key, self.new_key_name = "", ""
        return _focus("f-key_name")

    @rx.event
    def key_copied(self, copied):
        """复制密钥 answered by the browser: say whether the key is on the clipboard."""
        if copied is True:
            return rx.toast.success("密钥已复制到剪贴板")
        return rx.toast.error("浏览器未允许写入剪贴板,请选中上面的密钥后手动复制")

    @rx.event
    def revoke(self, key_id: int):
        """停用 a key: refused from the next call on."""
        target = parse_id(key_id) or -1
        call = lambda a: api_keys.revoke_key(actor=a, key_id=target)  # noqa: E731
        return self._act(call, "密钥已停用", Role.ADMIN, after=self._reload)
