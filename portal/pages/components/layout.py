"""Shared layout: the public header, the enterprise area and the staff console.

Pages only lay out; what a role may see comes from ``AuthState`` projections built by
``portal.services.accounts.navigation``.
"""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.core.settings import get_settings
from portal.services.accounts.navigation import enterprise_nav
from portal.state.auth import AuthState
from portal.state.display import DisplayState

SITE_NAME = "企业诉求接诉即办服务平台"
BRAND = "#b91c1c"


def _nav_link(label: str, href: str) -> rx.Component:
    return rx.link(label, href=href, color="white", weight="medium", underline="none", white_space="nowrap")


def demo_banner() -> rx.Component:
    """A strip on every page while demo mode is on (decided when the app is compiled, which
    ``reflex run`` does at every start), so nobody mistakes a demo for the real service."""
    if not get_settings().demo_mode:
        return rx.fragment()
    return rx.box(
        rx.text("演示环境:数据为虚构,演示账号的密码是公开的,请勿录入真实信息", size="2", weight="medium"),
        role="note",
        background="#fef3c7",
        color="#78350f",
        text_align="center",
        padding_y="4px",
        padding_x="12px",
    )


def _elder_toggle() -> rx.Component:
    """长者模式 on every page: a toggle button (aria-pressed) that the browser remembers."""
    return rx.button(
        rx.icon("type", size=16, aria_hidden="true"),
        "长者模式",
        on_click=DisplayState.toggle_elder_mode,
        aria_pressed=rx.cond(DisplayState.elder_on, "true", "false"),
        title="放大字体、加深颜色,再按一次恢复",
        size="1",
        type="button",
        style=_ON_RED_BUTTON,
    )


# A white button on the red bar (Radix's soft grey on red is 2.3:1; this is 6.5:1 and ≥ 13:1 on the text).
_ON_RED_BUTTON = {"background": "white", "color": BRAND, "font_weight": "500", "cursor": "pointer"}


def _header_bar(home: str, *right: rx.Component) -> rx.Component:
    """The red bar on top of every page: the emblem and the portal's name, then ``right``."""
    brand = rx.link(
        rx.hstack(
            rx.image(src="/emblem.svg", alt="", width="28px", height="28px"),
            rx.text(SITE_NAME, weight="bold", size=rx.breakpoints(initial="3", xs="4"), color="white"),
            align="center",
            spacing="2",
        ),
        href=home,
        underline="none",
    )
    return rx.el.header(
        demo_banner(),
        rx.flex(
            brand,
            rx.spacer(),
            *right,
            _elder_toggle(),
            align="center",
            wrap="wrap",
            column_gap="12px",
            row_gap="8px",
            padding_x=["12px", "16px", "24px"],
            padding_y=["8px", "12px"],
            background=BRAND,
            width="100%",
        ),
    )


# Below 480 px the header keeps what acts (links, 退出, 长者模式) and drops what only says who is in: the page
# below names the enterprise, and the 工作台 greets the staff member by name and unit.
PHONE_HIDDEN = ["none", "inline"]


def _viewer_name() -> rx.Component:
    return rx.text(AuthState.viewer["display_name"], color="white", white_space="nowrap", display=PHONE_HIDDEN)


def _logout_button() -> rx.Component:
    return rx.button("退出", on_click=AuthState.logout, size="1", type="button", style=_ON_RED_BUTTON)


def public_header() -> rx.Component:
    return _header_bar(
        routes.HOME,
        rx.flex(
            _nav_link("首页", routes.HOME),
            _nav_link("政策一站查", routes.POLICIES),
            rx.cond(
                AuthState.logged_in,
                rx.fragment(
                    _nav_link(rx.cond(AuthState.is_enterprise, "企业首页", "工作台"), AuthState.home_route),
                    _viewer_name(),
                    _nav_link("修改密码", AuthState.password_route),
                    _logout_button(),
                ),
                rx.fragment(_nav_link("登录", routes.LOGIN), _nav_link("注册", routes.REGISTER)),
            ),
            align="center",
            wrap="wrap",
            column_gap="16px",
            row_gap="6px",
        ),
    )


def page_title(title: str, subtitle: str = "") -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="6", as_="h1"),
        rx.text(subtitle, color_scheme="gray", size="2") if subtitle else rx.fragment(),
        spacing="1",
        margin_bottom="16px",
    )


def public_page(*children: rx.Component) -> rx.Component:
    return rx.box(
        public_header(),
        rx.el.main(*children, max_width="1100px", margin_x="auto", padding=["12px", "16px", "24px"], width="100%"),
        min_height="100vh",
        background="var(--gray-2)",
    )


def _enterprise_tabs() -> rx.Component:
    items = [(item["label"], item["route"]) for item in enterprise_nav()]

    def label(text: str):
        if text != "消息":
            return text
        return rx.text.span(
            "消息",
            rx.cond(
                AuthState.unread > 0, rx.badge(AuthState.unread.to_string(), color_scheme="red", margin_left="4px"), ""
            ),
        )

    return rx.el.nav(
        rx.flex(
            *[
                rx.link(
                    label(text),
                    href=href,
                    padding_x="12px",
                    padding_y="8px",
                    border_radius="6px",
                    background="white",
                    underline="none",
                    white_space="nowrap",
                )
                for text, href in items
            ],
            wrap="wrap",  # a handful of tabs: on a phone every one stays in sight (two rows), none scrolled away
            spacing="2",
        ),
        aria_label="企业功能",
        margin_bottom="16px",
        max_width="100%",
    )


def enterprise_page(title: str, *children: rx.Component) -> rx.Component:
    return public_page(
        rx.text(AuthState.viewer["enterprise_name"], color_scheme="gray", size="2", margin_bottom="8px"),
        _enterprise_tabs(),
        page_title(title),
        *children,
    )


def _staff_menu_link(item) -> rx.Component:
    """One entry of the staff menu; the page one is on is marked (aria-current, a tinted background)."""
    page = AuthState.router.page.path
    here = (page == item["route"]) | (page == item["route"] + "/")
    return rx.link(
        item["label"],
        href=item["route"],
        aria_current=rx.cond(here, "page", "false"),
        padding_x="12px",
        padding_y="8px",
        border_radius="6px",
        underline="none",
        color="var(--gray-12)",
        weight=rx.cond(here, "bold", "regular"),
        background=rx.cond(here, "var(--red-3)", "transparent"),
        white_space="nowrap",
        _hover={"background": "var(--red-3)"},
    )


def _staff_sidebar() -> rx.Component:
    return rx.el.nav(
        rx.flex(
            rx.foreach(AuthState.staff_menu, _staff_menu_link),
            direction=rx.breakpoints(initial="row", md="column"),
            spacing="1",
            overflow_x="auto",
            # Up to 14 entries: in one row below 768 px they scroll; the fade tells that more follow, and the
            # padding lets the last one scroll clear of it.
            mask_image=SCROLL_FADE,
            padding_right=rx.breakpoints(initial="32px", md="0"),
        ),
        aria_label="工作台菜单",
        padding="12px",
        background="white",
        border_radius="8px",
        min_width=["auto", "auto", "180px"],
        align_self="flex-start",
        width=["100%", "100%", "auto"],
        max_width="100%",
    )


SCROLL_FADE = rx.breakpoints(initial="linear-gradient(to right, #000 calc(100% - 32px), transparent)", md="none")


def _staff_header() -> rx.Component:
    bell = rx.link(
        rx.hstack(
            rx.icon("bell", size=16, color="white"),
            rx.cond(
                AuthState.unread > 0,
                rx.badge(AuthState.unread.to_string(), style={"background": "#fde68a", "color": "#1c1917"}),
                "",
            ),
            align="center",
            spacing="1",
        ),
        href=routes.STAFF_NOTIFICATIONS,
        aria_label=rx.cond(AuthState.unread > 0, "消息," + AuthState.unread.to_string() + "条未读", "消息"),
    )
    return _header_bar(
        routes.STAFF,
        rx.hstack(
            bell,
            _viewer_name(),
            rx.badge(AuthState.viewer["role_label"], style={"background": "white", "color": BRAND}),
            rx.cond(
                AuthState.viewer["unit_name"] != "",
                rx.text(AuthState.viewer["unit_name"], color="white", size="2", display=PHONE_HIDDEN),
                rx.fragment(),
            ),
            _nav_link("修改密码", routes.STAFF_PASSWORD),
            _logout_button(),
            align="center",
            wrap="wrap",
        ),
    )


def staff_page(title: str, *children: rx.Component) -> rx.Component:
    return rx.box(
        _staff_header(),
        rx.flex(
            _staff_sidebar(),
            rx.el.main(page_title(title), *children, flex="1", min_width="0", width="100%"),
            direction=rx.breakpoints(initial="column", md="row"),
            spacing="4",
            padding=["12px", "16px", "24px"],
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )


def under_construction(what: str) -> rx.Component:
    return rx.callout(f"{what}建设中,敬请期待。", icon="construction", color_scheme="amber")


def card(*children: rx.Component, **props) -> rx.Component:
    return rx.box(
        *children,
        background="white",
        border_radius="10px",
        padding=["12px", "16px", "20px"],
        box_shadow="0 1px 2px rgba(0,0,0,0.06)",
        width="100%",
        **props,
    )
