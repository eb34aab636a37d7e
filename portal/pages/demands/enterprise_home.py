"""/my: the enterprise's home — a guide the first time, its newest demands, unread 消息, 为您推荐."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.pages.components.layout import card, enterprise_page
from portal.pages.components.promise import promise_list
from portal.pages.components.widgets import loading_or, ruled_list, status_badge
from portal.state.auth import AuthState
from portal.state.demands.enterprise_home import EnterpriseHomeState as S

_STEPS = [
    ("提交诉求", "点击“提交诉求”,选择诉求类型和事项,写清问题、联系人和电话,可上传附件。"),
    ("受理派单", "推进中心受理后派给承办单位;能依据政策直接答复的咨询,当场即时答复。"),
    ("限时办理", "承办单位签收后按时限办理,进展和答复会发到“消息”,也可在“我的诉求”中查看。"),
    ("评价销号", "收到答复后请评价;不满意的将退回重新办理,直到问题解决。"),
]


def _section(title: str, note, *children, **props) -> rx.Component:
    return card(
        rx.heading(title, size="4", as_="h2"),
        rx.text(note, size="1", color="var(--gray-11)", margin_bottom="6px"),
        *children,
        role="region",
        aria_label=title,
        **props,
    )


def _guide() -> rx.Component:
    steps = rx.el.ol(
        *[rx.el.li(rx.text.strong(title), ":", text, padding_y="3px") for title, text in _STEPS],
        padding_left="1.4em",
        margin="4px 0 8px",
        font_size="14px",
    )
    return _section(
        "办事指引",
        "第一次使用?三分钟了解诉求怎么提、提交以后会怎样、多久办结。",
        steps,
        rx.heading("办理时限", size="3", as_="h3", margin_y="6px"),
        promise_list(S.promise),
        rx.link(rx.button("提交诉求", size="3"), href=routes.MY_DEMAND_NEW, margin_top="12px"),
        border_left="4px solid var(--red-9)",
    )


def _recent_row(row) -> tuple[rx.Component, ...]:
    href = routes.MY_DEMANDS + "/" + row["id"].to_string()
    return (
        rx.flex(
            rx.link(row["title"], href=href, weight="medium"),
            status_badge(row["status"]),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(row["code"], " · 提交于 ", row["created_at"], size="1", color="var(--gray-11)"),
    )


def _recent() -> rx.Component:
    return _section(
        "最近诉求",
        rx.text.span("共 ", S.demand_total, " 件,按提交时间从新到旧,显示最近 ", S.recent.length(), " 件"),
        ruled_list(S.recent, _recent_row, empty_text="暂无诉求。"),
        rx.flex(
            rx.link("查看全部诉求 →", href=routes.MY_DEMANDS, size="2"),
            rx.link("提交诉求", href=routes.MY_DEMAND_NEW, size="2"),
            spacing="4",
            margin_top="8px",
        ),
    )


def _unread() -> rx.Component:
    return _section(
        "未读消息",
        rx.text.span("共 ", AuthState.unread, " 条未读,按时间从新到旧"),
        ruled_list(
            S.unread_items,
            lambda n: (
                rx.cond(n["link"] != "", rx.link(n["title"], href=n["link"]), rx.text(n["title"])),
                rx.text(n["at"], size="1", color="var(--gray-11)"),
            ),
            empty_text="暂无未读消息。",
        ),
        rx.link("全部消息 →", href=routes.MY_NOTIFICATIONS, size="2", margin_top="8px"),
    )


def _recommended() -> rx.Component:
    return _section(
        "为您推荐",
        rx.text.span("与企业所属行业、规模、镇街相符的政策 ", S.recommendations.length(), " 条,匹配项多的在前"),
        ruled_list(
            S.recommendations,
            lambda p: (
                rx.link(p["title"], href=routes.POLICIES + "/" + p["id"].to_string()),
                rx.text(p["reason"], size="1", color="var(--gray-11)"),
            ),
            empty_text="暂无匹配的政策,完善企业信息后推荐会更准确。",
        ),
        rx.link("政策一站查 →", href=routes.POLICIES, size="2", margin_top="8px"),
    )


def enterprise_home() -> rx.Component:
    return enterprise_page(
        "企业首页",
        loading_or(
            S.loaded,
            rx.vstack(
                rx.cond(S.first_time, _guide(), rx.fragment()),
                rx.grid(_recent(), _unread(), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
                _recommended(),
                rx.cond(
                    S.first_time,
                    rx.fragment(),
                    rx.el.details(
                        rx.el.summary("办事指引与办理时限", cursor="pointer", font_weight="600"),
                        rx.box(_guide(), margin_top="8px"),
                        width="100%",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
