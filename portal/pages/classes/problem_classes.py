"""/staff/classes (候选 groups, 已确认 classes with their counts, 已忽略; 重新分析) and one group's page: its
members with their status, 确认为一类问题 (名称, 牵头单位, 类问题答复), 移出, 按编号加入, 发送答复."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import ClassStatus
from portal.pages.components.forms import select_field, text_field, textarea_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, empty, kv, list_caption, loading_or, status_badge, tabbed
from portal.state.classes.problem_classes import TABS, ClassCountsState, ClassDetailState, ClassesState

C, D = ClassesState, ClassDetailState


def _row(c) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(c["name"], href=c["link"])),
        rx.table.cell(c["topic"]),
        rx.table.cell(c["town"]),
        rx.table.cell(c["size"]),
        rx.table.cell(c["open"]),
        rx.table.cell(c["closed"]),
        rx.table.cell(rx.cond(c["lead_unit"] != "", c["lead_unit"], c["units"])),
        rx.table.cell(c["window"]),
    )


def _table(rows, *, unit: str, order: str, units_header: str, label: str, empty_text: str) -> rx.Component:
    """Groups or classes as one table under its count and order, or ``empty_text`` when there are none."""
    headers = ["名称", "诉求事项", "镇街", "诉求数", "未办结", "已办结", units_header, "提交时间"]
    return rx.cond(
        rows.length() > 0,
        rx.box(list_caption(rows.length(), unit, order), data_table(headers, rows, _row, label=label)),
        empty(empty_text),
    )


def _list() -> rx.Component:
    return _table(
        C.rows,
        unit="组",
        order="按成员数从多到少",
        units_header="牵头单位 / 承办单位",
        label="一类问题列表",
        empty_text="暂无分组",
    )


def class_counts_card() -> rx.Component:
    """统计通报: counts by 一类问题."""
    k = ClassCountsState
    return card(
        rx.heading("一类问题统计", size="4", as_="h2"),
        loading_or(
            k.loaded,
            _table(
                k.rows,
                unit="类",
                order="按诉求数从多到少",
                units_header="牵头单位",
                label="一类问题统计表",
                empty_text="暂无已确认的一类问题",
            ),
        ),
        margin_top="16px",
    )


def classes_page() -> rx.Component:
    return staff_page(
        "一类问题",
        loading_or(
            C.loaded,
            card(
                rx.hstack(
                    rx.text(
                        "每晚自动分析当天新诉求:同一诉求事项、同一镇街、90天内文字相近的诉求归为候选组。",
                        size="2",
                        color="var(--gray-11)",
                    ),
                    rx.spacer(),
                    rx.cond(
                        C.may_act,
                        rx.button("重新分析", type="button", loading=C.analysing, on_click=C.regroup),
                        rx.fragment(),
                    ),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
                tabbed(C, TABS, _list, label="分组状态"),
            ),
        ),
    )


def _member(m) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(m["code"], href=m["link"])),
        rx.table.cell(m["title"]),
        rx.table.cell(m["enterprise"]),
        rx.table.cell(status_badge(m["status"])),
        rx.table.cell(m["lead_unit"]),
        rx.table.cell(m["created_at"]),
        rx.table.cell(m["similarity"]),
        rx.table.cell(rx.cond(m["answered"], rx.badge("已发送", color_scheme="green"), rx.text("未发送"))),
        rx.cond(
            D.may_act,
            rx.table.cell(
                rx.button(
                    "移出", size="1", variant="soft", color_scheme="red", type="button", on_click=D.remove(m["id"])
                )
            ),
            rx.fragment(),
        ),
    )


def _members() -> rx.Component:
    headers = ["诉求编号", "标题", "企业", "状态", "承办单位", "提交时间", "相似度", "类问题答复"]
    return card(
        rx.heading("成员诉求", size="4", as_="h2"),
        list_caption(D.members.length(), "件", "按提交时间从早到晚"),
        rx.cond(
            D.may_act,
            data_table([*headers, "操作"], D.members, _member, label="成员诉求"),
            data_table(headers, D.members, _member, label="成员诉求"),
        ),
        rx.cond(
            D.may_act & (D.detail["status"] != ClassStatus.DISMISSED.value),
            rx.form(
                rx.hstack(
                    text_field("按编号加入", "code", errors=D.errors, placeholder="诉求编号,如 QS202611260001"),
                    rx.button("加入", type="submit"),
                    align="end",
                ),
                on_submit=D.add,
                reset_on_submit=True,
            ),
            rx.fragment(),
        ),
    )


def _answer_form() -> rx.Component:
    d = D.detail
    return card(
        rx.heading(
            rx.cond(d["status"] == ClassStatus.CANDIDATE.value, "确认为一类问题", "类问题答复"), size="4", as_="h2"
        ),
        rx.form(
            text_field("名称", "name", errors=D.errors, default_value=d["name"], max_length=60),
            select_field(
                "牵头单位", "lead_unit_id", D.units, errors=D.errors, default_value=d["lead_unit_id"].to_string()
            ),
            textarea_field(
                "类问题答复",
                "answer",
                errors=D.errors,
                default_value=d["answer"],
                max_length=2000,
                placeholder="政策层面的统一答复,可引用相关政策",
            ),
            rx.hstack(
                rx.button(
                    rx.cond(d["status"] == ClassStatus.CANDIDATE.value, "确认为一类问题", "保存答复"), type="submit"
                ),
                rx.cond(
                    d["status"] == ClassStatus.CANDIDATE.value,
                    rx.button("忽略", type="button", variant="soft", color_scheme="gray", on_click=D.dismiss),
                    rx.button("发送答复", type="button", variant="soft", on_click=D.send),
                ),
                margin_top="8px",
            ),
            on_submit=D.confirm,
            reset_on_submit=False,
            key=d["version"].to_string(),
        ),
    )


def _summary() -> rx.Component:
    d = D.detail
    return card(
        rx.hstack(rx.heading(rx.cond(d["name"] != "", d["name"], "候选组"), size="4", as_="h2"), rx.badge(d["status"])),
        kv("诉求事项", d["topic"]),
        kv("镇街", d["town"]),
        kv("牵头单位", d["lead_unit"]),
        kv("确认时间", d["confirmed_at"]),
        rx.cond(D.may_act, rx.fragment(), kv("类问题答复", d["answer"])),
    )


def class_detail_page() -> rx.Component:
    return staff_page(
        "一类问题详情",
        rx.link("← 返回一类问题", href=routes.STAFF_CLASSES, size="2"),
        loading_or(
            D.loaded,
            rx.cond(
                D.not_found,
                card(rx.text("未找到该一类问题,或您无权查看。", size="2")),
                rx.vstack(
                    _summary(),
                    rx.cond(
                        D.may_act & (D.detail["status"] != ClassStatus.DISMISSED.value), _answer_form(), rx.fragment()
                    ),
                    _members(),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
    )
