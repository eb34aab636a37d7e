"""/staff/visits: 本周征询, 新增走访 and 走访记录 with each visit's 发现问题 and the demands they became."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.forms import date_field, field_grid, text_field, textarea_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, empty, kv, loading_or
from portal.pages.enterprises.collecting import convert_form, enterprise_lookup, problems_table, rows_error
from portal.state.enterprises.visits import VisitsState as V


def _week() -> rx.Component:
    return card(
        rx.heading("本周征询", size="4", as_="h2"),
        rx.text(
            "各镇街每周征询不少于一次(走访与座谈会合计);周四仍未征询的镇街将收到提醒。", size="1", color_scheme="gray"
        ),
        data_table(
            ["镇街", "走访", "座谈会", "合计"],
            V.week,
            lambda c: rx.table.row(
                rx.table.cell(c["unit"]),
                rx.table.cell(c["visits"]),
                rx.table.cell(c["meetings"]),
                rx.table.cell(rx.cond(c["total"] > 0, rx.text(c["total"]), rx.badge("0", color_scheme="red"))),
            ),
            label="本周征询",
        ),
    )


def _new_visit() -> rx.Component:
    return card(
        rx.heading("新增走访", size="4", as_="h2"),
        enterprise_lookup(V, "走访企业"),
        rx.form(
            field_grid(
                date_field("走访日期", "visited_on", errors=V.errors),
                text_field("走访人员", "visitors", errors=V.errors, max_length=200),
            ),
            textarea_field("走访情况", "summary", errors=V.errors, rows="3", max_length=2000),
            rx.text("发现问题(每行一条,空行不登记)", weight="medium", size="2", margin_top="8px"),
            rx.foreach(
                V.rows,
                lambda i: rx.text_area(
                    name="problem_" + i.to_string(),
                    aria_label="发现问题 " + (i + 1).to_string(),
                    rows="2",
                    max_length=1000,
                    width="100%",
                ),
            ),
            rows_error(V),
            rx.hstack(
                rx.button("添加一行", type="button", variant="soft", on_click=V.add_row),
                rx.button("保存走访", type="submit"),
                margin_top="8px",
            ),
            on_submit=V.record,
            reset_on_submit=False,
            key=V.form_version.to_string(),
        ),
    )


def _visit_row(v) -> rx.Component:
    return rx.table.row(
        rx.table.cell(v["visited_on"]),
        rx.table.cell(v["enterprise"]),
        rx.table.cell(v["unit"]),
        rx.table.cell(v["visitors"]),
        rx.table.cell(v["problems"]),
        rx.table.cell(v["demands"]),
        rx.table.cell(rx.button("查看", size="1", variant="soft", type="button", on_click=V.open_visit(v["id"]))),
    )


def _opened() -> rx.Component:
    o = V.opened
    return rx.cond(
        V.opened_id > 0,
        card(
            rx.hstack(
                rx.heading("走访详情", size="4", as_="h2"),
                rx.spacer(),
                rx.button("关闭", size="1", variant="ghost", type="button", on_click=V.close_visit),
                width="100%",
            ),
            kv("走访日期", o["visited_on"]),
            kv("走访企业", o["enterprise"]),
            kv("走访单位", o["unit"]),
            kv("走访人员", o["visitors"]),
            kv("走访情况", o["summary"]),
            problems_table(V, "发现问题"),
            convert_form(V),
        ),
        rx.fragment(),
    )


def visits_page() -> rx.Component:
    return staff_page(
        "走访记录",
        loading_or(
            V.loaded,
            rx.vstack(
                _week(),
                rx.cond(V.may_record, _new_visit(), rx.fragment()),
                _opened(),
                card(
                    rx.heading("走访记录", size="4", as_="h2"),
                    rx.cond(
                        V.visits.length() > 0,
                        data_table(
                            ["走访日期", "走访企业", "走访单位", "走访人员", "发现问题", "已转诉求", "操作"],
                            V.visits,
                            _visit_row,
                            label="走访记录",
                        ),
                        empty("暂无走访记录"),
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
