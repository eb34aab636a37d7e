"""/staff/reports: 统计通报 — the figures of every unit for a chosen period, ranked, and the stored
monthly bulletins (printable: the layout's print.css hides the navigation)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import CardColor
from portal.pages.classes.problem_classes import class_counts_card
from portal.pages.components.forms import date_field, select_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, download_link, empty, loading_or
from portal.pages.ledgers.export import export_card
from portal.pages.ledgers.imports import import_card
from portal.pages.supervision.report_charts import breakdown_charts, monthly_chart
from portal.state.auth import AuthState
from portal.state.supervision.reports import PERIOD_CHOICES
from portal.state.supervision.reports import ReportsState as R

HEADERS = [
    "排名",
    "承办单位",
    "收件",
    "按时签收率",
    "办结",
    "按期办结率",
    "超期",
    "承诺用时",
    "实际用时(平均/最长)",
    "满意率",
    "差评率",
    "整改按期率",
    "差评回访率",
    "申诉(提出/成立)",
    "子项评分(时效/结果/态度)",
    CardColor.YELLOW,
    CardColor.RED,
    "征询次数",
]


def _figures_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["rank"]),
        rx.table.cell(row["unit"]),
        rx.table.cell(row["received"]),
        rx.table.cell(row["sign_rate"]),
        rx.table.cell(row["closed"]),
        rx.table.cell(row["close_rate"]),
        rx.table.cell(row["overdue"]),
        rx.table.cell(row["promised_days"]),
        rx.table.cell(rx.cond(row["closed"] > 0, rx.fragment(row["avg_days"], " / ", row["max_days"]), "—")),
        rx.table.cell(row["satisfaction_rate"]),
        rx.table.cell(row["bad_rate"]),
        rx.table.cell(row["rectify_rate"]),
        rx.table.cell(row["revisit_rate"]),
        rx.table.cell(row["appeals"], " / ", row["appeals_upheld"]),
        rx.table.cell(row["score_time"], " / ", row["score_result"], " / ", row["score_attitude"]),
        rx.table.cell(row["yellow"]),
        rx.table.cell(row["red"]),
        rx.table.cell(row["consultations"]),
    )


def _period_form() -> rx.Component:
    return rx.form(
        rx.grid(
            select_field("统计周期", "kind", PERIOD_CHOICES, placeholder="请选择", default_value="month"),
            date_field("所在日期", "day"),
            date_field("区间自", "start", errors=R.errors),
            date_field("区间至", "end", errors=R.errors),
            rx.button("统计", type="submit", align_self="end"),
            columns=rx.breakpoints(initial="1", sm="2", md="5"),
            spacing="3",
            width="100%",
        ),
        rx.text(
            "月度、季度、半年、年度按“所在日期”取周期;自定义区间按“区间自/至”(含首尾两日)。",
            size="1",
            color_scheme="gray",
        ),
        on_submit=R.choose_period,
        reset_on_submit=False,
    )


def _bulletins() -> rx.Component:
    return card(
        rx.heading("一月一通报", size="4", as_="h2", margin_bottom="8px"),
        rx.cond(
            R.bulletin_list.length() > 0,
            rx.flex(
                rx.foreach(
                    R.bulletin_list,
                    lambda b: rx.button(
                        b["period"],
                        " 通报",
                        size="2",
                        variant="soft",
                        type="button",
                        on_click=R.open_bulletin(b["period"]),
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
            empty("尚无通报:每月1日由系统自动生成上月通报。"),
        ),
        rx.cond(
            R.bulletin_period != "",
            rx.vstack(
                rx.hstack(
                    rx.heading(R.bulletin_period, " 企业诉求办理情况通报", size="3", as_="h3"),
                    rx.spacer(),
                    rx.button(
                        "打印",
                        size="1",
                        variant="soft",
                        type="button",
                        class_name="no-print",
                        on_click=rx.call_script("window.print()"),
                    ),
                    download_link("下载Excel", routes.BULLETINS_API + "/" + R.bulletin_period, class_name="no-print"),
                    width="100%",
                ),
                data_table(HEADERS, R.bulletin_rows, _figures_row, label="通报排名表"),
                width="100%",
                margin_top="12px",
            ),
            rx.fragment(),
        ),
        margin_top="16px",
    )


def _charts() -> rx.Component:
    """Received and closed per month, and each unit's rates; each chart has its numbers in a table beside
    it, for reading exact values (and for screen readers)."""
    units = rx.recharts.bar_chart(
        rx.recharts.bar(data_key="按期办结率", fill="#0e67b9"),
        rx.recharts.bar(data_key="满意率", fill="#945808"),
        rx.recharts.x_axis(
            data_key="unit", interval=0, angle=-40, height=96, tick={"fontSize": 11, "textAnchor": "end"}
        ),
        rx.recharts.y_axis(domain=[0, 100]),
        rx.recharts.legend(),
        rx.recharts.graphing_tooltip(),
        data=R.unit_points,
        width="100%",
        height=330,
    )
    return card(
        rx.heading("近12个月受理与办结", size="4", as_="h2", margin_bottom="8px"),
        monthly_chart(R.series),
        rx.heading(R.period_label, " 各单位按期办结率与满意率(%)", size="4", as_="h2", margin_y="8px"),
        rx.box(units, width="100%"),
        rx.text("各单位的准确数值见上方“各单位办理情况表”。", size="1", color_scheme="gray"),
        margin_top="16px",
    )


def reports_page() -> rx.Component:
    return staff_page(
        "统计通报",
        export_card(),
        rx.cond(AuthState.viewer["role"] == "dispatcher", import_card(), rx.fragment()),
        rx.cond(AuthState.viewer["role"] != "handler", _figures(), rx.fragment()),
    )


def _figures() -> rx.Component:
    return rx.fragment(
        card(_period_form()),
        loading_or(
            R.loaded,
            rx.fragment(
                card(
                    rx.heading(R.period_label, " 各单位办理情况", size="4", as_="h2", margin_bottom="8px"),
                    rx.cond(
                        R.rows.length() > 0,
                        data_table(HEADERS, R.rows, _figures_row, label="各单位办理情况表"),
                        empty("没有承办单位"),
                    ),
                    rx.text(
                        "按时签收率 = 按时签收 / 收件;按期办结率 = 按期办结 / (办结 + 超期未办结);"
                        "满意率 = 基本满意及以上 / 参评(无法联系的不计)。红牌由每月黄牌累计折算。",
                        size="1",
                        color_scheme="gray",
                        margin_top="8px",
                    ),
                    margin_top="16px",
                ),
                _charts(),
                breakdown_charts(),
                _bulletins(),
                class_counts_card(),
            ),
        ),
    )
