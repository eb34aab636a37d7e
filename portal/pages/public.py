"""Public pages: home, login, registration."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.core import security
from portal.models.enums import INDUSTRIES, EnterpriseScale
from portal.pages.components.forms import password_field, phone_field, select_field, text_field
from portal.pages.components.layout import BRAND, SITE_NAME, card, public_page
from portal.pages.components.promise import promise_list
from portal.pages.components.widgets import loading_or, ruled_list
from portal.state.accounts.forms import LoginState, RegisterState
from portal.state.auth import AuthState
from portal.state.home import HomeState


def _entry(icon: str, title: str, text: str, href: str) -> rx.Component:
    return rx.link(
        card(
            rx.vstack(
                rx.icon(icon, size=28, color=BRAND, aria_hidden="true"),
                rx.heading(title, size="4", as_="h2"),
                rx.text(text, color_scheme="gray", size="2"),
                spacing="2",
            ),
            height="100%",
        ),
        href=href,
        underline="none",
    )


def _tile(label, value, unit: str, period) -> rx.Component:
    """One figure: its name, the number big with its unit, and the period it covers."""
    return rx.box(
        rx.text(label, size="2", weight="medium", as_="div"),
        rx.hstack(
            rx.text(value, size="8", weight="bold", color=BRAND, line_height="1.1"),
            rx.cond(value == "—", rx.fragment(), rx.text(unit, size="2")),
            align="baseline",
            spacing="1",
            margin_y="4px",
        ),
        rx.text(period, size="1", color="var(--gray-11)", as_="div"),
        background="white",
        border="1px solid var(--gray-5)",
        border_top=f"3px solid {BRAND}",
        border_radius="8px",
        padding="12px 14px",
        role="group",
        aria_label=label,
    )


def _period_figures(s) -> rx.Component:
    return rx.box(
        rx.heading(s["label"], "办理情况", size="4", as_="h2", margin_bottom="8px"),
        rx.grid(
            _tile(s["label"] + "受理", s["received"].to_string(), "件", s["period"]),
            _tile("按期办结率", s["close_rate"], "%", s["period"]),
            _tile("满意率", s["satisfaction_rate"], "%", s["period"]),
            _tile("平均办理用时", s["avg_days"], "个工作日", s["period"]),
            _tile("差评整改率", s["rectify_rate"], "%", s["period"]),
            columns=rx.breakpoints(initial="2", md="5"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _public_figures() -> rx.Component:
    """本月 and 本年 in numbers, for everyone (the same figures the units are ranked by)."""
    return rx.el.section(
        loading_or(
            HomeState.loaded,
            rx.vstack(
                rx.foreach(HomeState.summaries, _period_figures),
                rx.text(
                    "统计口径:按派单时间统计承办单位的主办工单;按期办结率 = 按期答复数 ÷(已答复数 + 超期未答复数);"
                    "满意率 = 基本满意及以上的评价 ÷ 全部评价(申诉成立的除外);平均办理用时为派单到答复的工作日数;"
                    "差评整改率 = 已反馈整改的差评 ÷ 全部差评。",
                    size="1",
                    color="var(--gray-11)",
                ),
                spacing="4",
                width="100%",
            ),
        ),
        aria_label="办理情况",
        width="100%",
    )


def _newest_policies() -> rx.Component:
    return card(
        rx.heading("最新政策", size="4", as_="h2"),
        rx.text(
            "按发布日期从新到旧",
            rx.cond(HomeState.loaded, rx.fragment(",显示最新 ", HomeState.policies.length(), " 条"), ""),
            size="1",
            color="var(--gray-11)",
        ),
        loading_or(
            HomeState.loaded,
            ruled_list(
                HomeState.policies,
                lambda p: (
                    rx.link(p["title"], href=routes.POLICIES + "/" + p["id"].to_string(), weight="medium"),
                    rx.text(p["issuer"], " · ", p["published_on"], size="1", color="var(--gray-11)"),
                ),
                empty_text="暂无已发布的政策。",
                margin="8px 0",
            ),
        ),
        rx.link("进入政策一站查 →", href=routes.POLICIES, size="2"),
    )


def _promise() -> rx.Component:
    return card(
        rx.heading("办理时限", size="4", as_="h2"),
        rx.text("诉求办理按工作日计算,节假日顺延。", size="1", color="var(--gray-11)", margin_bottom="4px"),
        loading_or(HomeState.loaded, promise_list(HomeState.promise)),
    )


def index() -> rx.Component:
    return public_page(
        rx.vstack(
            rx.heading(SITE_NAME, size=rx.breakpoints(initial="6", md="8"), as_="h1"),
            rx.text(
                "企呼政应 · 接诉即办:企业诉求统一受理、精准转办、限时办结、回访评价、督查问效。",
                size="3",
                color_scheme="gray",
            ),
            rx.grid(
                _entry("square-pen", "提交诉求", "企业登录后在线提交咨询、求助、建议、投诉", routes.MY_DEMAND_NEW),
                _entry("search", "进度查询", "输入诉求编号和联系电话后四位,无需登录即可查看办理进度", routes.TRACK),
                _entry("book-open", "政策一站查", "惠企政策集中查询、解读和申兑指南", routes.POLICIES),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            _public_figures(),
            rx.grid(
                _newest_policies(), _promise(), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"
            ),
            spacing="5",
            width="100%",
        )
    )


def not_found() -> rx.Component:
    """Every address the portal does not know: in Chinese, with the header and ways back."""
    return public_page(
        card(
            rx.vstack(
                rx.heading("页面不存在", size="6", as_="h1"),
                rx.text("您访问的地址不存在,可能已被删除或输入有误。请检查地址,或从下面的入口继续。", size="3"),
                rx.flex(
                    rx.link(rx.button("返回首页", size="3"), href=routes.HOME),
                    rx.link(rx.button("政策一站查", size="3", variant="soft"), href=routes.POLICIES),
                    rx.cond(
                        AuthState.logged_in,
                        rx.link(
                            rx.button(rx.cond(AuthState.is_enterprise, "企业首页", "工作台"), size="3", variant="soft"),
                            href=AuthState.home_route,
                        ),
                        rx.fragment(),
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="4",
            ),
            max_width="640px",
            margin_x="auto",
        )
    )


def login() -> rx.Component:
    return public_page(
        rx.center(
            card(
                rx.form(
                    rx.vstack(
                        rx.heading("登录", size="6", as_="h1"),
                        text_field("用户名", "username", required=True, autofill="username"),
                        password_field("密码", "password", required=True),
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
                            spacing="3",
                            width="100%",
                        ),
                        rx.grid(
                            text_field("联系人", "contact_name", errors=errors, max_length=50),
                            phone_field("联系电话", "contact_phone", errors=errors, max_length=20),
                            columns=rx.breakpoints(initial="1", sm="2"),
                            spacing="3",
                            width="100%",
                        ),
                        text_field(
                            "用户名",
                            "username",
                            errors=errors,
                            max_length=30,
                            hint="4–30位字母、数字或下划线",
                            autofill="username",
                        ),
                        rx.grid(
                            password_field("密码", "password", new=True, errors=errors, hint=security.PASSWORD_RULES),
                            password_field("确认密码", "password_confirm", new=True, errors=errors),
                            columns=rx.breakpoints(initial="1", sm="2"),
                            spacing="3",
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
