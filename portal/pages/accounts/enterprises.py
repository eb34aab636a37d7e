"""/staff/enterprises/claims: 企业账号认领 (the 推进中心 and admins; 企业台账 itself is pages/enterprises/ledger)."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.forms import phone_field, text_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import active_badge
from portal.state.accounts.claims import EnterpriseClaimState as C


def _account_row(account: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(account["username"]),
        rx.table.cell(account["display_name"]),
        rx.table.cell(active_badge(account["is_active"])),
    )


def _found() -> rx.Component:
    return rx.vstack(
        rx.text(rx.text.strong(C.found["name"]), "(", C.found["credit_code"], ")联系人:", C.found["contact_name"]),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("已注册账号", "姓名", "状态")])),
            rx.table.body(rx.foreach(C.found["accounts"].to(list[dict]), _account_row)),
            width="100%",
        ),
        rx.form(
            rx.grid(
                text_field("新联系人", "contact_name", errors=C.errors, max_length=50),
                phone_field("联系电话", "contact_phone", errors=C.errors),
                text_field("新用户名", "username", errors=C.errors, hint="4–30位字母、数字或下划线,以字母开头"),
                text_field("核验材料", "evidence", errors=C.errors, placeholder="如:营业执照原件、法定代表人身份证"),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.button("确认认领", type="submit", margin_top="12px"),
            on_submit=C.reassign,
            reset_on_submit=True,
        ),
        spacing="3",
        width="100%",
    )


def _issued() -> rx.Component:
    return rx.callout(
        rx.text(
            "新账号 ",
            rx.text.strong(C.issued_username),
            " 的初始密码:",
            rx.code(C.initial_password),
            "。只显示这一次,请当面交给企业并提醒其登录后尽快修改。",
        ),
        icon="key-round",
        color_scheme="green",
        role="status",
    )


def _claim_card() -> rx.Component:
    return card(
        rx.heading("企业账号认领", size="4", as_="h2", margin_bottom="4px"),
        rx.text(
            "统一社会信用代码被他人注册时,企业携营业执照到推进中心核实;认领后原账号全部停用,操作记入审计日志。",
            size="2",
            color_scheme="gray",
            margin_bottom="12px",
        ),
        rx.form(
            rx.flex(
                text_field("统一社会信用代码", "credit_code", errors=C.errors, max_length=18),
                rx.button("查询", type="submit", align_self="end"),
                spacing="3",
                align="end",
            ),
            on_submit=C.find,
        ),
        rx.cond(C.initial_password != "", _issued(), rx.fragment()),
        rx.cond(C.found.contains("name"), _found(), rx.fragment()),
        margin_top="16px",
    )


def claims_page() -> rx.Component:
    return staff_page("账号认领", _claim_card())
