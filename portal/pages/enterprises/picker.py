"""The enterprise picker: type a name or credit code, choose one of the enterprises of the 企业台账 found
(the viewer's area only). Drawn over a state with ``EnterprisePickerMixin``; reused by any form that names
an enterprise."""

from __future__ import annotations

import reflex as rx


def _choice(state, choice) -> rx.Component:
    return rx.button(
        rx.text.span(choice["name"], weight="medium"),
        rx.text.span(" ", choice["credit_code"], " ", choice["town_name"], size="1", color_scheme="gray"),
        type="button",
        variant="soft",
        size="2",
        justify="start",
        width="100%",
        aria_label="选择 " + choice["name"].to(str),
        on_click=state.choose(choice["id"]),
    )


def _found(state) -> rx.Component:
    return rx.box(
        rx.foreach(state.choices, lambda c: rx.box(_choice(state, c), padding_y="2px")),
        rx.cond(
            state.looked_up & (state.choices.length() == 0),
            rx.text("企业台账中未找到匹配的企业,可点击“新增企业”登记", size="2", color_scheme="gray"),
            rx.fragment(),
        ),
        role="region",
        aria_label="查找结果",
        aria_live="polite",
        width="100%",
    )


def enterprise_picker(state, *, label: str = "企业") -> rx.Component:
    """The field: a lookup box and its results until one is chosen, then the chosen enterprise with 重新选择."""
    field_id = "f-enterprise_lookup"
    return rx.vstack(
        rx.cond(
            state.chosen["id"] != 0,
            rx.hstack(
                rx.text(
                    label,
                    ":",
                    rx.text.strong(state.chosen["name"]),
                    "(",
                    state.chosen["credit_code"],
                    ")",
                    state.chosen["town_name"],
                    size="2",
                ),
                rx.button("重新选择", type="button", size="1", variant="soft", on_click=state.clear_choice),
                align="center",
                wrap="wrap",
            ),
            rx.vstack(
                rx.el.label(label, html_for=field_id, style={"fontWeight": 500, "fontSize": "14px"}),
                rx.input(
                    id=field_id,
                    value=state.lookup_text,
                    on_change=state.lookup,
                    placeholder="输入企业名称或统一社会信用代码查找",
                    max_length=100,
                    width="100%",
                    auto_complete="off",
                ),
                _found(state),
                spacing="1",
                width="100%",
            ),
        ),
        rx.cond(
            state.errors.contains("enterprise_id"),
            rx.text(
                state.errors["enterprise_id"], color="var(--red-11)", size="1", role="alert", id="enterprise_id-error"
            ),
            rx.fragment(),
        ),
        spacing="1",
        width="100%",
    )
