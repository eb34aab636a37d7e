"""Small shared pieces: status badges, pagers, file pickers, key-value lines."""

from __future__ import annotations

import json
from collections.abc import Callable

import reflex as rx

STATUS_COLORS = {
    "待受理": "orange",
    "退回待派": "amber",
    "待签收": "blue",
    "办理中": "cyan",
    "重办中": "crimson",
    "待评价": "violet",
    "核查中": "purple",
    "已办结": "green",
    "不予受理": "gray",
    "已撤回": "gray",
    "已反馈": "green",
    "已退回": "amber",
    "已撤销": "gray",
    "待审批": "orange",
    "已同意": "green",
    "已驳回": "red",
}


def status_badge(status) -> rx.Component:
    return rx.match(
        status,
        *[(name, rx.badge(name, color_scheme=color, variant="soft")) for name, color in STATUS_COLORS.items()],
        rx.badge(status, variant="soft"),
    )


def channel_badge(channel) -> rx.Component:
    """来源渠道 as a tag: 线上提交 plain, every channel where staff took the demand in highlighted."""
    return rx.badge(channel, color_scheme=rx.cond(channel == "线上提交", "gray", "indigo"), variant="outline")


def due_text(row) -> rx.Component:
    return rx.cond(
        row["days_left"] != "",
        rx.text(
            row["due_at"],
            " · ",
            row["days_left"],
            size="1",
            color=rx.cond(row["overdue"], "var(--red-11)", "var(--gray-11)"),
            weight=rx.cond(row["overdue"], "bold", "regular"),
        ),
        rx.fragment(),
    )


def tabbed(state, tabs: list[str], panel: Callable[[], rx.Component], *, label: str, counts=None) -> rx.Component:
    """Radix tabs over a server-side list: ``state.tab`` is the selected tab, ``state.set_tab`` loads it.
    Real tablist semantics (role tab, aria-selected, arrow keys between tabs; manual activation, so
    moving through the tabs by keyboard does not load each one). ``panel()`` draws the list."""

    def trigger(tab: str) -> rx.Component:
        text = rx.text.span(tab, " (", counts[tab].to_string(), ")") if counts is not None else tab
        return rx.tabs.trigger(text, value=tab)

    return rx.tabs.root(
        rx.tabs.list(*[trigger(tab) for tab in tabs], aria_label=label, margin_bottom="12px", wrap="wrap"),
        *[rx.tabs.content(panel(), value=tab) for tab in tabs],
        value=state.tab,
        on_change=state.set_tab,
        activation_mode="manual",
    )


def loading_or(loaded, content: rx.Component) -> rx.Component:
    """``content`` once the server has answered; until then a busy marker that screen readers announce
    (and the tests wait on), never an empty-list message that is not yet true."""
    return rx.cond(
        loaded,
        content,
        rx.hstack(
            rx.spinner(size="2"),
            rx.text("加载中…", size="2"),
            role="status",
            aria_busy="true",
            align="center",
            padding="16px",
        ),
    )


def ruled_list(items, entry, *, empty_text: str, margin: str = "0") -> rx.Component:
    """A plain list of ``items``, a rule under each (``entry(item)`` gives an item's children), or
    ``empty_text`` when there is none: the short lists of the home pages."""
    return rx.cond(
        items.length() > 0,
        rx.el.ul(
            rx.foreach(
                items, lambda item: rx.el.li(*entry(item), padding_y="6px", border_bottom="1px solid var(--gray-4)")
            ),
            list_style="none",
            padding="0",
            margin=margin,
        ),
        rx.text(empty_text, size="2", padding_y="8px"),
    )


def list_caption(count, unit: str, order: str) -> rx.Component:
    """“共 N 条,按…” above a list: how many there are and in which order (issue #21)."""
    return rx.text("共 ", count, f" {unit},{order}", size="2", color="var(--gray-11)", margin_bottom="8px")


def pager(state) -> rx.Component:
    return rx.hstack(
        rx.button(
            "上一页", size="1", variant="soft", disabled=state.page <= 1, on_click=state.goto_page(state.page - 1)
        ),
        rx.text("第 ", state.page, " / ", state.pages, " 页", size="2"),
        rx.button(
            "下一页",
            size="1",
            variant="soft",
            disabled=state.page >= state.pages,
            on_click=state.goto_page(state.page + 1),
        ),
        align="center",
        justify="end",
        width="100%",
        margin_top="12px",
    )


def _keyboard_file_input(upload: rx.Component, name: str) -> rx.Component:
    """Make react-dropzone's hidden file input the keyboard control, with an accessible name: it takes
    the Tab focus (the zone shows the focus ring, assets/a11y.css) and Enter or Space opens the file
    chooser natively. ``rx.upload`` spreads ``getInputProps()`` without arguments; it accepts props to
    merge, so the call is rewritten with them. The zone itself stays a mouse and drop target only
    (``no_keyboard``), so there is one focus stop and no control inside another."""
    props = json.dumps({"aria-label": name, "tabIndex": 0}, ensure_ascii=False)
    pending = [upload]
    while pending:
        component = pending.pop()
        pending.extend(getattr(component, "children", []))
        if getattr(component, "tag", "") != "input":
            continue
        specials = component.special_props or []
        for i, special in enumerate(specials):
            if str(special).endswith("()"):
                specials[i] = rx.Var(_js_expr=f"{str(special)[:-2]}({props})", _var_data=special._get_all_var_data())
    return upload


ATTACHMENT_HINT = "选择文件(pdf、jpg、png、doc、docx、xls、xlsx,每个≤20MB,最多5个)"


def file_picker(
    state, upload_id: str, label: str = "附件", *, hint: str = ATTACHMENT_HINT, most: int = 5
) -> rx.Component:
    """Files are checked and parked privately the moment they are chosen; the list shows what will go.
    ``hint`` says which files the caller's service accepts; ``most`` is how many at once."""
    return rx.vstack(
        rx.text(label, weight="medium", size="2"),
        _keyboard_file_input(
            rx.upload(
                rx.hstack(rx.icon("paperclip", size=16, aria_hidden="true"), rx.text(hint, size="2"), align="center"),
                id=upload_id,
                multiple=most > 1,
                max_files=most,
                border="1px dashed var(--gray-7)",
                padding="10px",
                border_radius="8px",
                width="100%",
                cursor="pointer",
                on_drop=state.upload(rx.upload_files(upload_id=upload_id)),
            ),
            f"{label}:{hint}",
        ),
        rx.foreach(
            state.staged_names,
            lambda name, i: rx.hstack(
                rx.icon("file", size=14),
                rx.text(name, size="2"),
                rx.button("移除", size="1", variant="ghost", type="button", on_click=state.remove_staged(i)),
                align="center",
            ),
        ),
        rx.cond(
            state.errors.contains("files"),
            rx.text(state.errors["files"], color="var(--red-11)", size="1", role="alert", id="files-error"),
            rx.fragment(),
        ),
        spacing="1",
        width="100%",
    )


def kv(label: str, value) -> rx.Component:
    return rx.hstack(
        rx.text(label, color_scheme="gray", size="2", min_width="90px"),
        rx.text(value, size="2"),
        align="start",
        spacing="2",
    )


def empty(text: str) -> rx.Component:
    return rx.text(text, color_scheme="gray", size="2", padding="16px")


def data_table(headers: list[str], rows, render, *, label: str = "", wrap: bool = False) -> rx.Component:
    """A table of server-paged rows; scrolls sideways on a phone instead of squeezing the columns. The
    scrolling box is a named, focusable region, so a keyboard can scroll it too (WCAG 2.1.1); the table
    itself is never narrower than its content, so only that box scrolls. With ``wrap`` long texts (a row's
    errors) wrap inside the box's width instead of running past its right edge."""
    box = rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, render)),
            width="100%",
            min_width="100%" if wrap else "max-content",
            class_name="wrapping-table" if wrap else "",
        ),
        overflow_x="auto",
        width="100%",
        tab_index=0,
        role="region",
        aria_label=label or "数据表格(可横向滚动)",
    )
    if wrap or len(headers) < 4:
        return box
    # A phone hides the scrollbar, so the columns past the edge (状态, 期限, the row's buttons) looked absent
    # (phone walk at 390 px): below 768 px the table says that it scrolls.
    hint = rx.text("← 表格可左右滑动,查看全部列 →", size="1", color_scheme="gray", display=["block", "block", "none"])
    return rx.box(hint, box, width="100%")


def active_badge(is_active: rx.Var) -> rx.Component:
    """正常 / 已停用 for an account."""
    return rx.cond(is_active, rx.badge("正常", color_scheme="green"), rx.badge("已停用", color_scheme="gray"))


def download_link(label, href, **props) -> rx.Component:
    """A link to a file served by an /api route. Reflex turns an in-site href into a router link (the
    click would stay inside the app), so it opens as an external link: the browser fetches the file."""
    return rx.link(label, href=href, is_external=True, size="2", **props)
