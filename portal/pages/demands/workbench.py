"""The staff 工作台 (/staff): queues and counters for each role."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.layout import card, staff_page
from portal.pages.supervision.report_charts import monthly_chart
from portal.state.auth import AuthState
from portal.state.demands.workbench import WorkbenchState


def _counter(c) -> rx.Component:
    return rx.link(
        card(
            rx.vstack(
                rx.text(c["label"], size="2", color_scheme="gray"),
                rx.text(
                    c["value"], size="7", weight="bold", color=rx.cond(c["alert"], "var(--red-11)", "var(--gray-12)")
                ),
                spacing="1",
            )
        ),
        href=c["link"],
        underline="none",
        min_width="140px",
        flex="1",
    )


def workbench() -> rx.Component:
    return staff_page(
        "工作台",
        rx.cond(
            WorkbenchState.calendar_warning != "",
            rx.callout(WorkbenchState.calendar_warning, icon="calendar-x", color_scheme="amber", margin_bottom="12px"),
            rx.fragment(),
        ),
        card(
            rx.vstack(
                rx.text("您好,", rx.text.strong(AuthState.viewer["display_name"]), "。"),
                rx.text("角色:", AuthState.viewer["role_label"]),
                rx.cond(
                    AuthState.viewer["unit_name"] != "",
                    rx.text("所属单位:", AuthState.viewer["unit_name"]),
                    rx.fragment(),
                ),
                rx.text("请从菜单进入各项工作。", color_scheme="gray", size="2"),
                spacing="2",
            )
        ),
        rx.flex(
            rx.foreach(WorkbenchState.counters, _counter),
            spacing="3",
            wrap="wrap",
            margin_top="16px",
            role="group",
            aria_label="待办统计",
        ),
        rx.cond(
            WorkbenchState.series.length() > 0,
            card(
                rx.heading("近12个月受理与办结", size="4", as_="h2", margin_bottom="8px"),
                monthly_chart(WorkbenchState.series),
                rx.text(
                    "口径:图中按派单月份统计承办单位的主办工单,“办结”指承办单位已答复(含待企业评价的);"
                    "上方“已办结(已销号)”是企业评价或核查后已销号的诉求总数,两者口径不同。",
                    size="1",
                    color="var(--gray-11)",
                    margin_top="6px",
                ),
                rx.link("更多统计与通报", href="/staff/reports", size="2", margin_top="8px"),
                margin_top="16px",
            ),
            rx.fragment(),
        ),
    )
