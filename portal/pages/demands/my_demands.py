"""The enterprise's demand pages: 我的诉求 (list) and 提交诉求 (form)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import DemandKind, DemandStatus
from portal.pages.classes.similar import SUGGESTION_BOX, followed_section, similar_panel, typed_title
from portal.pages.components.forms import phone_field, select_field, text_field, textarea_field
from portal.pages.components.layout import card, enterprise_page
from portal.pages.components.widgets import (
    channel_badge,
    data_table,
    empty,
    file_picker,
    loading_or,
    pager,
    status_badge,
)
from portal.state.demands.form import NewDemandState
from portal.state.demands.lists import MyDemandsState

# ── enterprise: list and form ───────────────────────────────────────────────────────────────


def _my_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["code"], href=routes.MY_DEMANDS + "/" + row["id"].to_string())),
        rx.table.cell(rx.link(row["title"], href=routes.MY_DEMANDS + "/" + row["id"].to_string())),
        rx.table.cell(row["kind"]),
        rx.table.cell(channel_badge(row["channel"])),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["lead_unit"]),
        rx.table.cell(row["created_at"]),
    )


def _status_filter() -> rx.Component:
    statuses = [("", "全部")] + [(s.value, s.value) for s in DemandStatus]
    return rx.flex(
        *[
            rx.button(
                label,
                size="1",
                type="button",
                variant=rx.cond(MyDemandsState.status_filter == value, "solid", "soft"),
                aria_pressed=rx.cond(MyDemandsState.status_filter == value, "true", "false"),
                on_click=MyDemandsState.set_status_filter(value),
            )
            for value, label in statuses
        ],
        spacing="2",
        wrap="wrap",
        margin_bottom="12px",
        role="group",
        aria_label="状态筛选",
    )


def my_demands() -> rx.Component:
    return enterprise_page(
        "我的诉求",
        card(
            _status_filter(),
            rx.cond(
                MyDemandsState.loaded,
                rx.text("共 ", MyDemandsState.total_label, " 件,按提交时间从新到旧", size="2", margin_bottom="8px"),
                rx.fragment(),
            ),
            loading_or(
                MyDemandsState.loaded,
                rx.cond(
                    MyDemandsState.total > 0,
                    data_table(
                        ["编号", "标题", "类型", "来源渠道", "状态", "承办单位", "提交时间"],
                        MyDemandsState.rows,
                        _my_row,
                    ),
                    empty("暂无诉求。点击“提交诉求”向我们反映问题。"),
                ),
            ),
            pager(MyDemandsState),
        ),
        rx.link(rx.button("提交诉求", size="3"), href=routes.MY_DEMAND_NEW, margin_top="12px"),
        followed_section(),
        rx.cond(
            MyDemandsState.recommendations.length() > 0,
            card(
                rx.heading("为您推荐", size="4", as_="h2", margin_bottom="8px"),
                rx.foreach(
                    MyDemandsState.recommendations,
                    lambda p: rx.hstack(
                        rx.link(p["title"], href=routes.POLICIES + "/" + p["id"].to_string()),
                        rx.text(p["reason"], size="1", color_scheme="gray"),
                        wrap="wrap",
                        align="center",
                        padding_y="4px",
                    ),
                ),
                margin_top="16px",
                role="region",
                aria_label="为您推荐的政策",
            ),
            rx.fragment(),
        ),
    )


def _kind_field(errors) -> rx.Component:
    kinds = [(k.value, k.value) for k in DemandKind]
    return select_field("诉求类型", "kind", kinds, errors=errors, on_change=NewDemandState.set_kind)


def _policy_suggestions() -> rx.Component:
    """For a 咨询: policies that may already answer it; each opens in a new tab, the form stays as typed."""
    return rx.cond(
        NewDemandState.suggestions.length() > 0,
        rx.box(
            rx.text("这些政策可能已经回答了您的问题:", weight="medium", size="2"),
            rx.foreach(
                NewDemandState.suggestions,
                lambda p: rx.box(
                    rx.link(p["title"], href=routes.POLICIES + "/" + p["id"].to_string(), is_external=True)
                ),
            ),
            role="status",
            **SUGGESTION_BOX,
        ),
        rx.fragment(),
    )


def new_demand() -> rx.Component:
    errors = NewDemandState.errors
    return enterprise_page(
        "提交诉求",
        card(
            rx.form(
                rx.vstack(
                    rx.grid(
                        _kind_field(errors),
                        select_field(
                            "诉求事项",
                            "topic_id",
                            NewDemandState.topics,
                            errors=errors,
                            on_change=lambda v: NewDemandState.note_typed("topic_id", v),
                        ),
                        select_field(
                            "建议解决部门",
                            "suggested_unit_id",
                            NewDemandState.units,
                            errors=errors,
                            placeholder="不确定(由推进中心分派)",
                        ),
                        columns=rx.breakpoints(initial="1", sm="3"),
                        spacing="3",
                        width="100%",
                    ),
                    typed_title(NewDemandState, errors, also=NewDemandState.suggest_policies),
                    textarea_field(
                        "诉求内容",
                        "content",
                        errors=errors,
                        max_length=2000,
                        rows="8",
                        placeholder="请写明遇到的问题、已办理的情况和具体诉求(10–2000字)",
                        on_blur=lambda v: [NewDemandState.suggest_policies(v), NewDemandState.note_typed("content", v)],
                    ),
                    _policy_suggestions(),
                    similar_panel(NewDemandState, may_follow=True),
                    rx.grid(
                        text_field("联系人", "contact_name", errors=errors, default_value=NewDemandState.contact_name),
                        phone_field(
                            "联系电话", "contact_phone", errors=errors, default_value=NewDemandState.contact_phone
                        ),
                        columns=rx.breakpoints(initial="1", sm="2"),
                        spacing="3",
                        width="100%",
                    ),
                    file_picker(NewDemandState, "demand_files"),
                    rx.button("提交诉求", type="submit", size="3"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=NewDemandState.submit_demand,
                reset_on_submit=False,
            )
        ),
    )
