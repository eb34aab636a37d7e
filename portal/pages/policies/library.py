"""惠企政策一站查: the public search (/policies) and a policy's page (/policies/[policy_id])."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.pages.components.forms import text_field
from portal.pages.components.layout import card, public_page
from portal.pages.components.widgets import empty, loading_or, pager
from portal.state.policies.library import PolicyDetailState as D
from portal.state.policies.library import PolicySearchState as S


def _parts(parts) -> rx.Component:
    """Text with the matched words marked (<mark>, so it reads as highlighted to everyone)."""
    return rx.foreach(parts, lambda p: rx.cond(p["hit"], rx.el.mark(p["text"]), rx.text.span(p["text"])))


def _filter(label: str, name: str, options) -> rx.Component:
    field_id = f"f-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": 500, "fontSize": "var(--font-size-2)"}),
        rx.el.select(
            rx.el.option("全部", value=""),
            rx.foreach(options, lambda o: rx.el.option(o, value=o)),
            id=field_id,
            name=name,
            style={
                "height": "var(--space-6)",
                "width": "100%",
                "border": "1px solid var(--gray-7)",
                "background": "white",
                "borderRadius": "var(--radius-2)",
            },
        ),
        spacing="1",
        width="100%",
    )


def _search_form() -> rx.Component:
    return rx.form(
        rx.grid(
            text_field("关键词", "query", placeholder="如:融资、人才、用地、2026年", max_length=100),
            _filter("发布部门", "issuer", S.facets["issuers"]),
            _filter("行业", "industry", S.facets["industries"]),
            _filter("企业规模", "scale", S.facets["scales"]),
            _filter("事项", "topic", S.facets["topics"]),
            rx.el.label(
                rx.el.input(type="checkbox", name="include_expired"),
                rx.text.span(" 含已失效政策"),
                style={"display": "flex", "alignItems": "center", "fontSize": "var(--font-size-2)"},
            ),
            rx.button("搜索", type="submit", align_self="end"),
            columns=rx.breakpoints(initial="1", sm="2", md="4"),
            spacing="3",
            width="100%",
        ),
        on_submit=S.search,
        reset_on_submit=False,
        role="search",
    )


def _result(row) -> rx.Component:
    return rx.box(
        rx.link(
            rx.heading(_parts(row["title_parts"]), size="4", as_="h2"),
            href=routes.POLICIES + "/" + row["id"].to_string(),
        ),
        rx.text(row["issuer"], " · ", row["doc_number"], " · ", row["published_on"], size="2", color_scheme="gray"),
        rx.text(_parts(row["summary_parts"]), size="2"),
        rx.hstack(
            rx.cond(row["status"] == "已失效", rx.badge("已失效", color_scheme="gray"), rx.fragment()),
            rx.cond(row["tags"] != "", rx.text("标签:", row["tags"], size="1", color_scheme="gray"), rx.fragment()),
        ),
        border_bottom="1px solid var(--gray-4)",
        padding_y="12px",
        width="100%",
    )


def _no_match() -> rx.Component:
    return rx.vstack(
        empty("没有找到符合条件的政策。可以换个关键词,或减少筛选条件。"),
        rx.cond(
            S.suggestions.length() > 0,
            rx.flex(
                rx.text("试试:", size="2"),
                rx.foreach(
                    S.suggestions,
                    lambda w: rx.button(w, size="1", variant="soft", type="button", on_click=S.search_word(w)),
                ),
                spacing="2",
                wrap="wrap",
                align="center",
            ),
            rx.fragment(),
        ),
    )


def policy_search_page() -> rx.Component:
    return public_page(
        rx.heading("惠企政策一站查", size="6", as_="h1", margin_bottom="16px"),
        card(_search_form()),
        card(
            loading_or(
                S.loaded,
                rx.fragment(
                    rx.text(
                        rx.cond(S.searched_for != "", "“" + S.searched_for + "”", "全部政策"),
                        ":共 ",
                        S.total,
                        " 条",
                        size="2",
                        role="status",
                    ),
                    rx.cond(
                        S.total > 0, rx.vstack(rx.foreach(S.rows, _result), width="100%", spacing="0"), _no_match()
                    ),
                    pager(S),
                ),
            ),
            margin_top="16px",
        ),
    )


def _markdown_section(title: str, key: str) -> rx.Component:
    """Body, 解读 and 申兑指南 are Markdown, drawn without raw HTML (``use_raw=False``: tags show as text,
    never run) and without math; react-markdown drops javascript: links; the service has made every
    image that is not one of the policy's own files a link (``services.policies.markdown``)."""
    return rx.cond(
        D.policy[key] != "",
        card(
            rx.heading(title, size="4", as_="h2", margin_bottom="8px"),
            rx.markdown(D.policy[key], use_raw=False, use_math=False, use_gfm=True),
            margin_top="16px",
        ),
        rx.fragment(),
    )


def _policy_files() -> rx.Component:
    """The policy's original documents, downloaded from the public route."""
    return rx.cond(
        D.files.length() > 0,
        card(
            rx.heading("政策原件", size="4", as_="h2", margin_bottom="8px"),
            rx.foreach(
                D.files,
                lambda f: rx.box(
                    rx.link(f["name"], href=routes.POLICY_FILES_API + "/" + f["id"].to_string(), is_external=True),
                    rx.text.span("(", f["size_kb"], " KB)", size="1"),
                ),
            ),
            margin_top="16px",
        ),
        rx.fragment(),
    )


def policy_detail_page() -> rx.Component:
    return public_page(
        loading_or(
            D.loaded,
            rx.cond(
                D.not_found,
                rx.vstack(
                    rx.heading("政策详情", size="6", as_="h1"),
                    rx.callout("政策不存在或尚未发布", icon="circle-alert", color_scheme="red"),
                    rx.link("返回政策检索", href=routes.POLICIES),
                ),
                rx.vstack(
                    rx.link("← 返回政策检索", href=routes.POLICIES, size="2"),
                    rx.heading(D.policy["title"], size="6", as_="h1"),
                    rx.text(
                        D.policy["issuer"],
                        " · ",
                        D.policy["doc_number"],
                        " · 发布日期 ",
                        D.policy["published_on"],
                        " · 有效期 ",
                        D.policy["effective"],
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.cond(D.policy["status"] == "已失效", rx.badge("已失效", color_scheme="gray"), rx.fragment()),
                    card(
                        rx.text(D.policy["summary"], size="3"),
                        rx.text("标签:", D.policy["tags"], size="1", color_scheme="gray"),
                    ),
                    _markdown_section("政策原文", "body"),
                    _policy_files(),
                    _markdown_section("政策解读", "interpretation"),
                    _markdown_section("申兑指南", "guide"),
                    rx.cond(
                        D.related.length() > 0,
                        card(
                            rx.heading("相关政策", size="4", as_="h2", margin_bottom="8px"),
                            rx.foreach(
                                D.related,
                                lambda p: rx.box(rx.link(p["title"], href=routes.POLICIES + "/" + p["id"].to_string())),
                            ),
                            margin_top="16px",
                        ),
                        rx.fragment(),
                    ),
                    width="100%",
                    spacing="2",
                ),
            ),
        )
    )
