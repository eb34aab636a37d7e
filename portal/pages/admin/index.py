"""/admin: staff accounts and the holiday calendar."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.pages.admin.catalogue import catalogue_card
from portal.pages.admin.units import units_card
from portal.pages.admin.users import users_card
from portal.pages.components.forms import date_field, select_field, text_field, textarea_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, empty
from portal.state.admin.audit_log import AuditLogState
from portal.state.calendar.admin import CalendarAdminState
from portal.state.supervision.rules import RulesState


def _year_card(year: rx.Var) -> rx.Component:
    return rx.callout(
        rx.text(year["year"], "年:", year["note"], "(节假日", year["holidays"], "天,调休上班", year["workdays"], "天)"),
        icon="calendar",
        color_scheme=rx.cond(year["official"], "green", "amber"),
    )


def _notice_form() -> rx.Component:
    """Paste the State Council's notice for a year, see what it says, then save it."""
    preview = rx.cond(
        CalendarAdminState.notice_days.length() > 0,
        rx.vstack(
            data_table(
                ["日期", "类型", "名称"],
                CalendarAdminState.notice_days,
                lambda d: rx.table.row(rx.table.cell(d["day"]), rx.table.cell(d["kind"]), rx.table.cell(d["name"])),
                label="通知解析结果",
            ),
            rx.button("保存通知", type="button", on_click=CalendarAdminState.apply_notice),
            width="100%",
        ),
        rx.fragment(),
    )
    return rx.vstack(
        rx.heading("按国务院通知录入全年安排", size="3", as_="h3", margin_top="16px"),
        rx.form(
            rx.vstack(
                text_field("年份", "notice_year", placeholder="如:2027", max_length=4),
                textarea_field(
                    "通知全文", "notice_text", rows="8", placeholder="粘贴“一、元旦:……”至“七、国庆节:……”各条"
                ),
                rx.button("预览", type="submit", variant="soft"),
                width="100%",
            ),
            on_submit=CalendarAdminState.preview_notice,
            reset_on_submit=False,
        ),
        rx.foreach(
            CalendarAdminState.notice_errors, lambda e: rx.text(e, color="var(--red-11)", size="2", role="alert")
        ),
        preview,
        width="100%",
    )


def _audit_log() -> rx.Component:
    L = AuditLogState
    return card(
        rx.heading("审计日志", size="4", as_="h2", margin_bottom="12px"),
        rx.form(
            rx.grid(
                select_field("分类", "section", L.section_options, placeholder="全部"),
                text_field("操作人", "who", max_length=50),
                date_field("日期自", "audit_from"),
                date_field("日期至", "audit_to"),
                rx.button("筛选", type="submit", align_self="end"),
                columns=rx.breakpoints(initial="1", sm="2", md="5"),
                spacing="3",
                width="100%",
            ),
            on_submit=L.filter,
            reset_on_submit=False,
        ),
        rx.cond(
            L.entries.length() > 0,
            data_table(
                ["时间", "操作人", "分类", "对象", "内容"],
                L.entries,
                lambda e: rx.table.row(
                    rx.table.cell(e["at"]),
                    rx.table.cell(e["who"]),
                    rx.table.cell(e["section"]),
                    rx.table.cell(e["target"]),
                    rx.table.cell(e["detail"]),
                ),
                label="审计日志",
            ),
            empty("没有符合条件的记录"),
        ),
    )


def _rules_card() -> rx.Component:
    R = RulesState
    return card(
        rx.heading("时限规则", size="4", as_="h2", margin_bottom="12px"),
        data_table(
            ["规则", "当前", "可设范围"],
            R.rules,
            lambda r: rx.table.row(
                rx.table.cell(r["label"]),
                rx.table.cell(r["value"], r["unit"]),
                rx.table.cell(r["low"], "–", r["high"], r["unit"]),
            ),
            label="时限规则表",
        ),
        rx.form(
            rx.flex(
                select_field("规则", "rule_key", R.rule_options, errors=R.errors),
                text_field("新值", "rule_value", errors=R.errors, max_length=3),
                rx.button("保存规则", type="submit", align_self="flex-end"),
                spacing="3",
                wrap="wrap",
                align="end",
                margin_top="12px",
            ),
            on_submit=R.save,
            reset_on_submit=False,
        ),
        rx.text("修改只适用于此后派发的工单;办理中的工单仍按派发时的时限。", size="1", color_scheme="gray"),
    )


# The sections of this long page (about 8 000 px on a phone), each reachable from the list at its top.
SECTIONS = [
    ("admin-calendar", "节假日"),
    ("admin-users", "用户"),
    ("admin-units", "部门"),
    ("admin-catalogue", "派单目录"),
    ("admin-rules", "时限规则"),
    ("admin-audit", "审计日志"),
]


def _contents() -> rx.Component:
    """本页目录: plain in-page anchors (a router link would not scroll to the section)."""
    links = [rx.el.a(name, href=f"#{anchor}", style={"color": "var(--accent-11)"}) for anchor, name in SECTIONS]
    more = [
        rx.link("消息发送", href=routes.ADMIN_OUTBOX, size="2"),
        rx.link("接口密钥", href=routes.ADMIN_API_KEYS, size="2"),
    ]
    return rx.el.nav(
        rx.flex(
            rx.text("本页目录:", size="2", weight="medium"),
            *links,
            *more,
            wrap="wrap",
            column_gap="16px",
            row_gap="8px",
        ),
        aria_label="本页目录",
        width="100%",
    )


def _section(anchor: str, content: rx.Component) -> rx.Component:
    return rx.box(content, id=anchor, width="100%", style={"scrollMarginTop": "12px"})


def admin_page() -> rx.Component:
    return staff_page(
        "系统管理",
        rx.vstack(
            _contents(),
            card(  # issue #27
                rx.heading("消息发送", size="4", as_="h2", margin_bottom="8px"),
                rx.text("邮件、短信的发送渠道、发送情况和失败的消息:", size="2"),
                rx.link("查看消息发送", href=routes.ADMIN_OUTBOX, size="2"),
            ),
            _section("admin-calendar", _calendar_card()),
            _section("admin-users", users_card()),
            _section("admin-units", units_card()),
            _section("admin-catalogue", catalogue_card()),
            _section("admin-rules", _rules_card()),
            _section("admin-audit", _audit_log()),
            spacing="4",
            width="100%",
        ),
    )


def _calendar_card() -> rx.Component:
    return card(
        rx.heading("节假日", size="4", margin_bottom="12px"),
        rx.vstack(rx.foreach(CalendarAdminState.years, _year_card), width="100%"),
        rx.form(
            rx.flex(
                date_field("日期", "day", errors=CalendarAdminState.day_errors),
                select_field(
                    "类型",
                    "kind",
                    [("holiday", "法定节假日(休息)"), ("workday", "调休上班")],
                    errors=CalendarAdminState.day_errors,
                ),
                text_field("名称", "name", errors=CalendarAdminState.day_errors, placeholder="如:春节"),
                rx.button("保存日期", type="submit", align_self="flex-end"),
                spacing="3",
                wrap="wrap",
                align="end",
                margin_top="12px",
            ),
            on_submit=CalendarAdminState.set_day,
        ),
        _notice_form(),
    )
