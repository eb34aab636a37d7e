"""类似诉求 beside a demand being written, and 我关注的诉求 on /my/demands (issue #26). Layout only."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.forms import text_field
from portal.pages.components.layout import card
from portal.pages.components.widgets import list_caption, loading_or, ruled_list, status_badge
from portal.state.classes.follows import FollowedDemandsState

# The look of a suggestion beside a form (policies that may answer a 咨询, 类似诉求).
SUGGESTION_BOX = {
    "background": "var(--amber-2)",
    "border": "1px solid var(--amber-7)",
    "border_radius": "8px",
    "padding": "10px",
    "width": "100%",
}


def typed_title(state, errors, also=None) -> rx.Component:
    """标题, whose value is noted for 类似诉求 when the field is left (and passed to ``also`` too)."""

    def left(value):
        noted = state.note_typed("title", value)
        return [also(value), noted] if also is not None else noted

    return text_field(
        "标题", "title", errors=errors, max_length=50, placeholder="一句话概括诉求(50字以内)", on_blur=left
    )


def _progress(row) -> rx.Component:
    return rx.text("最新进展:", row["progress"], "(", row["progress_at"], ")", size="1", color="var(--gray-11)")


def _suggestion(state, row, may_follow: bool) -> rx.Component:
    follow = rx.cond(
        row["followed"],
        rx.badge("已关注", color_scheme="green", variant="soft"),
        rx.button("关注", type="button", size="1", variant="soft", on_click=state.follow_similar(row["key"])),
    )
    return rx.el.li(
        rx.hstack(
            rx.cond(
                row["mine"],
                rx.link(row["code"], " ", row["title"], href=row["link"], is_external=True),
                rx.text("其他企业的", row["topic"], "诉求", size="2", weight="medium"),
            ),
            status_badge(row["status"]),
            rx.badge(row["likeness"], variant="outline"),
            rx.cond(row["same_town"], rx.badge("同镇街", color_scheme="indigo", variant="outline"), rx.fragment()),
            rx.cond(row["mine"], rx.fragment(), follow) if may_follow else rx.fragment(),
            wrap="wrap",
            align="center",
            spacing="2",
        ),
        _progress(row),
        padding_y="6px",
        border_bottom="1px solid var(--amber-5)",
    )


def similar_panel(state, *, may_follow: bool) -> rx.Component:
    """Up to five similar open or recent demands (same 镇街 first); never blocks the form. The panel sits
    in a polite live region, so a screen reader hears that it appeared when a field is left."""
    hint = (
        "以下诉求与您正在填写的相似(办理中的和近期办结的)。可点击“关注”接收其进展,不必重复提交;不是同一件事的,仍可点击下方“提交诉求”。"
        if may_follow
        else "已有相似诉求(同镇街的排在前面)。登记前可先查看,避免重复登记;不是同一件事的,仍可点击下方“登记诉求”。"
    )
    panel = rx.cond(
        state.similar.length() > 0,
        rx.box(
            rx.heading("类似诉求", size="3", as_="h2", margin_bottom="4px"),
            rx.text(hint, size="2", margin_bottom="4px"),
            rx.text("共 ", state.similar.length(), " 件,同镇街的在前,再按相似程度", size="1", color="var(--gray-11)"),
            rx.el.ul(
                rx.foreach(state.similar, lambda row: _suggestion(state, row, may_follow)),
                list_style="none",
                padding="0",
                margin="0",
            ),  # fmt: skip
            role="region",
            aria_label="类似诉求",
            **SUGGESTION_BOX,
        ),
        rx.fragment(),
    )
    return rx.box(panel, aria_live="polite", width="100%")


def _followed_entry(row) -> list[rx.Component]:
    return [
        rx.hstack(
            rx.text(row["topic"], "诉求", size="2", weight="medium"),
            status_badge(row["status"]),
            rx.button(
                "取消关注",
                type="button",
                size="1",
                variant="ghost",
                aria_label="取消关注:" + row["topic"].to(str) + "诉求(" + row["status"].to(str) + ")",
                on_click=FollowedDemandsState.unfollow(row["id"]),
            ),
            wrap="wrap",
            align="center",
            spacing="2",
        ),
        _progress(row),
        rx.text("关注于 ", row["followed_at"], size="1", color="var(--gray-11)"),
    ]


def followed_section() -> rx.Component:
    """我关注的诉求: other enterprises' demands this one follows (public fields only)."""
    s = FollowedDemandsState
    return card(
        rx.heading("我关注的诉求", size="4", as_="h2", margin_bottom="8px"),
        loading_or(
            s.followed_loaded,
            rx.fragment(
                list_caption(s.followed.length(), "件", "按关注时间从新到旧"),
                ruled_list(
                    s.followed,
                    _followed_entry,
                    empty_text="暂无关注的诉求。填写诉求时如发现其他企业已反映同类问题,可点击“关注”接收进展。",
                ),
            ),
        ),
        margin_top="16px",
        role="region",
        aria_label="我关注的诉求",
    )
