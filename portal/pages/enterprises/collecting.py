"""Pieces /staff/visits and /staff/meetings share: the enterprise lookup, the typed problem rows, the opened
record's problems with their demands, and the 转为诉求 form."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import DemandKind, PlanHorizon
from portal.pages.components.forms import field_grid, phone_field, select_field, text_field, textarea_field
from portal.pages.components.layout import card
from portal.pages.components.widgets import data_table, status_badge

_KINDS = [(k.value, k.value) for k in DemandKind]
_HORIZONS = [(h.value, h.value) for h in PlanHorizon]


def enterprise_lookup(state, label: str, name: str = "enterprise_id") -> rx.Component:
    """The as-you-type lookup (name or credit code) and the chosen enterprises, each with 移除."""
    return rx.vstack(
        rx.el.label(label, html_for="f-enterprise-lookup", style={"fontWeight": 500, "fontSize": "14px"}),
        rx.input(
            id="f-enterprise-lookup",
            placeholder="输入企业名称或统一社会信用代码",
            on_change=state.find.debounce(300),
            max_length=100,
            width="100%",
            aria_describedby="enterprise-lookup-hint",
        ),
        rx.text("从企业台账中查找,点击企业名称选定", size="1", color_scheme="gray", id="enterprise-lookup-hint"),
        rx.hstack(
            rx.foreach(
                state.lookup,
                lambda c: rx.button(
                    c["name"],
                    " ",
                    c["town_name"],
                    size="1",
                    variant="outline",
                    type="button",
                    on_click=state.choose(c["id"]),
                ),
            ),
            wrap="wrap",
        ),
        rx.hstack(
            rx.foreach(
                state.chosen,
                lambda c: rx.badge(
                    c["name"],
                    rx.button("移除", size="1", variant="ghost", type="button", on_click=state.unchoose(c["id"])),
                    size="2",
                ),
            ),
            wrap="wrap",
        ),
        rx.cond(
            state.errors.contains(name),
            rx.text(state.errors[name], color="var(--red-11)", size="1", role="alert", id=f"{name}-error"),
            rx.fragment(),
        ),
        spacing="1",
        width="100%",
    )


def rows_error(state) -> rx.Component:
    return rx.cond(
        state.errors.contains("problems"),
        rx.text(state.errors["problems"], color="var(--red-11)", size="1", role="alert", id="problems-error"),
        rx.fragment(),
    )


def _problem_row(state, problem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(problem["position"]),
        rx.table.cell(rx.text(problem["text"], white_space="pre-wrap"), max_width="420px"),
        rx.table.cell(problem["enterprise"]),
        rx.table.cell(problem["unit"]),
        rx.table.cell(
            rx.cond(
                problem["demand_id"] > 0,
                rx.hstack(
                    rx.link(problem["demand_code"], href=problem["link"]),
                    status_badge(problem["demand_status"]),
                    rx.text(problem["plan_horizon"], size="1"),
                    align="center",
                ),
                rx.cond(
                    state.may_record,
                    rx.button("转为诉求", size="1", type="button", on_click=state.start_convert(problem["id"])),
                    rx.text("未转为诉求", size="1", color_scheme="gray"),
                ),
            )
        ),
    )


def problems_table(state, heading: str) -> rx.Component:
    return rx.vstack(
        rx.heading(heading, size="3", as_="h3"),
        rx.cond(
            state.problems.length() > 0,
            data_table(
                ["序号", heading, "企业", "部门", "诉求"],
                state.problems,
                lambda p: _problem_row(state, p),
                label=f"{heading}及其诉求",
            ),
            rx.text(f"没有{heading}", size="2", color_scheme="gray"),
        ),
        rx.cond(
            state.errors.contains("problem"),
            rx.text(state.errors["problem"], color="var(--red-11)", size="1", role="alert"),
            rx.fragment(),
        ),
        width="100%",
    )


def convert_form(state) -> rx.Component:
    """转为诉求: the demand form filled from the problem; 诉求类型 and 诉求事项 to choose."""
    p = state.prefill
    return rx.cond(
        p.contains("problem_id"),
        card(
            rx.heading("转为诉求", size="3", as_="h3"),
            rx.text("来源渠道:", p["channel"], "  建议解决部门:", p["suggested_unit"], size="2"),
            rx.form(
                field_grid(
                    select_field("诉求类型", "kind", _KINDS, errors=state.errors),
                    select_field("诉求事项", "topic_id", state.topics, errors=state.errors),
                    select_field(
                        "计划周期", "plan_horizon", _HORIZONS, errors=state.errors, placeholder="不列入需求计划"
                    ),
                    text_field("标题", "title", errors=state.errors, default_value=p["title"], max_length=50),
                    text_field("联系人", "contact_name", errors=state.errors, default_value=p["contact_name"]),
                    phone_field("联系电话", "contact_phone", errors=state.errors, default_value=p["contact_phone"]),
                ),
                textarea_field("诉求内容", "content", errors=state.errors, default_value=p["content"], max_length=2000),
                rx.hstack(
                    rx.button("转为诉求", type="submit"),
                    rx.button("取消", type="button", variant="soft", on_click=state.cancel_convert),
                    margin_top="8px",
                ),
                on_submit=state.convert,
                reset_on_submit=False,
                key=state.form_version.to_string(),
            ),
            border="1px solid var(--accent-7)",
        ),
        rx.fragment(),
    )
