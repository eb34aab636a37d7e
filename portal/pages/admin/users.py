"""/admin 用户: the staff accounts' actions (编辑, 重置密码, 解锁, 停用), the edit form, the password shown
once, enterprise accounts and the pilot-code admission."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.forms import field_grid, select_field, text_field, textarea_field
from portal.pages.components.layout import card
from portal.pages.components.widgets import active_badge, data_table
from portal.state.admin.account_actions import AccountActionsState as A
from portal.state.admin.staff_accounts import PREFIX, StaffAccountsState
from portal.state.admin.staff_accounts import StaffAccountsState as S

ROLES = [("dispatcher", "推进中心(派单)"), ("handler", "承办单位"), ("leader", "领导"), ("admin", "系统管理员")]


def _state_cell(user) -> rx.Component:
    return rx.hstack(
        active_badge(user["is_active"]), rx.cond(user["locked"], rx.badge("已锁定", color_scheme="red"), rx.fragment())
    )


def _account_actions(account, toggle, *first: rx.Component) -> rx.Component:
    """重置密码, 解锁 (while locked) and 停用/启用 (``toggle``) for a staff or an enterprise account."""
    return rx.hstack(
        *first,
        rx.button(
            "重置密码",
            size="1",
            variant="outline",
            type="button",
            on_click=A.reset_password(account["id"], account["username"]),
        ),
        rx.cond(
            account["locked"],
            rx.button("解锁", size="1", variant="outline", type="button", on_click=A.unlock(account["id"])),
            rx.fragment(),
        ),
        rx.button(
            rx.cond(account["is_active"], "停用", "启用"), size="1", variant="ghost", type="button", on_click=toggle
        ),
        wrap="wrap",
    )


def staff_row(user: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(user["username"]),
        rx.table.cell(user["display_name"]),
        rx.table.cell(user["role_label"]),
        rx.table.cell(user["unit_name"]),
        rx.table.cell(_state_cell(user)),
        rx.table.cell(
            _account_actions(
                user,
                StaffAccountsState.set_user_active(user["id"], ~user["is_active"]),
                rx.button("编辑", size="1", variant="soft", type="button", on_click=S.open_edit(user)),
            )
        ),
    )


def revealed_password() -> rx.Component:
    return rx.cond(
        A.revealed_password != "",
        rx.callout(
            rx.vstack(
                rx.text("账号 ", A.revealed_for, " 的新密码(只显示这一次,请当面交给本人):"),
                rx.code(A.revealed_password, size="4", id="revealed-password"),
                rx.button("我已记下", size="1", type="button", on_click=A.dismiss_password),
            ),
            icon="key-round",
            color_scheme="amber",
            role="status",
            width="100%",
        ),
        rx.fragment(),
    )


def edit_form() -> rx.Component:
    def field(label: str, name: str, **props) -> rx.Component:
        return text_field(label, PREFIX + name, errors=A.errors, default_value=S.form.get(PREFIX + name, ""), **props)

    return rx.cond(
        S.editing_id > 0,
        rx.form(
            rx.heading("编辑账号 ", S.editing_username, size="3", as_="h3", margin_top="12px"),
            field_grid(
                field("姓名", "display_name", max_length=50),
                select_field(
                    "角色", PREFIX + "role", ROLES, errors=A.errors, default_value=S.form.get(PREFIX + "role", "")
                ),
                select_field(
                    "所属单位",
                    PREFIX + "unit_id",
                    StaffAccountsState.unit_options,
                    errors=A.errors,
                    default_value=S.form.get(PREFIX + "unit_id", ""),
                ),
                field("电话", "phone", max_length=30),
                field("电子邮箱", "email", max_length=100),
                rx.hstack(
                    rx.button("保存账号", type="submit"),
                    rx.button("取消", type="button", variant="soft", on_click=S.cancel_edit),
                    align_self="end",
                ),
            ),
            on_submit=S.save,
            reset_on_submit=False,
            key=S.form_version.to_string(),
            width="100%",
        ),
        rx.fragment(),
    )


def _enterprise_row(account) -> rx.Component:
    return rx.table.row(
        rx.table.cell(account["username"]),
        rx.table.cell(account["enterprise"]),
        rx.table.cell(account["credit_code"]),
        rx.table.cell(account["industry"], " · ", account["scale"], " · ", account["town"]),
        rx.table.cell(account["contact"]),
        rx.table.cell(account["last_login"]),
        rx.table.cell(_state_cell(account)),
        rx.table.cell(_account_actions(account, A.set_enterprise_active(account["id"], ~account["is_active"]))),
    )


def enterprise_accounts() -> rx.Component:
    return rx.vstack(
        rx.heading("企业账号", size="3", as_="h3", margin_top="16px"),
        rx.form(
            rx.hstack(
                text_field("查找企业账号", "enterprise_query", placeholder="用户名、企业名称、信用代码或联系人"),
                rx.button("查询", type="submit", align_self="end"),
                align="end",
                width="100%",
            ),
            on_submit=A.search_enterprises,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(
            A.enterprise_accounts.length() > 0,
            data_table(
                ["用户名", "企业", "统一社会信用代码", "行业·规模·镇街", "联系人", "最近登录", "状态", "操作"],
                A.enterprise_accounts,
                _enterprise_row,
                label="企业账号",
            ),
            rx.cond(A.searched, rx.text("没有符合条件的企业账号", size="2"), rx.text("加载中…", size="2")),
        ),
        rx.text(
            "统一社会信用代码被他人注册的,核验营业执照后在",
            rx.link("企业账号认领", href="/staff/enterprises/claims"),
            "页改派账号。",
            size="1",
            color_scheme="gray",
        ),
        width="100%",
    )


def pilot_code_form() -> rx.Component:
    return rx.vstack(
        rx.heading("准予试点统一社会信用代码", size="3", as_="h3", margin_top="16px"),
        rx.text("早期试点发放、校验位不符的代码,经核验后可准予注册(记入审计日志)。", size="1", color_scheme="gray"),
        rx.form(
            rx.grid(
                text_field("统一社会信用代码", "pilot_code", errors=A.errors, max_length=18),
                textarea_field("依据", "pilot_reason", errors=A.errors, rows="2", max_length=500),
                rx.button("准予", type="submit", align_self="end"),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            on_submit=A.admit_pilot_code,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
    )


def users_card() -> rx.Component:
    """用户: create a staff account, the staff accounts with their actions, enterprise accounts, pilot codes."""
    errors = StaffAccountsState.errors
    return card(
        rx.heading("用户", size="4", margin_bottom="12px"),
        rx.form(
            field_grid(
                text_field("用户名", "username", errors=errors),
                text_field("姓名", "display_name", errors=errors),
                select_field("角色", "role", ROLES, errors=errors),
                select_field("所属单位", "unit_id", StaffAccountsState.unit_options, errors=errors),
                text_field(
                    "初始密码",
                    "password",
                    type="password",
                    errors=errors,
                    hint="不接受常用或易猜的密码;对方首次登录须改为自己的",
                ),
                rx.button("创建账号", type="submit", align_self="end"),
            ),
            on_submit=StaffAccountsState.create_staff_user,
            reset_on_submit=True,
        ),
        revealed_password(),
        rx.box(
            data_table(
                ["用户名", "姓名", "角色", "单位", "状态", "操作"],
                StaffAccountsState.users,
                staff_row,
                label="员工账号",
            ),
            margin_top="16px",
            width="100%",
        ),
        edit_form(),
        enterprise_accounts(),
        pilot_code_form(),
    )
