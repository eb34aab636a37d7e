"""/staff/plans: 需求计划台账 — demands from visits and meetings by 计划周期, with their status."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, empty, loading_or, status_badge, tabbed
from portal.state.enterprises.plans import TABS
from portal.state.enterprises.plans import PlansState as P


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["horizon"]),
        rx.table.cell(rx.link(r["code"], href=r["link"])),
        rx.table.cell(r["title"]),
        rx.table.cell(r["enterprise"]),
        rx.table.cell(r["channel"]),
        rx.table.cell(status_badge(r["status"])),
        rx.table.cell(r["created"]),
    )


def _table() -> rx.Component:
    return loading_or(
        P.loaded,
        rx.cond(
            P.rows.length() > 0,
            data_table(
                ["计划周期", "诉求编号", "标题", "企业", "来源渠道", "状态", "登记日期"],
                P.rows,
                _row,
                label="需求计划台账",
            ),
            empty("暂无需求计划"),
        ),
    )


def plans_page() -> rx.Component:
    return staff_page(
        "需求计划台账",
        card(
            rx.text(
                "走访、座谈会中发现的需求,转为诉求时可列入计划周期(近期开展、中期计划、长期谋划)。",
                "导出:统计通报 → 导出台账 → 台账选“需求计划台账”。",
                size="2",
                color_scheme="gray",
            ),
            rx.link("前往导出台账", href=routes.STAFF_REPORTS, size="2"),
            tabbed(P, TABS, _table, label="计划周期"),
        ),
    )
