"""/staff/reports: demands of the chosen period by topic class, topic and channel — each a bar chart with
its table beside it (exact values, and what a screen reader reads)."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.layout import card
from portal.pages.components.widgets import data_table
from portal.state.supervision.reports import ReportsState as R


def received_and_closed(points: rx.Var, key: str, heading: str, label: str, *, wide: bool = False) -> rx.Component:
    """受理 and 办结 bars over ``key`` (a month, a topic, a channel …), with the same numbers in a table
    beside it, or under it when ``wide`` (the chart then has the whole width for its labels)."""
    chart = rx.recharts.bar_chart(
        rx.recharts.bar(data_key="received", name="受理", fill="#c62828"),
        rx.recharts.bar(data_key="closed", name="办结", fill="#1f714d"),
        # Slanted ticks, every one shown: twelve "2025-12" labels side by side ran into each other.
        rx.recharts.x_axis(data_key=key, interval=0, angle=-40, height=64, tick={"fontSize": 11, "textAnchor": "end"}),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.legend(),
        rx.recharts.graphing_tooltip(),
        data=points,
        width="100%",
        height=250,
    )
    table = data_table(
        [heading, "受理", "办结"],
        points,
        lambda p: rx.table.row(rx.table.cell(p[key]), rx.table.cell(p["received"]), rx.table.cell(p["closed"])),
        label=label,
    )
    columns = "1" if wide else rx.breakpoints(initial="1", md="2")
    return rx.grid(rx.box(chart, width="100%"), table, columns=columns, spacing="4", width="100%")


def monthly_chart(points: rx.Var) -> rx.Component:
    """Received and closed per month (12 months), with its table."""
    return received_and_closed(points, "month", "月份", "近12个月受理与办结", wide=True)


def _chart_with_table(title: str, points: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3", as_="h3"),
        received_and_closed(points, "name", "名称", title),
        width="100%",
        margin_top="8px",
    )


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
