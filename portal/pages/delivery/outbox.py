"""消息发送 (/admin/outbox): channels, counts by channel and status, failed messages with 重新发送."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, list_caption, loading_or
from portal.state.delivery.outbox import OutboxAdminState as O


def _channel(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["channel"]),
        rx.table.cell(rx.cond(row["configured"], rx.badge("已开通", color_scheme="green"), rx.badge("未开通"))),
        rx.table.cell(row["detail"]),
    )


def _count(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["channel"]),
        rx.table.cell(row["pending"]),
        rx.table.cell(row["sending"]),
        rx.table.cell(row["sent"]),
        rx.table.cell(row["failed"]),
    )


def _failed(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["at"]),
        rx.table.cell(row["channel"]),
        rx.table.cell(row["recipient"]),
        rx.table.cell(row["kind"], ":", row["title"]),
        rx.table.cell(row["attempts"]),
        rx.table.cell(row["error"]),
        rx.table.cell(
            rx.button(
                "重新发送",
                size="1",
                variant="soft",
                on_click=O.resend(row["id"]),
                aria_label="重新发送:" + row["title"].to(str),
            )
        ),
    )


def _failed_list() -> rx.Component:
    return rx.cond(
        O.failed.length() > 0,
        rx.vstack(
            list_caption(O.failed.length(), "条", "按生成时间从新到旧,最多显示50条"),
            data_table(
                ["生成时间", "渠道", "收件人", "通知", "尝试次数", "错误", "操作"],
                O.failed,
                _failed,
                label="发送失败的消息",
                wrap=True,
            ),
            width="100%",
        ),
        rx.text("没有发送失败的消息。", size="2", padding_y="8px"),
    )


def outbox_page() -> rx.Component:
    return staff_page(
        "消息发送",
        loading_or(
            O.loaded,
            rx.vstack(
                card(
                    rx.heading("发送渠道", size="4", as_="h2", margin_bottom="12px"),
                    data_table(["渠道", "状态", "配置"], O.channels, _channel, label="发送渠道", wrap=True),
                    rx.text(
                        "站内信始终发送;邮件、短信按每个人的通知设置发送,失败后依次等待1、5、15、60分钟重试。",
                        size="1",
                        color_scheme="gray",
                        margin_top="8px",
                    ),
                ),
                card(
                    rx.hstack(
                        rx.heading("发送情况", size="4", as_="h2"),
                        rx.button("刷新", size="1", variant="outline", on_click=O.refresh),
                        justify="between",
                        width="100%",
                        margin_bottom="12px",
                    ),
                    data_table(["渠道", "待发送", "发送中", "已发送", "失败"], O.counts, _count, label="发送情况"),
                ),
                card(rx.heading("发送失败", size="4", as_="h2", margin_bottom="12px"), _failed_list()),
                spacing="4",
                width="100%",
            ),
        ),
    )
