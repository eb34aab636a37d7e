"""/admin 派单目录: topics by class with lead unit, co-units, level and keywords; the topic form; a topic's
history (who, when, old → new)."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import TopicClass
from portal.pages.components.forms import CHECK_LABEL, field_grid, select_field, text_field
from portal.pages.components.layout import card
from portal.pages.components.widgets import active_badge, data_table
from portal.state.admin.catalogue import PREFIX
from portal.state.admin.catalogue import CatalogueAdminState as C

_CLASSES = [(c.value, c.value) for c in TopicClass]
_LEVELS = [("即时", "即时(当日)"), ("一般", "一般"), ("复杂", "复杂"), ("疑难", "疑难/历史遗留")]


def _row(topic) -> rx.Component:
    return rx.table.row(
        rx.table.cell(topic["topic_class"]),
        rx.table.cell(topic["name"]),
        rx.table.cell(topic["lead"]),
        rx.table.cell(topic["co"]),
        rx.table.cell(topic["level"]),
        rx.table.cell(topic["keywords"]),
        rx.table.cell(active_badge(topic["active"])),
        rx.table.cell(
            rx.hstack(
                rx.button("编辑", size="1", variant="soft", type="button", on_click=C.edit(topic["id"])),
                rx.button("历史", size="1", variant="outline", type="button", on_click=C.show_history(topic["id"])),
            )
        ),
    )


def _co_checkbox(unit) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="checkbox", name=PREFIX + "co_" + unit["id"].to(str), default_checked=C.form_co.contains(unit["id"])
        ),
        rx.text.span(unit["name"], margin_left="4px"),
        style={**CHECK_LABEL, "marginRight": "12px"},
    )


def _select(label: str, name: str, options, **props) -> rx.Component:
    name = PREFIX + name
    return select_field(label, name, options, errors=C.errors, default_value=C.form.get(name, ""), **props)


def _text(label: str, name: str, **props) -> rx.Component:
    name = PREFIX + name
    return text_field(label, name, errors=C.errors, default_value=C.form.get(name, ""), **props)


def _form() -> rx.Component:
    return rx.form(
        field_grid(
            _text("事项名称", "name", max_length=50),
            _select("事项分类", "topic_class", _CLASSES),
            _select("承办单位", "lead_unit_id", C.units),
            _select("默认时限等级", "level", _LEVELS),
            _text("关键词", "keywords", max_length=500, hint="以空格或顿号分隔,如:土地 用地 规划"),
            rx.el.label(
                rx.el.input(
                    type="checkbox", name=PREFIX + "active", default_checked=C.form.get(PREFIX + "active", "on") == "on"
                ),
                rx.text.span("启用(出现在诉求表单中)", margin_left="4px"),
                style={**CHECK_LABEL, "alignSelf": "end"},
            ),
        ),
        rx.vstack(
            rx.text("协办单位", weight="medium", size="2"),
            rx.flex(rx.foreach(C.units, _co_checkbox), wrap="wrap", spacing="1", role="group", aria_label="协办单位"),
            rx.cond(
                C.errors.contains(PREFIX + "co_unit_ids"),
                rx.text(C.errors[PREFIX + "co_unit_ids"], color="var(--red-11)", size="1", role="alert"),
                rx.fragment(),
            ),
            spacing="1",
            width="100%",
            margin_top="12px",
        ),
        rx.hstack(
            rx.button("保存事项", type="submit"),
            rx.button("新建事项", type="button", variant="soft", on_click=C.new),
            margin_top="12px",
        ),
        on_submit=C.save,
        reset_on_submit=False,
        key=C.form_version.to_string(),
    )


def _history() -> rx.Component:
    return rx.cond(
        C.history_topic != "",
        rx.vstack(
            rx.heading("「", C.history_topic, "」的修改历史", size="3", as_="h3", margin_top="16px"),
            rx.cond(
                C.history.length() > 0,
                data_table(
                    ["版本", "时间", "操作人", "修改内容"],
                    C.history,
                    lambda h: rx.table.row(
                        rx.table.cell("第", h["version"], "版"),
                        rx.table.cell(h["at"]),
                        rx.table.cell(h["who"]),
                        rx.table.cell(h["changes"]),
                    ),
                    label="事项修改历史",
                ),
                rx.text("初始目录(第1版)以来未修改。", size="2", color_scheme="gray"),
            ),
            width="100%",
        ),
        rx.fragment(),
    )


def catalogue_card() -> rx.Component:
    return card(
        rx.heading("派单目录", size="4", as_="h2", margin_bottom="4px"),
        rx.text("当前为第", C.version, "版。每次保存生成新版本;派单记录所依据的版本。", size="2", color_scheme="gray"),
        data_table(
            ["分类", "事项", "承办单位", "协办单位", "时限等级", "关键词", "状态", "操作"],
            C.topics,
            _row,
            label="派单目录",
        ),
        _history(),
        rx.heading(rx.cond(C.editing_id > 0, "编辑事项", "新建事项"), size="3", as_="h3", margin_top="16px"),
        _form(),
        rx.text("诉求内容与其他事项的关键词更匹配时,派单页会提示该事项及其承办单位。", size="1", color_scheme="gray"),
    )
