"""每月一题: the public page (/monthly: each published month's theme, problems, tasks with units, due dates
and progress) and the staff page (/staff/monthly: the top five classes, 新增每月一题, 新增任务, 发布, and
更新进度 for a unit's own tasks)."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.forms import field_grid, select_field, text_field, textarea_field
from portal.pages.components.layout import card, page_title, public_page, staff_page
from portal.pages.components.widgets import data_table, empty, list_caption, loading_or
from portal.state.classes.monthly import MonthlyAdminState, MonthlyPublicState

A, P = MonthlyAdminState, MonthlyPublicState
_TASK_COLOURS = {"已完成": "green", "已逾期": "red", "进行中": "blue"}


def _task_status(status) -> rx.Component:
    return rx.match(
        status,
        *[(word, rx.badge(word, color_scheme=colour)) for word, colour in _TASK_COLOURS.items()],
        rx.badge(status),
    )


def _milestones(task) -> rx.Component:
    return rx.el.ul(
        rx.foreach(
            task["milestones"],
            lambda m: rx.el.li(rx.text(m["day"], " ", m["progress"].to_string(), "% ", m["note"], size="1")),
        ),
        margin="0",
        padding_left="16px",
    )


def _task_cells(task) -> list[rx.Component]:
    return [
        rx.table.cell(task["title"]),
        rx.table.cell(task["unit"]),
        rx.table.cell(task["due_on"]),
        rx.table.cell(
            rx.vstack(
                rx.progress(value=task["progress"], max=100, width="90px", aria_label="完成进度"),
                rx.text(task["progress"].to_string(), "%", size="1"),
                spacing="1",
            )
        ),
        rx.table.cell(_task_status(task["status"])),
        rx.table.cell(_milestones(task)),
    ]


_TASK_HEADERS = ["任务", "责任单位", "完成时限", "完成进度", "状态", "进展"]


def _problems(theme) -> rx.Component:
    return rx.el.ol(
        rx.foreach(theme["problems"], lambda p: rx.el.li(rx.text(p["text"], size="2"))),
        margin="0",
        padding_left="24px",
        list_style_type="decimal",
    )


def _theme_head(theme) -> list[rx.Component]:
    return [
        rx.hstack(
            rx.heading(theme["month"], " 每月一题:", theme["title"], size="4", as_="h2"),
            rx.badge("整体进度 ", theme["progress"].to_string(), "%", color_scheme="blue"),
            wrap="wrap",
            align="center",
        ),
        rx.cond(theme["summary"] != "", rx.text(theme["summary"], size="2"), rx.fragment()),
        rx.heading("问题", size="3", as_="h3"),
        _problems(theme),
        rx.heading("任务", size="3", as_="h3"),
    ]


def _public_theme(theme) -> rx.Component:
    return card(
        *_theme_head(theme),
        rx.cond(
            theme["tasks"].length() > 0,
            data_table(_TASK_HEADERS, theme["tasks"], lambda t: rx.table.row(*_task_cells(t)), label="任务进度"),
            empty("暂无任务"),
        ),
    )


def monthly_page() -> rx.Component:
    return public_page(
        page_title("每月一题", "每月从企业诉求中选取一类高频问题,明确任务、责任单位和完成时限,公开办理进度。"),
        loading_or(
            P.loaded,
            rx.cond(
                P.themes.length() > 0,
                rx.vstack(
                    list_caption(P.themes.length(), "个月", "按月份从新到旧"),
                    rx.foreach(P.themes, _public_theme),
                    spacing="4",
                    width="100%",
                ),
                empty("暂无已发布的每月一题"),
            ),
        ),
    )


# ── staff ────────────────────────────────────────────────────────────────────────────────────


def _report_form(task) -> rx.Component:
    return rx.form(
        rx.el.input(type="hidden", name="task_id", value=task["id"].to_string()),
        rx.hstack(
            rx.input(name="progress", aria_label="完成进度(%)", placeholder="进度%", width="72px", max_length=3),
            rx.input(name="note", aria_label="进展情况", placeholder="进展情况", max_length=200),
            rx.button("更新进度", size="1", type="submit"),
            spacing="1",
        ),
        on_submit=A.report,
        reset_on_submit=True,
    )


def _staff_task(task) -> rx.Component:
    return rx.table.row(
        *_task_cells(task), rx.table.cell(rx.cond(A.mine.contains(task["id"]), _report_form(task), rx.fragment()))
    )


def _task_form(theme) -> rx.Component:
    return rx.form(
        rx.el.input(type="hidden", name="theme_id", value=theme["id"].to_string()),
        rx.hstack(
            rx.el.select(
                rx.el.option("所属问题", value=""),
                rx.foreach(theme["problems"], lambda p: rx.el.option(p["text"], value=p["id"].to_string())),
                name="problem_id",
                aria_label="所属问题",
            ),
            rx.el.select(
                rx.el.option("责任单位", value=""),
                rx.foreach(A.units, lambda u: rx.el.option(u["name"], value=u["id"])),
                name="unit_id",
                aria_label="责任单位",
            ),
            rx.input(name="task_title", aria_label="任务内容", placeholder="任务内容", max_length=100),
            rx.input(name="due_on", aria_label="完成时限", placeholder="完成时限 年-月-日", width="130px"),
            rx.button("新增任务", size="1", type="submit"),
            spacing="1",
            wrap="wrap",
        ),
        on_submit=A.add_task,
        reset_on_submit=True,
        margin_top="8px",
    )


def _staff_theme(theme) -> rx.Component:
    return card(
        *_theme_head(theme),
        rx.cond(
            theme["tasks"].length() > 0,
            data_table([*_TASK_HEADERS, "更新进度"], theme["tasks"], _staff_task, label="任务进度"),
            empty("暂无任务"),
        ),
        rx.cond(
            A.may_plan,
            rx.vstack(
                _task_form(theme),
                rx.cond(
                    theme["published"],
                    rx.badge("已发布", color_scheme="green"),
                    rx.button("发布", size="1", type="button", on_click=A.publish(theme["id"])),
                ),
                width="100%",
            ),
            rx.fragment(),
        ),
    )


def _new_theme() -> rx.Component:
    return card(
        rx.heading("新增每月一题", size="4", as_="h2"),
        rx.text("候选主题(成员最多的一类问题):", size="2"),
        rx.cond(
            A.candidates.length() > 0,
            rx.el.ol(
                rx.foreach(A.candidates, lambda c: rx.el.li(rx.text(c["name"], "(", c["size"].to_string(), "件)"))),
                padding_left="24px",
                list_style_type="decimal",
            ),
            empty("暂无已确认的一类问题"),
        ),
        rx.form(
            field_grid(
                text_field("月份", "month", errors=A.errors, placeholder="年-月,如 2026-12", max_length=7),
                text_field("主题", "title", errors=A.errors, max_length=60),
            ),
            textarea_field("说明", "summary", errors=A.errors, rows="2", max_length=1000),
            *[
                field_grid(
                    select_field(
                        f"问题{i + 1}(一类问题)", f"class_{i}", A.candidates, value_key="class_id", placeholder="不关联"
                    ),
                    text_field(f"问题{i + 1}", f"problem_{i}", errors=A.errors, max_length=200),
                )
                for i in range(3)
            ],
            rx.button("保存每月一题", type="submit", margin_top="8px"),
            on_submit=A.create,
            reset_on_submit=False,
            key=A.form_version.to_string(),
        ),
    )


def monthly_admin_page() -> rx.Component:
    return staff_page(
        "每月一题",
        loading_or(
            A.loaded,
            rx.vstack(
                rx.cond(A.may_plan, _new_theme(), rx.fragment()),
                rx.cond(
                    A.themes.length() > 0,
                    rx.vstack(
                        list_caption(A.themes.length(), "个月", "按月份从新到旧"),
                        rx.foreach(A.themes, _staff_theme),
                        width="100%",
                        min_width="0",
                    ),
                    empty("暂无每月一题"),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
