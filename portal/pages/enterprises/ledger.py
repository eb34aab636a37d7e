"""/staff/enterprises · 企业台账 and /staff/enterprises/[id] · 企业档案."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import INDUSTRIES, EnterpriseScale
from portal.pages.components.forms import phone_field, select_field, text_field, textarea_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import channel_badge, data_table, empty, kv, loading_or, pager, status_badge
from portal.pages.enterprises.intake import new_enterprise_fields
from portal.state.auth import AuthState
from portal.state.enterprises.ledger import EnterpriseFileState as F
from portal.state.enterprises.ledger import EnterpriseListState as L


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["name"], href=routes.STAFF_ENTERPRISES + "/" + r["id"].to_string())),
        rx.table.cell(r["credit_code"]),
        rx.table.cell(r["town_name"]),
        rx.table.cell(r["industry"]),
        rx.table.cell(r["scale"]),
        rx.table.cell(r["contact"]),
        rx.table.cell(r["account"]),
    )


def _search() -> rx.Component:
    return rx.form(
        rx.grid(
            text_field("企业名称", "name", max_length=100),
            text_field("统一社会信用代码", "credit_code", max_length=18),
            select_field("所属镇街", "town_unit_id", L.towns, placeholder="全部"),
            select_field("所属行业", "industry", [(i, i) for i in INDUSTRIES], placeholder="全部"),
            rx.button("搜索", type="submit", align_self="end"),
            columns=rx.breakpoints(initial="1", sm="2", md="5"),
            spacing="3",
            width="100%",
        ),
        on_submit=L.search,
        reset_on_submit=False,
    )


def _add_form() -> rx.Component:
    errors = L.errors
    return card(
        rx.heading("新增企业", size="4", as_="h2", margin_bottom="8px"),
        rx.form(
            rx.grid(
                *new_enterprise_fields(errors, L.towns),
                text_field("联系人", "contact_name", errors=errors, max_length=50),
                phone_field("联系电话", "contact_phone", errors=errors, max_length=30),
                text_field("地址", "address", errors=errors, max_length=200),
                columns=rx.breakpoints(initial="1", sm="2", md="3"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.button("保存企业", type="submit"),
                rx.button("取消", type="button", variant="soft", on_click=L.set_adding(False)),
                margin_top="12px",
            ),
            on_submit=L.create,
            reset_on_submit=False,
        ),
        margin_top="16px",
    )


def enterprises_page() -> rx.Component:
    return staff_page(
        "企业台账",
        card(
            _search(),
            rx.hstack(
                rx.cond(L.may_add & ~L.adding, rx.button("新增企业", on_click=L.set_adding(True)), rx.fragment()),
                rx.cond(
                    AuthState.viewer["role"] == "dispatcher",
                    rx.link("企业账号认领", href=routes.STAFF_ENTERPRISE_CLAIMS, size="2"),
                    rx.fragment(),
                ),
                align="center",
                spacing="4",
                margin_top="12px",
            ),
        ),
        rx.cond(L.adding, _add_form(), rx.fragment()),
        card(
            rx.text("共 ", L.total_label, " 家,按企业名称排序", size="2", margin_bottom="8px"),
            loading_or(
                L.loaded,
                rx.cond(
                    L.total > 0,
                    data_table(
                        ["企业名称", "统一社会信用代码", "所属镇街", "所属行业", "企业规模", "联系人", "账号"],
                        L.rows,
                        _row,
                    ),
                    empty("暂无符合条件的企业"),
                ),
            ),
            pager(L),
            margin_top="16px",
        ),
    )


# ── 企业档案 ────────────────────────────────────────────────────────────────────────────────


def _section(title: str, *children: rx.Component) -> rx.Component:
    return card(rx.heading(title, size="4", as_="h2", margin_bottom="8px"), *children, margin_top="16px")


def _demand_row(d) -> rx.Component:
    title = rx.cond(
        d["linkable"], rx.link(d["title"], href=routes.STAFF_DEMANDS + "/" + d["id"].to_string()), rx.text(d["title"])
    )
    return rx.table.row(
        rx.table.cell(d["code"]),
        rx.table.cell(title),
        rx.table.cell(channel_badge(d["channel"])),
        rx.table.cell(status_badge(d["status"])),
        rx.table.cell(d["plan_horizon"]),
        rx.table.cell(d["created_at"]),
    )


def _demands(key: str, none: str) -> rx.Component:
    return rx.cond(
        F.file[key].to(list[dict]).length() > 0,
        data_table(
            ["编号", "标题", "来源渠道", "状态", "计划周期", "登记时间"], F.file[key].to(list[dict]), _demand_row
        ),
        empty(none),
    )


def _profile() -> rx.Component:
    f = F.file
    return rx.grid(
        _section(
            "企业信息",
            kv("统一社会信用代码", f["credit_code"]),
            kv("所属行业", f["industry"]),
            kv("企业规模", f["scale"]),
            kv("联系人", f["contact_name"].to(str) + " " + f["contact_phone"].to(str)),
            kv("地址", f["address"]),
            kv("账号", f["account"]),
        ),
        _section(
            "1+1+X",
            kv("所属镇街", f["town_name"]),
            kv("行业主管部门", rx.cond(f["industry_unit_name"] != "", f["industry_unit_name"], "未指定")),
            kv("服务专员", rx.cond(f["service_user_name"] != "", f["service_user_name"], "未指定")),
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


def _notes() -> rx.Component:
    return _section(
        "经营情况、困难、发展计划",
        *[
            rx.box(
                rx.text(label, weight="medium", size="2"),
                rx.text(rx.cond(F.file[key] != "", F.file[key], "暂无记录"), size="2", white_space="pre-wrap"),
                margin_bottom="8px",
            )
            for label, key in (("经营情况", "operations"), ("困难", "difficulties"), ("发展计划", "development_plans"))
        ],
    )


def _edit_fields() -> list[rx.Component]:
    f, errors = F.file, F.errors

    def choose(label: str, name: str, options, **extra) -> rx.Component:
        return select_field(label, name, options, errors=errors, default_value=f[name].to(str), **extra)

    def write(label: str, name: str, limit: int) -> rx.Component:
        return text_field(label, name, errors=errors, default_value=f[name].to(str), max_length=limit)

    return [
        rx.cond(f["can_edit_town"], choose("所属镇街", "town_unit_id", F.towns), rx.fragment()),
        choose("所属行业", "industry", [(i, i) for i in INDUSTRIES]),
        choose("企业规模", "scale", [(s.value, s.value) for s in EnterpriseScale]),
        write("联系人", "contact_name", 50),
        write("联系电话", "contact_phone", 30),
        write("地址", "address", 200),
        choose("行业主管部门", "industry_unit_id", F.departments, placeholder="未指定"),
        choose("服务专员", "service_user_id", F.staff, placeholder="未指定"),
    ]


def _edit_form() -> rx.Component:
    f, errors = F.file, F.errors
    notes = [("经营情况", "operations"), ("困难", "difficulties"), ("发展计划", "development_plans")]
    return _section(
        "编辑档案",
        rx.form(
            rx.grid(*_edit_fields(), columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%"),
            *[
                textarea_field(label, key, errors=errors, default_value=f[key].to(str), max_length=2000)
                for label, key in notes
            ],
            rx.hstack(
                rx.button("保存档案", type="submit"),
                rx.button("取消", type="button", variant="soft", on_click=F.set_editing(False)),
                margin_top="12px",
            ),
            on_submit=F.save,
            reset_on_submit=False,
        ),
    )


def _file() -> rx.Component:
    f = F.file
    return rx.box(
        rx.hstack(
            rx.heading(f["name"], size="5", as_="h2"),
            rx.cond(
                f["can_edit"] & ~F.editing, rx.button("编辑档案", size="2", on_click=F.set_editing(True)), rx.fragment()
            ),
            rx.link("代企业登记诉求", href=routes.STAFF_INTAKE, size="2"),
            align="center",
            wrap="wrap",
            spacing="4",
        ),
        rx.text(
            "建档 ",
            f["created_at"],
            rx.cond(f["updated_at"] != "", " · 最近修改 " + f["updated_at"].to(str), ""),
            size="1",
            color_scheme="gray",
        ),
        rx.cond(F.editing, _edit_form(), rx.fragment(_profile(), _notes())),
        _section("诉求", _demands("demands", "暂无诉求")),
        _section(
            "走访记录",
            rx.cond(
                f["visits"].to(list[dict]).length() > 0,
                data_table(
                    ["走访日期", "走访单位", "走访人员", "走访情况"],
                    f["visits"].to(list[dict]),
                    lambda v: rx.table.row(
                        *[rx.table.cell(v[k]) for k in ("visited_on", "unit", "visitors", "summary")]
                    ),
                ),
                empty("暂无走访记录"),
            ),
        ),
        _section(
            "座谈会",
            rx.cond(
                f["meetings"].to(list[dict]).length() > 0,
                data_table(
                    ["会议日期", "会议类型", "会议主题", "组织单位"],
                    f["meetings"].to(list[dict]),
                    lambda m: rx.table.row(*[rx.table.cell(m[k]) for k in ("held_on", "kind", "title", "unit")]),
                ),
                empty("暂无座谈会记录"),
            ),
        ),
        _section("需求计划", _demands("plans", "暂无需求计划")),
    )


def enterprise_file_page() -> rx.Component:
    return staff_page(
        "企业档案",
        rx.link("← 返回企业台账", href=routes.STAFF_ENTERPRISES, size="2"),
        loading_or(
            F.loaded, rx.cond(F.not_found, card(rx.text("未找到该企业,或不在您的管辖范围内。", size="2")), _file())
        ),
    )
