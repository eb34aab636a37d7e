"""Public pages: home, login, registration."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.core import security
from portal.models.enums import INDUSTRIES, EnterpriseScale
from portal.pages.components.forms import select_field, text_field
from portal.pages.components.layout import SITE_NAME, card, public_page
from portal.state.accounts.forms import LoginState, RegisterState
from portal.state.home import HomeState


def _entry(icon: str, title: str, text: str, href: str) -> rx.Component:
    return rx.link(
        card(
            rx.vstack(
                rx.icon(icon, size=28, color="#b91c1c"),
                rx.heading(title, size="4"),
                rx.text(text, color_scheme="gray", size="2"),
                spacing="2",
            )
        ),
        href=href,
        underline="none",
        flex="1",
        min_width="220px",
    )


def _figure(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", color_scheme="gray"), rx.text(value, size="6", weight="bold"), spacing="0"
    )


def _public_figures() -> rx.Component:
    """本月 and 本年 in numbers, for everyone (the same figures the units are ranked by)."""
    return rx.grid(
        rx.foreach(
            HomeState.summaries,
            lambda s: card(
                rx.heading(s["label"], "办理情况", size="4", as_="h2", margin_bottom="8px"),
                rx.flex(
                    _figure("受理", s["received"]),
                    _figure("办结", s["closed"]),
                    _figure("按期办结率", s["close_rate"]),
                    _figure("满意率", s["satisfaction_rate"]),
                    _figure("差评整改率", s["rectify_rate"]),
                    _figure("平均办结(工作日)", s["avg_days"]),
                    gap="5",
                    wrap="wrap",
                ),
            ),
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        gap="4",
        width="100%",
    )


def index() -> rx.Component:
    return public_page(
        rx.vstack(
            rx.heading(SITE_NAME, size="8", as_="h1"),
            rx.text(
                "企呼政应 · 接诉即办:企业诉求统一受理、精准转办、限时办结、回访评价、督查问效。",
                size="4",
                color_scheme="gray",
            ),
            rx.flex(
                _entry("square-pen", "提交诉求", "企业登录后在线提交咨询、求助、建议、投诉", routes.MY_DEMAND_NEW),
                _entry("search", "进度查询", "随时查看诉求办理进度和答复,对办理结果评价", routes.MY_DEMANDS),
                _entry("book-open", "政策一站查", "惠企政策集中查询、解读和申兑指南", routes.POLICIES),
                gap="4",
                wrap="wrap",
                width="100%",
            ),
            _public_figures(),
            card(
                rx.heading("办理时限", size="4", margin_bottom="8px"),
                rx.text(
                    "即时类当日办结;一般诉求5个工作日内办结;复杂诉求15个工作日内办结;疑难及历史遗留问题30个"
                    "工作日内办结;评价不满意的3个工作日内重新办理。",
                    size="2",
                ),
            ),
            spacing="5",
            width="100%",
        )
    )


def login() -> rx.Component:
    return public_page(
        rx.center(
            card(
                rx.form(
                    rx.vstack(
                        rx.heading("登录", size="6", as_="h1"),
                        text_field("用户名", "username", required=True),
                        text_field("密码", "password", type="password", required=True),
                        rx.cond(
                            LoginState.login_error != "",
                            rx.callout(
                                LoginState.login_error,
                                icon="circle-alert",
                                color_scheme="red",
                                role="alert",
                                width="100%",
                            ),
                            rx.fragment(),
                        ),
                        rx.button("登录", type="submit", width="100%", size="3"),
                        rx.text("还没有账号?", rx.link("企业注册", href=routes.REGISTER), size="2"),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=LoginState.login,
                    reset_on_submit=False,
                ),
                max_width="420px",
            ),
            padding_top="24px",
        )
    )


def register() -> rx.Component:
    errors = RegisterState.errors
    return public_page(
        rx.center(
            card(
                rx.form(
                    rx.vstack(
                        rx.heading("企业注册", size="6", as_="h1"),
                        rx.text("注册后即可在线提交诉求、查询进度、评价办理结果。", color_scheme="gray", size="2"),
                        text_field("企业名称", "enterprise_name", errors=errors, max_length=100),
                        text_field(
                            "统一社会信用代码", "credit_code", errors=errors, max_length=18, hint="18位,见营业执照"
                        ),
                        rx.grid(
                            select_field("所属镇街", "town_unit_id", RegisterState.town_options, errors=errors),
                            select_field("所属行业", "industry", [(i, i) for i in INDUSTRIES], errors=errors),
                            select_field(
                                "企业规模", "scale", [(s.value, s.value) for s in EnterpriseScale], errors=errors
                            ),
                            columns=rx.breakpoints(initial="1", sm="3"),
                            gap="3",
                            width="100%",
                        ),
                        rx.grid(
                            text_field("联系人", "contact_name", errors=errors, max_length=50),
                            text_field("联系电话", "contact_phone", errors=errors, max_length=20),
                            columns=rx.breakpoints(initial="1", sm="2"),
                            gap="3",
                            width="100%",
                        ),
                        text_field("用户名", "username", errors=errors, max_length=30, hint="4–30位字母、数字或下划线"),
                        rx.grid(
                            text_field(
                                "密码", "password", type="password", errors=errors, hint=security.PASSWORD_RULES
                            ),
                            text_field("确认密码", "password_confirm", type="password", errors=errors),
                            columns=rx.breakpoints(initial="1", sm="2"),
                            gap="3",
                            width="100%",
                        ),
                        rx.button("注册", type="submit", width="100%", size="3"),
                        rx.text("已有账号?", rx.link("登录", href=routes.LOGIN), size="2"),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=RegisterState.register_enterprise,
                    reset_on_submit=False,
                ),
                max_width="640px",
            ),
            padding_top="16px",
        )
    )
