"""/staff/supervision: 督办看板 — units coloured by this month's cards, overdue orders with 催办, the
supervision notices and whether they were read, 疑似虚假反馈 and the card history."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import CardColor
from portal.pages.components.forms import textarea_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, empty, loading_or
from portal.state.supervision.board import SupervisionState as S

_CARD_STYLE = {
    CardColor.RED: {"background": "#fee2e2", "border": "2px solid #b91c1c", "color": "#7f1d1d"},
    CardColor.YELLOW: {"background": "#fef9c3", "border": "2px solid #a16207", "color": "#713f12"},
    CardColor.GREEN: {"background": "#dcfce7", "border": "2px solid #15803d", "color": "#14532d"},
}


def _section(title: str, *children: rx.Component) -> rx.Component:
    return card(rx.heading(title, size="4", as_="h2", margin_bottom="8px"), *children, margin_top="16px")


def _demand_link(row) -> rx.Component:
    return rx.link(row["title"], href=routes.STAFF_DEMANDS + "/" + row["demand_id"].to_string())


def _unit_tile(unit) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(unit["unit"], weight="bold", size="2"),
            rx.spacer(),
            rx.text(unit["color"], weight="bold", size="2"),
            width="100%",
        ),
        rx.text("黄牌 ", unit["yellow"], " · 红牌 ", unit["red"], size="1"),
        rx.text("超期 ", unit["overdue"], " · 在办 ", unit["pending"], size="1"),
        rx.cond(unit["interviews"] > 0, rx.text("约谈主要负责人", size="1", weight="bold"), rx.fragment()),
        style=rx.match(unit["color"], *[(k, v) for k, v in _CARD_STYLE.items()], _CARD_STYLE[CardColor.GREEN]),
        border_radius="8px",
        padding="10px",
        role="listitem",
        aria_label=unit["unit"] + ":" + unit["color"],
    )


def _board() -> rx.Component:
    return rx.grid(
        rx.foreach(S.units, _unit_tile),
        columns=rx.breakpoints(initial="1", sm="2", md="3", lg="4"),
        spacing="3",
        width="100%",
        role="list",
        aria_label="承办单位亮牌情况",
    )


def _overdue_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["code"]),
        rx.table.cell(_demand_link(row)),
        rx.table.cell(row["unit"], " (", row["order_role"], ")"),
        rx.table.cell(row["due_at"]),
        rx.table.cell(rx.text("超期", row["days_overdue"], "个工作日", color="var(--red-11)", weight="bold", size="2")),
        rx.table.cell(row["urged"]),
        rx.table.cell(
            rx.cond(
                S.may_act,
                rx.cond(
                    row["urged_this_workday"],
                    rx.button("本工作日已催办", size="1", type="button", disabled=True),
                    rx.button("催办(每个工作日限一次)", size="1", type="button", on_click=S.urge(row["order_id"])),
                ),
                rx.text("—", size="1"),
            )
        ),
    )


def _notice_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["at"]),
        rx.table.cell(row["unit"]),
        rx.table.cell(row["kind"]),
        rx.table.cell(_demand_link(row)),
        rx.table.cell(row["message"]),
        rx.table.cell(
            rx.cond(row["read"], rx.badge("已读", color_scheme="green"), rx.badge("未读", color_scheme="orange"))
        ),
    )


def _card_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["month"]),
        rx.table.cell(row["unit"]),
        rx.table.cell(row["color"]),
        rx.table.cell(row["reason"]),
        rx.table.cell(row["at"]),
        rx.table.cell(
            rx.cond(row["revoked"], rx.text("已撤销:", row["revoke_reason"], size="2"), rx.text("有效", size="2"))
        ),
    )


def _revoke_form() -> rx.Component:
    return rx.cond(
        S.may_act & (S.standing_cards.length() > 0),
        rx.form(
            rx.vstack(
                rx.heading("撤销黄牌", size="3", as_="h3"),
                rx.el.label("黄牌", html_for="f-card_id", style={"fontWeight": 500, "fontSize": "var(--font-size-2)"}),
                rx.el.select(
                    rx.el.option("请选择", value=""),
                    rx.foreach(
                        S.standing_cards,
                        lambda c: rx.el.option(c["month"] + " " + c["unit"] + ":" + c["reason"], value=c["card_id"]),
                    ),
                    id="f-card_id",
                    name="card_id",
                    style={"height": "var(--space-6)", "width": "100%", "border": "1px solid var(--gray-7)"},
                ),
                textarea_field("撤销原因", "reason", errors=S.errors, rows="2", max_length=500),
                rx.button("撤销黄牌", type="submit", variant="outline"),
                spacing="2",
                width="100%",
                margin_top="12px",
            ),
            on_submit=S.revoke_card,
            reset_on_submit=True,
        ),
        rx.fragment(),
    )


def _board_card() -> rx.Component:
    return card(
        rx.hstack(
            rx.heading("亮牌情况", size="4", as_="h2"),
            rx.spacer(),
            rx.el.label("月份", html_for="f-board-month", style={"fontSize": "var(--font-size-2)"}),
            rx.el.select(
                rx.foreach(S.months, lambda m: rx.el.option(m, value=m)),
                id="f-board-month",
                value=S.month,
                on_change=S.set_month,
                style={"height": "var(--space-6)", "border": "1px solid var(--gray-7)"},
            ),
            align="center",
            width="100%",
            margin_bottom="8px",
        ),
        _board(),
    )


def _suspect_row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["code"]),
        rx.table.cell(_demand_link(r)),
        rx.table.cell(r["unit"]),
        rx.table.cell(r["feedback_at"]),
    )


def _listing(title: str, rows, headers: list[str], render, label: str, none: str, *extra) -> rx.Component:
    return _section(
        title,
        *extra[:1],
        rx.cond(rows.length() > 0, data_table(headers, rows, render, label=label), empty(none)),
        *extra[1:],
    )


def supervision_page() -> rx.Component:
    return staff_page(
        "督办",
        loading_or(
            S.loaded,
            rx.fragment(
                _board_card(),
                _listing(
                    "超期工单",
                    S.overdue,
                    ["编号", "标题", "承办单位", "办理期限", "超期", "已催办", "操作"],
                    _overdue_row,
                    "超期工单列表",
                    "没有超期工单",
                ),
                _listing(
                    "督办通知",
                    S.notices,
                    ["时间", "单位", "类型", "诉求", "内容", "阅读"],
                    _notice_row,
                    "督办通知列表",
                    "暂无督办通知",
                ),
                _listing(
                    "疑似虚假反馈",
                    S.suspects,
                    ["编号", "标题", "承办单位", "反馈时间"],
                    _suspect_row,
                    "疑似虚假反馈列表",
                    "没有疑似虚假反馈",
                    rx.text("企业评价时表示承办单位未与其联系的工单,请核实。", size="2", color_scheme="gray"),
                ),
                _listing(
                    "亮牌记录",
                    S.cards,
                    ["月份", "单位", "牌", "事由", "时间", "状态"],
                    _card_row,
                    "亮牌记录列表",
                    "暂无亮牌记录",
                    rx.fragment(),
                    _revoke_form(),
                ),
            ),
        ),
    )
