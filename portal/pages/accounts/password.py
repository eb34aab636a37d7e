"""修改密码: /my/password (enterprises) and /staff/password (every staff role), one form in each layout."""

from __future__ import annotations

import reflex as rx

from portal.core.security import PASSWORD_RULES
from portal.pages.components.forms import password_field
from portal.pages.components.layout import card, enterprise_page, staff_page
from portal.state.accounts.password import PasswordState


def _password_form() -> rx.Component:
    errors = PasswordState.errors
    return card(
        rx.cond(
            PasswordState.forced,
            rx.callout(
                "您的密码由管理员设置或重置。请先设置一个只有您自己知道的新密码,之后才能继续使用平台。",
                icon="key-round",
                color_scheme="amber",
                role="status",
                width="100%",
                margin_bottom="12px",
            ),
            rx.fragment(),
        ),
        rx.form(
            rx.vstack(
                password_field("当前密码", "current_password", errors=errors, required=True),
                password_field("新密码", "new_password", new=True, errors=errors, hint=PASSWORD_RULES, required=True),
                password_field("确认新密码", "new_password_confirm", new=True, errors=errors, required=True),
                rx.text("修改成功后,您在其他设备上的登录将全部退出。", size="2", color_scheme="gray"),
                rx.button("修改密码", type="submit", size="3"),
                spacing="4",
                width="100%",
            ),
            on_submit=PasswordState.change,
            reset_on_submit=False,
        ),
        max_width="560px",
    )


def my_password() -> rx.Component:
    return enterprise_page("修改密码", _password_form())


def staff_password() -> rx.Component:
    return staff_page("修改密码", _password_form())
