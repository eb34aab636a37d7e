"""/staff/policies: 政策管理 — the list with 编辑 / 发布 / 撤回, and the form (Markdown for 正文, 解读, 申兑指南)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.pages.components.forms import date_field, text_field, textarea_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, empty, file_picker, loading_or, status_badge
from portal.state.policies.editing import PolicyAdminState as P


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["title"], href=routes.POLICIES + "/" + row["id"].to_string())),
        rx.table.cell(row["issuer"]),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["published_on"]),
        rx.table.cell(row["updated_at"]),
        rx.table.cell(
            rx.hstack(
                rx.button("编辑", size="1", variant="soft", type="button", on_click=P.edit(row["id"])),
                rx.cond(
                    row["status"] == "草稿",
                    rx.button("发布", size="1", type="button", on_click=P.publish(row["id"])),
                    rx.button("撤回", size="1", variant="outline", type="button", on_click=P.withdraw(row["id"])),
                ),
            )
        ),
    )


def _field(label: str, name: str, **props) -> rx.Component:
    return text_field(label, name, errors=P.errors, default_value=P.form.get(name, ""), **props)


def _area(label: str, name: str, rows: str = "4", **props) -> rx.Component:
    return textarea_field(label, name, errors=P.errors, rows=rows, default_value=P.form.get(name, ""), **props)


def _form() -> rx.Component:
    return card(
        rx.heading(rx.cond(P.editing_id > 0, "编辑政策", "新建政策"), size="4", as_="h2", margin_bottom="8px"),
        rx.form(
            rx.vstack(
                _field("政策标题", "title", max_length=200),
                rx.grid(
                    _field("文号", "doc_number", max_length=100),
                    _field("发布部门", "issuer", max_length=100),
                    date_field(
                        "发布日期", "published_on", errors=P.errors, default_value=P.form.get("published_on", "")
                    ),
                    date_field(
                        "有效期起", "effective_from", errors=P.errors, default_value=P.form.get("effective_from", "")
                    ),
                    date_field(
                        "有效期止", "effective_to", errors=P.errors, default_value=P.form.get("effective_to", "")
                    ),
                    columns=rx.breakpoints(initial="1", sm="2", md="3"),
                    spacing="3",
                    width="100%",
                ),
                _area("政策摘要", "summary", rows="2", max_length=1000),
                _area(
                    "政策原文(Markdown)",
                    "body",
                    rows="8",
                    placeholder="图片只显示本政策的原件,如 ![示意图](/api/policy-files/编号);其他网址的图片显示为链接",
                ),
                _area("政策解读(Markdown)", "interpretation"),
                _area("申兑指南(Markdown)", "guide"),
                rx.grid(
                    _field("行业标签", "industries", hint="多个用空格或顿号分隔,如:制造业 建筑业"),
                    _field("企业规模标签", "scales", hint="如:小型 微型"),
                    _field("区域标签", "regions", hint="镇街或园区名称"),
                    _field("事项标签", "topics", hint="如:融资信贷"),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                file_picker(P, "policy_files", label="政策原件(发布后公开)"),
                rx.hstack(
                    rx.button("保存", type="submit"),
                    rx.button("新建政策", type="button", variant="soft", on_click=P.new),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=P.save,
            reset_on_submit=False,
            key=P.form_version.to_string(),
        ),
        margin_top="16px",
    )


def policy_admin_page() -> rx.Component:
    return staff_page(
        "政策管理",
        card(
            loading_or(
                P.loaded,
                rx.cond(
                    P.items.length() > 0,
                    data_table(
                        ["标题", "发布部门", "状态", "发布日期", "更新时间", "操作"], P.items, _row, label="政策列表"
                    ),
                    empty("还没有政策"),
                ),
            )
        ),
        _form(),
    )
