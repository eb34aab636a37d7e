"""/staff/reports: demands of the chosen period by topic class, topic and channel — each a bar chart with
its table beside it (exact values, and what a screen reader reads)."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.layout import card
from portal.pages.components.widgets import data_table
from portal.state.reports import ReportsState as R


def _chart_with_table(title: str, points: rx.Var) -> rx.Component:
    chart = rx.recharts.bar_chart(
        rx.recharts.bar(data_key="received", name="受理", fill="#c62828"),
        rx.recharts.bar(data_key="closed", name="办结", fill="#1f714d"),
        rx.recharts.x_axis(data_key="name", interval=0, tick={"fontSize": 11}),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.legend(),
        rx.recharts.graphing_tooltip(),
        data=points,
        width="100%",
        height=240,
    )
    table = data_table(
        ["名称", "受理", "办结"],
        points,
        lambda p: rx.table.row(rx.table.cell(p["name"]), rx.table.cell(p["received"]), rx.table.cell(p["closed"])),
        label=title,
    )
    return rx.vstack(
        rx.heading(title, size="3", as_="h3"),
        rx.grid(rx.box(chart, width="100%"), table, columns=rx.breakpoints(initial="1", md="2"), gap="4", width="100%"),
        width="100%",
        margin_top="8px",
    )


def monthly_chart(points: rx.Var) -> rx.Component:
    """Received and closed per month (12 months), with its table."""
    chart = rx.recharts.bar_chart(
        rx.recharts.bar(data_key="received", name="受理", fill="#c62828"),
        rx.recharts.bar(data_key="closed", name="办结", fill="#1f714d"),
        rx.recharts.x_axis(data_key="month"),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.legend(),
        rx.recharts.graphing_tooltip(),
        data=points,
        width="100%",
        height=260,
    )
    table = data_table(
        ["月份", "受理", "办结"],
        points,
        lambda p: rx.table.row(rx.table.cell(p["month"]), rx.table.cell(p["received"]), rx.table.cell(p["closed"])),
        label="近12个月受理与办结",
    )
    return rx.grid(rx.box(chart, width="100%"), table, columns=rx.breakpoints(initial="1", md="2"), gap="4")


def breakdown_charts() -> rx.Component:
    return card(
        rx.heading(R.period_label, " 诉求构成", size="4", as_="h2", margin_bottom="4px"),
        rx.cond(
            R.by_channel.length() > 0,
            rx.fragment(
                _chart_with_table("按事项分类", R.by_class),
                _chart_with_table("按诉求事项", R.by_topic),
                _chart_with_table("按来源渠道", R.by_channel),
            ),
            rx.text("本期没有受理诉求。", size="2"),
        ),
        margin_top="16px",
    )
