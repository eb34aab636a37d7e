"""The demand detail page, for the enterprise (/my/demands/[id]) and for staff (/staff/demands/[id]):
summary, work orders, ratings, the viewer's action panels and the timeline."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.pages.components.layout import card, enterprise_page, staff_page
from portal.pages.components.widgets import kv, loading_or, status_badge
from portal.pages.demands.actions import dispatcher_actions, enterprise_actions, handler_actions
from portal.state.demands.detail import DemandDetailState as D


def _timeline_item(event) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="10px",
            height="10px",
            border_radius="50%",
            background="var(--red-9)",
            margin_top="6px",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(event["action"], weight="bold", size="2"),
                rx.text(event["who"], size="2"),
                rx.text(event["at"], size="1", color_scheme="gray"),
                wrap="wrap",
                align="center",
            ),
            rx.text(event["detail"], size="2", white_space="pre-wrap"),
            spacing="0",
        ),
        align="start",
        width="100%",
    )


def _order_card(order) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text("第", order["round"], "轮", size="1", color_scheme="gray"),
            rx.badge(order["order_role"], variant="outline"),
            rx.text(order["unit"], weight="bold", size="2"),
            status_badge(order["status"]),
            rx.text(order["level"], size="1"),
            wrap="wrap",
            align="center",
        ),
        rx.text(
            "办理期限:",
            order["due_at"],
            rx.cond(
                order["due_at"] != order["original_due_at"], rx.text.span("(原期限 ", order["original_due_at"], ")"), ""
            ),
            " ",
            order["days_left"],
            size="1",
            color=rx.cond(order["overdue"], "var(--red-11)", "var(--gray-11)"),
        ),
        rx.cond(
            order["reply"] != "",
            rx.text("答复:", order["reply"], "(", order["method"], ",", order["solved"], ")", size="2"),
            rx.fragment(),
        ),
        rx.cond(order["co_opinion"] != "", rx.text("协办意见:", order["co_opinion"], size="2"), rx.fragment()),
        rx.cond(order["return_reason"] != "", rx.text("退回原因:", order["return_reason"], size="2"), rx.fragment()),
        rx.cond(order["false_flag"], rx.badge("疑似虚假反馈(企业称未联系)", color_scheme="red"), rx.fragment()),
        border="1px solid var(--gray-5)",
        border_radius="8px",
        padding="10px",
        width="100%",
    )


def _cited_policies() -> rx.Component:
    """The policies an instant answer cited, as links to their public pages."""
    return rx.cond(
        D.policies.length() > 0,
        rx.box(
            rx.text("答复引用的政策:", size="2", weight="medium"),
            rx.foreach(
                D.policies,
                lambda p: rx.box(rx.link(p["title"], href=routes.POLICIES + "/" + p["id"].to_string(), size="2")),
            ),
            margin_top="8px",
        ),
        rx.fragment(),
    )


def _summary(staff: bool) -> rx.Component:
    d = D.demand
    return card(
        rx.hstack(
            rx.heading(d["title"], size="5"),
            rx.box(status_badge(d["status"]), id="demand-status"),
            wrap="wrap",
            align="center",
        ),
        rx.grid(
            kv("诉求编号", d["code"]),
            kv("企业名称", d["enterprise_name"]),
            kv("诉求类型", d["kind"]),
            kv("诉求事项", d["topic"]),
            kv("来源渠道", d["channel"]),
            kv("提交时间", d["created_at"]),
            kv("联系人", d["contact"]),
            kv("建议解决部门", d["suggested_unit"]),
            kv("承办单位", d["lead_unit"]),
            kv("办理期限", rx.text.span(d["due_at"], " ", d["days_left"])),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="2",
            width="100%",
            margin_y="12px",
        ),
        rx.text(d["content"], white_space="pre-wrap", size="2"),
        rx.cond(
            d["instant_answer"] != "",
            rx.callout(rx.text("即时答复:", d["instant_answer"]), icon="message-circle", margin_top="12px"),
            rx.fragment(),
        ),
        _cited_policies(),
        rx.cond(
            d["reject_reason"] != "",
            rx.callout(
                rx.text("不予受理理由:", d["reject_reason"]), icon="ban", color_scheme="gray", margin_top="12px"
            ),
            rx.fragment(),
        ),
        rx.cond(
            D.attachments.length() > 0,
            rx.vstack(
                rx.text("附件", weight="bold", size="2", margin_top="12px"),
                rx.foreach(
                    D.attachments,
                    lambda a: rx.hstack(
                        rx.icon("paperclip", size=14),
                        rx.link(a["filename"], href=a["url"], is_external=True),
                        rx.text(a["purpose"], " · ", a["size"], size="1", color_scheme="gray"),
                        align="center",
                    ),
                ),
                spacing="1",
            ),
            rx.fragment(),
        ),
    )


def _rating_line(r) -> rx.Component:
    return rx.text(
        "第", r["round"], "轮:", r["satisfaction"], "(", r["contacted"], ",", r["source"], ")", r["comment"], " ",
        r["scores"],
        rx.cond(
            r["appeal"] == "申诉成立", rx.badge("申诉成立", color_scheme="gray", margin_left="6px"), rx.fragment()
        ),
        size="2",
    )  # fmt: skip


def _detail_body(staff: bool) -> rx.Component:
    actions = rx.fragment(dispatcher_actions(), handler_actions()) if staff else enterprise_actions()
    return loading_or(
        D.loaded,
        rx.cond(
            D.not_found,
            rx.callout("诉求不存在或无权查看", icon="circle-alert", color_scheme="red"),
            rx.flex(
                rx.vstack(
                    _summary(staff),
                    rx.cond(
                        D.orders.length() > 0,
                        card(
                            rx.heading("办理情况", size="4", margin_bottom="8px"),
                            rx.vstack(rx.foreach(D.orders, _order_card), width="100%"),
                        ),
                        rx.fragment(),
                    ),
                    rx.cond(
                        D.ratings.length() > 0,
                        card(
                            rx.heading("评价记录", size="4", margin_bottom="8px"), rx.foreach(D.ratings, _rating_line)
                        ),
                        rx.fragment(),
                    ),
                    actions,
                    spacing="4",
                    flex="3",
                    min_width="0",
                    width="100%",
                ),
                card(
                    rx.heading("办理时间线", size="4", margin_bottom="8px"),
                    rx.vstack(rx.foreach(D.timeline, _timeline_item), spacing="3", width="100%"),
                    flex="2",
                    min_width="0",
                    align_self="flex-start",
                ),
                spacing="4",
                direction=rx.breakpoints(initial="column", md="row"),
                width="100%",
            ),
        ),
    )


def my_demand_detail() -> rx.Component:
    return enterprise_page("诉求详情", _detail_body(staff=False))


def staff_demand_detail() -> rx.Component:
    return staff_page("诉求详情", _detail_body(staff=True))
