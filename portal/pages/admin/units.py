"""/admin 部门: the unit tree with 编辑 / 停用 / 删除, and the unit form."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import UnitKind
from portal.pages.components.forms import field_grid, select_field, text_field
from portal.pages.components.layout import card
from portal.pages.components.widgets import active_badge, data_table
from portal.state.admin.units import PREFIX
from portal.state.admin.units import UnitsAdminState as U

_KINDS = [(k.value, k.value) for k in UnitKind]


def _row(unit) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(unit["name"], padding_left=(unit["depth"] * 20).to_string() + "px")),
        rx.table.cell(unit["code"]),
        rx.table.cell(unit["kind"]),
        rx.table.cell(unit["contact_name"], " ", unit["contact_phone"]),
        rx.table.cell(unit["open_orders"]),
        rx.table.cell(active_badge(unit["active"])),
        rx.table.cell(
            rx.hstack(
                rx.button("编辑", size="1", variant="soft", type="button", on_click=U.edit(unit["id"])),
                rx.button(
                    rx.cond(unit["active"], "停用", "启用"),
                    size="1",
                    variant="outline",
                    type="button",
                    on_click=U.set_active(unit["id"], ~unit["active"]),
                ),
                rx.button("删除", size="1", variant="ghost", type="button", on_click=U.delete(unit["id"])),
            )
        ),
    )


def _field(label: str, name: str, **props) -> rx.Component:
    name = PREFIX + name
    return text_field(label, name, errors=U.errors, default_value=U.form.get(name, ""), **props)


def units_card() -> rx.Component:
    return card(
        rx.heading("部门", size="4", as_="h2", margin_bottom="12px"),
        data_table(["名称", "编码", "类型", "联系人", "在办工单", "状态", "操作"], U.units, _row, label="部门列表"),
        rx.heading(rx.cond(U.editing_id > 0, "编辑单位", "新建单位"), size="3", as_="h3", margin_top="16px"),
        rx.form(
            field_grid(
                _field("单位名称", "name", max_length=100),
                _field("单位编码", "code", max_length=30, hint="字母、数字、下划线,如 U018"),
                select_field(
                    "单位类型", PREFIX + "kind", _KINDS, errors=U.errors, default_value=U.form.get(PREFIX + "kind", "")
                ),
                select_field(
                    "上级单位",
                    PREFIX + "parent_id",
                    U.parent_options,
                    errors=U.errors,
                    placeholder="无(顶级)",
                    default_value=U.form.get(PREFIX + "parent_id", ""),
                ),
                _field("联系人", "contact_name", max_length=50),
                _field("联系电话", "contact_phone", max_length=30),
                rx.hstack(
                    rx.button("保存单位", type="submit"),
                    rx.button("新建单位", type="button", variant="soft", on_click=U.new),
                    align_self="end",
                ),
            ),
            on_submit=U.save,
            reset_on_submit=False,
            key=U.form_version.to_string(),
        ),
        rx.text(
            "有在办工单的单位只能停用不能删除;停用后不再出现在派单选项中,已派工单照常办理。",
            size="1",
            color_scheme="gray",
        ),
    )
