"""Staff console pages. Issue-by-issue, each placeholder below becomes a real page."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.layout import card, staff_page, under_construction
from portal.state.auth import AuthState


def workbench() -> rx.Component:
    return staff_page(
        "工作台",
        card(
            rx.vstack(
                rx.text("您好,", rx.text.strong(AuthState.viewer["display_name"]), "。"),
                rx.text("角色:", AuthState.viewer["role_label"]),
                rx.cond(AuthState.viewer["unit_name"] != "", rx.text("所属单位:", AuthState.viewer["unit_name"]),
                        rx.fragment()),
                rx.text("请从左侧菜单进入各项工作。", color_scheme="gray", size="2"),
                spacing="2",
            )
        ),
    )


def placeholder(title: str):
    def page() -> rx.Component:
        return staff_page(title, under_construction(title))

    page.__name__ = f"staff_{abs(hash(title))}"
    return page
