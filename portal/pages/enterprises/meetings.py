"""/staff/meetings: 新增会议 (会议类型, 会议主题, 会议日期, 参会企业, 参会部门, 意见建议) and the meetings with each
suggestion's demand."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import MeetingKind
from portal.pages.components.forms import date_field, field_grid, select_field, text_field, textarea_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import data_table, empty, kv, loading_or
from portal.pages.enterprises.collecting import convert_form, enterprise_lookup, problems_table, rows_error
from portal.state.enterprises.meetings import MeetingsState as M

_KINDS = [(k.value, k.value) for k in MeetingKind]


def _units() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend("参会部门", style={"fontWeight": 500, "fontSize": "14px"}),
        rx.flex(
            rx.foreach(
                M.units,
                lambda u: rx.checkbox(
                    u["name"], checked=M.unit_ids.contains(u["id"]), on_change=lambda t: M.toggle_unit(u["id"], t)
                ),
            ),
            wrap="wrap",
            spacing="3",
        ),
        rx.cond(
            M.errors.contains("unit_ids"),
            rx.text(M.errors["unit_ids"], color="var(--red-11)", size="1", role="alert", id="unit_ids-error"),
            rx.fragment(),
        ),
        style={"border": "none", "padding": 0},
    )


def _suggestion(i) -> rx.Component:
    n = (i + 1).to_string()
    return rx.grid(
        rx.text_area(name="suggestion_" + i.to_string(), aria_label="意见建议 " + n, rows="2", max_length=1000),
        rx.el.select(
            rx.el.option("提出企业", value=""),
            rx.foreach(M.chosen, lambda c: rx.el.option(c["name"], value=c["id"].to_string())),
            name="suggestion_enterprise_" + i.to_string(),
            aria_label="意见建议 " + n + " 的提出企业",
        ),
        rx.el.select(
            rx.el.option("解决部门", value=""),
            rx.foreach(M.chosen_units, lambda u: rx.el.option(u["name"], value=u["id"])),
            name="suggestion_unit_" + i.to_string(),
            aria_label="意见建议 " + n + " 的解决部门",
        ),
        columns=rx.breakpoints(initial="1", md="3"),
        spacing="2",
        width="100%",
    )


def _new_meeting() -> rx.Component:
    return card(
        rx.heading("新增会议", size="4", as_="h2"),
        enterprise_lookup(M, "参会企业", name="enterprise_ids"),
        _units(),
        rx.form(
            field_grid(
                select_field("会议类型", "meeting_kind", _KINDS, errors=M.errors),
                text_field("会议主题", "meeting_title", errors=M.errors, max_length=100),
                date_field("会议日期", "held_on", errors=M.errors),
            ),
            textarea_field("会议情况", "meeting_summary", errors=M.errors, rows="2", max_length=2000),
            rx.text("意见建议(每条选提出企业和解决部门,空行不登记)", weight="medium", size="2", margin_top="8px"),
            rx.foreach(M.rows, _suggestion),
            rows_error(M),
            rx.hstack(
                rx.button("添加一行", type="button", variant="soft", on_click=M.add_row),
                rx.button("保存会议", type="submit"),
                margin_top="8px",
            ),
            on_submit=M.record,
            reset_on_submit=False,
            key=M.form_version.to_string(),
        ),
    )


def _meeting_row(m) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m["held_on"]),
        rx.table.cell(m["kind"]),
        rx.table.cell(m["title"]),
        rx.table.cell(m["enterprises"]),
        rx.table.cell(m["departments"]),
        rx.table.cell(m["problems"]),
        rx.table.cell(m["demands"]),
        rx.table.cell(rx.button("查看", size="1", variant="soft", type="button", on_click=M.open_meeting(m["id"]))),
    )


def _opened() -> rx.Component:
    o = M.opened
    return rx.cond(
        M.opened_id > 0,
        card(
            rx.hstack(
                rx.heading("会议详情", size="4", as_="h2"),
                rx.spacer(),
                rx.button("关闭", size="1", variant="ghost", type="button", on_click=M.close_meeting),
                width="100%",
            ),
            kv("会议类型", o["kind"]),
            kv("会议主题", o["title"]),
            kv("会议日期", o["held_on"]),
            kv("组织单位", o["unit"]),
            kv("参会企业", o["enterprises"]),
            kv("参会部门", o["departments"]),
            kv("会议情况", o["summary"]),
            problems_table(M, "意见建议"),
            convert_form(M),
        ),
        rx.fragment(),
    )


def meetings_page() -> rx.Component:
    return staff_page(
        "座谈会",
        loading_or(
            M.loaded,
            rx.vstack(
                rx.cond(M.may_record, _new_meeting(), rx.fragment()),
                _opened(),
                card(
                    rx.heading("会议记录", size="4", as_="h2"),
                    rx.cond(
                        M.meetings.length() > 0,
                        data_table(
                            [
                                "会议日期",
                                "会议类型",
                                "会议主题",
                                "参会企业",
                                "参会部门",
                                "意见建议",
                                "已转诉求",
                                "操作",
                            ],
                            M.meetings,
                            _meeting_row,
                            label="会议记录",
                        ),
                        empty("暂无会议记录"),
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
