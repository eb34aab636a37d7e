"""Shared layout: the public header, the enterprise area and the staff console.

Pages only lay out; what a role may see comes from ``AuthState`` projections built by
``portal.services.navigation``.
"""

from __future__ import annotations

import reflex as rx

from portal.state.auth import AuthState

SITE_NAME = "企业诉求接诉即办服务平台"
BRAND = "#b91c1c"


def _nav_link(label: str, href: str) -> rx.Component:
    return rx.link(label, href=href, color="white", weight="medium", underline="none", white_space="nowrap")


def public_header() -> rx.Component:
    return rx.el.header(rx.flex(
        rx.link(
            rx.hstack(rx.icon("landmark", color="white"), rx.text(SITE_NAME, weight="bold", size="4", color="white"),
                      align="center", spacing="2"),
            href="/", underline="none",
        ),
        rx.spacer(),
        rx.flex(
            _nav_link("首页", "/"),
            _nav_link("政策一站查", "/policies"),
            rx.cond(
                AuthState.logged_in,
                rx.fragment(
                    _nav_link(rx.cond(AuthState.is_enterprise, "我的诉求", "工作台"), AuthState.home_route),
                    rx.text(AuthState.viewer["display_name"], color="white", opacity="0.85", white_space="nowrap"),
                    rx.button("退出", on_click=AuthState.logout, size="1", variant="soft", color_scheme="gray"),
                ),
                rx.fragment(_nav_link("登录", "/login"), _nav_link("注册", "/register")),
            ),
            align="center", wrap="wrap", column_gap="16px", row_gap="6px",
        ),
        align="center", wrap="wrap", gap="3", padding_x=["12px", "16px", "24px"], padding_y="12px",
        background=BRAND, width="100%",
    ))


def page_title(title: str, subtitle: str = "") -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="6", as_="h1"),
        rx.text(subtitle, color_scheme="gray", size="2") if subtitle else rx.fragment(),
        spacing="1", margin_bottom="16px",
    )


def public_page(*children: rx.Component) -> rx.Component:
    return rx.box(
        public_header(),
        rx.el.main(*children, max_width="1100px", margin_x="auto", padding=["12px", "16px", "24px"], width="100%"),
        min_height="100vh", background="var(--gray-2)",
    )


def _enterprise_tabs() -> rx.Component:
    items = [("我的诉求", "/my/demands"), ("提交诉求", "/my/demands/new"), ("消息", "/my/notifications"),
             ("企业信息", "/my/profile")]

    def label(text: str):
        if text != "消息":
            return text
        return rx.text.span("消息", rx.cond(AuthState.unread > 0, rx.badge(AuthState.unread.to_string(), color_scheme="red",
                                                                         margin_left="4px"), ""))

    return rx.el.nav(
        rx.flex(
            *[rx.link(label(text), href=href, padding_x="12px", padding_y="8px", border_radius="6px",
                      background="white", underline="none", white_space="nowrap") for text, href in items],
            gap="2", overflow_x="auto",
        ),
        aria_label="企业功能", margin_bottom="16px", max_width="100%",
    )


def enterprise_page(title: str, *children: rx.Component) -> rx.Component:
    return public_page(
        rx.text(AuthState.viewer["enterprise_name"], color_scheme="gray", size="2", margin_bottom="8px"),
        _enterprise_tabs(),
        page_title(title),
        *children,
    )


def staff_page(title: str, *children: rx.Component) -> rx.Component:
    sidebar = rx.el.nav(
        rx.flex(
            rx.foreach(AuthState.staff_menu, lambda item: rx.link(
                item["label"], href=item["route"], padding_x="12px", padding_y="8px", border_radius="6px",
                underline="none", color="var(--gray-12)", white_space="nowrap",
                _hover={"background": "var(--red-3)"},
            )),
            direction=rx.breakpoints(initial="row", md="column"), gap="1", overflow_x="auto",
        ),
        aria_label="工作台菜单", padding="12px", background="white", border_radius="8px",
        min_width=["auto", "auto", "180px"], align_self="flex-start", width=["100%", "100%", "auto"],
        max_width="100%",
    )
    return rx.box(
        rx.el.header(rx.flex(
            rx.link(rx.hstack(rx.icon("landmark", color="white"),
                              rx.text(SITE_NAME, weight="bold", color="white", size="4"), align="center"),
                    href="/staff", underline="none"),
            rx.spacer(),
            rx.hstack(
                rx.link(rx.hstack(rx.icon("bell", size=16, color="white"),
                                  rx.cond(AuthState.unread > 0, rx.badge(AuthState.unread.to_string(), color_scheme="amber", variant="solid"), ""),
                                  align="center", spacing="1"),
                        href="/staff/notifications", aria_label="消息"),
                rx.text(AuthState.viewer["display_name"], color="white", white_space="nowrap"),
                rx.badge(AuthState.viewer["role_label"], variant="surface"),
                rx.cond(AuthState.viewer["unit_name"] != "", rx.text(AuthState.viewer["unit_name"], color="white",
                                                                     opacity="0.8", size="2"), rx.fragment()),
                rx.button("退出", on_click=AuthState.logout, size="1", variant="soft", color_scheme="gray"),
                align="center", wrap="wrap",
            ),
            align="center", wrap="wrap", gap="3", padding_x=["12px", "16px", "24px"], padding_y="12px",
            background=BRAND,
        )),
        rx.flex(
            sidebar,
            rx.el.main(page_title(title), *children, flex="1", min_width="0", width="100%"),
            direction=rx.breakpoints(initial="column", md="row"), gap="4", padding=["12px", "16px", "24px"],
        ),
        min_height="100vh", background="var(--gray-2)",
    )


def under_construction(what: str) -> rx.Component:
    return rx.callout(f"{what}建设中,敬请期待。", icon="construction", color_scheme="amber")


def card(*children: rx.Component, **props) -> rx.Component:
    return rx.box(*children, background="white", border_radius="10px", padding=["12px", "16px", "20px"],
                  box_shadow="0 1px 2px rgba(0,0,0,0.06)", width="100%", **props)
