"""/staff/rectifications: 差评整改 — every 不满意 / 非常不满意 rating with its 整改期限, 整改情况, the re-rating,
the 推进中心's 回访 and 申诉复核. Layout only; ``RectificationsState`` acts."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import Satisfaction
from portal.pages.components.forms import choice_cards, score_fields, select_field, textarea_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, empty, file_picker, kv, loading_or
from portal.pages.demands.actions import form_card
from portal.state.demands.rectifications import RectificationsState as S

_STATUSES = [("整改中", "整改中"), ("待回访", "待回访"), ("核查中", "核查中"), ("已办结", "已办结")]
_YES_NO = [("是", "是"), ("否", "否")]


def _has(action: str):
    return S.panel["actions"].to(list[str]).contains(action)


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["code"], href=routes.STAFF_DEMANDS + "/" + r["demand_id"].to_string())),
        rx.table.cell(r["title"]),
        rx.table.cell(r["unit"]),
        rx.table.cell(r["last_bad"]),
        rx.table.cell(rx.text(r["due_at"], color=rx.cond(r["overdue"], "var(--red-11)", "inherit"))),
        rx.table.cell(rx.badge(r["status"], variant="soft")),
        rx.table.cell(r["on_time"]),
        rx.table.cell(r["rerating"]),
        rx.table.cell(r["appeal"]),
        rx.table.cell(rx.button("查看", size="1", variant="soft", on_click=S.select_case(r["case_id"]))),
    )


def _details() -> rx.Component:
    row = S.panel["row"]
    return card(
        rx.heading("案件 ", row["code"], size="4", margin_bottom="8px"),
        rx.vstack(
            kv("诉求", row["title"]),
            kv("承办单位", row["unit"]),
            kv("差评", row["satisfaction"]),
            kv("状态", row["status"]),
            kv("整改轮次", row["case_round"]),
            kv("整改期限", row["due_at"]),
            kv("整改情况", row["report"]),
            kv("反馈时间", row["reported_at"]),
            kv("再评价", row["rerating"]),
            kv("回访", row["revisit"]),
            kv("申诉复核", row["appeal"]),
            kv("申诉期限", S.panel["appeal_deadline"]),
            rx.cond(S.panel["appeal_reason"] != "", kv("申诉理由", S.panel["appeal_reason"]), rx.fragment()),
            rx.cond(S.panel["appeal_opinion"] != "", kv("复核意见", S.panel["appeal_opinion"]), rx.fragment()),
            rx.foreach(
                S.panel["appeal_files"].to(list[dict]),
                lambda f: rx.link(f["filename"], href=f["url"], is_external=True, size="2"),
            ),
            spacing="1",
            width="100%",
        ),
    )


def _unit_forms() -> rx.Component:
    return rx.fragment(
        rx.cond(
            _has("提交整改情况"),
            form_card(
                "提交整改情况",
                textarea_field("整改情况", "reply", errors=S.errors, rows="4", max_length=2000),
                textarea_field("解决方式", "method", errors=S.errors, rows="2", max_length=200),
                select_field("是否解决", "solved", _YES_NO, errors=S.errors),
                handler=S.report,
                button="提交整改情况",
            ),
            rx.fragment(),
        ),
        rx.cond(
            _has("申诉复核"),
            form_card(
                "申诉复核",
                textarea_field("申诉理由", "reason", errors=S.errors, rows="3", max_length=1000),
                file_picker(S, "appeal_files", "申诉材料"),
                handler=S.appeal,
                button="提交申诉",
            ),
            rx.fragment(),
        ),
    )


def _centre_forms() -> rx.Component:
    return rx.fragment(
        rx.cond(
            _has("回访"),
            form_card(
                "差评回访",
                textarea_field("回访情况", "note", errors=S.errors, rows="3", max_length=1000),
                rx.cond(
                    S.panel["needs_rating"].to(bool),
                    rx.vstack(
                        rx.text("企业尚未再评价,请在回访时代为登记:", size="2"),
                        choice_cards("满意度", "satisfaction", [s.value for s in Satisfaction], errors=S.errors),
                        select_field("是否已与您联系", "contacted", _YES_NO, errors=S.errors),
                        textarea_field("意见建议", "comment", errors=S.errors, rows="2", max_length=1000),
                        score_fields(S.errors),
                        width="100%",
                    ),
                    rx.fragment(),
                ),
                handler=S.revisit,
                button="登记回访",
            ),
            rx.fragment(),
        ),
        rx.cond(
            _has("复核申诉"),
            form_card(
                "复核申诉",
                select_field(
                    "复核结果", "decision", [("uphold", "申诉成立"), ("reject", "申诉不成立")], errors=S.errors
                ),
                textarea_field("复核意见", "opinion", errors=S.errors, rows="3", max_length=1000),
                handler=S.decide,
                button="提交复核",
            ),
            rx.fragment(),
        ),
    )


def rectifications_page() -> rx.Component:
    return staff_page(
        "差评整改",
        card(
            rx.text(
                "每条不满意、非常不满意评价转为差评整改案件:承办单位在整改期限内反馈整改情况,推进中心回访;"
                "差评后规定期限内承办单位可申请申诉复核。",
                size="2",
                color_scheme="gray",
                margin_bottom="8px",
            ),
            rx.box(
                select_field("状态", "status", _STATUSES, placeholder="全部", on_change=S.set_status),
                max_width="240px",
                margin_bottom="8px",
            ),
            loading_or(
                S.loaded,
                rx.cond(
                    S.rows.length() > 0,
                    data_table(
                        ["编号", "标题", "承办单位", "差评", "整改期限", "状态", "按期", "再评价", "申诉", "操作"],
                        S.rows,
                        _row,
                        label="差评整改案件",
                    ),
                    empty("暂无差评整改案件"),
                ),
            ),
        ),
        rx.cond(
            S.panel.contains("row"),
            rx.vstack(_details(), _unit_forms(), _centre_forms(), width="100%", spacing="4"),
            rx.fragment(),
        ),
    )
