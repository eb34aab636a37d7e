"""/track · 进度查询 (public): 诉求编号 + 联系电话后四位 → the status and the public timeline."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.forms import text_field
from portal.pages.components.layout import card, page_title, public_page
from portal.pages.components.widgets import channel_badge, kv, status_badge
from portal.state.enterprises.track import TrackState as T


def _event(e) -> rx.Component:
    return rx.box(
        rx.text(e["at"], " · ", e["who"], " · ", rx.text.strong(e["action"]), size="2"),
        rx.cond(
            e["detail"] != "",
            rx.text(e["detail"], size="2", color_scheme="gray", white_space="pre-wrap"),
            rx.fragment(),
        ),
        border_left="2px solid var(--accent-7)",
        padding_left="10px",
        padding_y="4px",
    )


def _result() -> rx.Component:
    r = T.result
    return card(
        rx.heading("诉求进度", size="4", as_="h2", margin_bottom="8px"),
        kv("诉求编号", r["code"]),
        kv("标题", r["title"]),
        rx.hstack(rx.text("当前状态", color_scheme="gray", size="2", min_width="90px"), status_badge(r["status"])),
        rx.hstack(rx.text("来源渠道", color_scheme="gray", size="2", min_width="90px"), channel_badge(r["channel"])),
        kv("登记时间", r["created_at"]),
        rx.heading("办理过程", size="3", as_="h3", margin_top="12px", margin_bottom="6px"),
        rx.foreach(r["events"].to(list[dict]), _event),
        margin_top="16px",
        role="region",
        aria_label="查询结果",
    )


def track_page() -> rx.Component:
    return public_page(
        page_title("进度查询", "无需登录:输入诉求编号和登记时留的联系电话后四位,查看办理进度。"),
        card(
            rx.form(
                rx.grid(
                    text_field("诉求编号", "code", errors=T.errors, max_length=30, placeholder="如QS202601010001"),
                    text_field(
                        "联系电话后四位",
                        "phone_tail",
                        errors=T.errors,
                        max_length=4,
                        placeholder="4位数字",
                        keyboard="numeric",
                    ),
                    rx.button("查询", type="submit", align_self="end", loading=T.busy),
                    columns=rx.breakpoints(initial="1", sm="3"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=T.lookup,
                reset_on_submit=False,
            )
        ),
        rx.cond(
            T.message != "",
            rx.callout(T.message, icon="info", color_scheme="gray", role="status", margin_top="16px"),
            rx.fragment(),
        ),
        rx.cond(T.result.contains("code"), _result(), rx.fragment()),
    )
