"""Staff work lists: dispatch queue, the unit's orders, the centre's queues, search, notifications."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.models.enums import Channel, DemandStatus
from portal.pages.components.forms import date_field, select_field, text_field
from portal.pages.components.layout import card, enterprise_page, staff_page
from portal.pages.components.widgets import (
    channel_badge,
    data_table,
    due_text,
    empty,
    list_caption,
    loading_or,
    pager,
    status_badge,
    tabbed,
)
from portal.state.demands.centre_queues import CentreQueuesState as C
from portal.state.demands.lists import DispatchQueueState, OrdersState, StaffSearchState
from portal.state.notifications import NotificationsState


def _link(row, text_key: str = "title", id_key: str = "id") -> rx.Component:
    return rx.link(row[text_key], href=routes.STAFF_DEMANDS + "/" + row[id_key].to_string())


def _demand_cells(r) -> list[rx.Component]:
    """编号, 标题, 企业, 来源渠道: the first columns of every demand list."""
    return [
        rx.table.cell(r["code"]),
        rx.table.cell(_link(r)),
        rx.table.cell(r["enterprise_name"]),
        rx.table.cell(channel_badge(r["channel"])),
    ]


def dispatch_queue() -> rx.Component:
    s = DispatchQueueState
    return staff_page(
        "受理派单",
        card(
            tabbed(
                s,
                ["待受理", "退回待派"],
                lambda: loading_or(
                    s.loaded,
                    rx.cond(
                        s.total > 0,
                        rx.box(
                            list_caption(s.total_label, "条", "按提交时间从早到晚(先到先办)"),
                            data_table(
                                ["编号", "标题", "企业", "来源渠道", "类型", "事项", "提交时间"],
                                s.rows,
                                lambda r: rx.table.row(
                                    *_demand_cells(r),
                                    rx.table.cell(r["kind"]),
                                    rx.table.cell(r["topic"]),
                                    rx.table.cell(r["created_at"]),
                                ),
                            ),
                        ),
                        empty("队列为空"),
                    ),
                ),
                label="受理队列",
            ),
            pager(s),
        ),
    )


def unit_orders() -> rx.Component:
    s = OrdersState
    return staff_page(
        "部门工单",
        card(
            tabbed(
                s,
                ["待签收", "办理中", "已反馈", "已退回"],
                lambda: loading_or(
                    s.loaded,
                    rx.cond(
                        s.rows.length() > 0,
                        rx.box(
                            list_caption(s.total_label, "件", "按办理期限从近到远"),
                            data_table(
                                ["编号", "标题", "企业", "角色", "状态", "办理期限"],
                                s.rows,
                                lambda r: rx.table.row(
                                    rx.table.cell(r["code"]),
                                    rx.table.cell(_link(r, id_key="demand_id")),
                                    rx.table.cell(r["enterprise_name"]),
                                    rx.table.cell(r["order_role"]),
                                    rx.table.cell(status_badge(r["status"])),
                                    rx.table.cell(
                                        rx.cond(r["days_left"] != "", due_text(r), rx.text(r["due_at"], size="1"))
                                    ),
                                ),
                            ),
                        ),
                        empty("没有工单"),
                    ),
                ),
                label="工单状态",
                counts=s.counts,
            ),
            pager(s),
        ),
    )


def extensions() -> rx.Component:
    return staff_page(
        "延期审批",
        card(
            loading_or(
                C.extensions_loaded,
                rx.cond(
                    C.extensions.length() > 0,
                    rx.fragment(
                        list_caption(C.extensions.length(), "件", "按申请时间从早到晚"),
                        data_table(
                            ["编号", "标题", "申请单位", "延期原因", "当前期限", "申请延至"],
                            C.extensions,
                            lambda r: rx.table.row(
                                rx.table.cell(r["code"]),
                                rx.table.cell(_link(r, id_key="demand_id")),
                                rx.table.cell(r["unit"]),
                                rx.table.cell(r["reason"]),
                                rx.table.cell(r["current_due"]),
                                rx.table.cell(r["requested_due"]),
                            ),
                        ),
                    ),
                    empty("没有待审批的延期申请"),
                ),
            )
        ),
    )


def revisits() -> rx.Component:
    return staff_page(
        "回访",
        card(
            rx.text(
                "企业逾期未评价的诉求转入此处,请电话回访并代为登记评价。",
                size="2",
                color_scheme="gray",
                margin_bottom="8px",
            ),
            loading_or(
                C.revisits_loaded,
                rx.cond(
                    C.revisits.length() > 0,
                    rx.fragment(
                        list_caption(C.revisits.length(), "件", "按转入时间从早到晚"),
                        data_table(
                            ["编号", "标题", "企业", "联系人", "未接通次数", "转入时间"],
                            C.revisits,
                            lambda r: rx.table.row(
                                rx.table.cell(r["code"]),
                                rx.table.cell(_link(r, id_key="demand_id")),
                                rx.table.cell(r["enterprise_name"]),
                                rx.table.cell(r["contact"]),
                                rx.table.cell(r["attempts"]),
                                rx.table.cell(r["created_at"]),
                            ),
                        ),
                    ),
                    empty("没有待回访的诉求"),
                ),
            ),
        ),
    )


def verifications() -> rx.Component:
    return staff_page(
        "办结核查",
        card(
            loading_or(
                C.verifications_loaded,
                rx.cond(
                    C.verifications.length() > 0,
                    rx.fragment(
                        list_caption(C.verifications.length(), "件", "按转入时间从早到晚"),
                        data_table(
                            ["编号", "标题", "承办单位", "审核反馈表", "转入时间"],
                            C.verifications,
                            lambda r: rx.table.row(
                                rx.table.cell(r["code"]),
                                rx.table.cell(_link(r, id_key="demand_id")),
                                rx.table.cell(r["unit"]),
                                rx.table.cell(
                                    rx.cond(
                                        r["form_uploaded"],
                                        rx.badge("已上传", color_scheme="green"),
                                        rx.badge("待上传", color_scheme="orange"),
                                    )
                                ),
                                rx.table.cell(r["created_at"]),
                            ),
                        ),
                    ),
                    empty("没有待核查的诉求"),
                ),
            )
        ),
    )


def staff_search() -> rx.Component:
    s = StaffSearchState
    statuses = [(st.value, st.value) for st in DemandStatus]
    return staff_page(
        "诉求查询",
        card(
            rx.form(
                rx.grid(
                    text_field("诉求编号", "code"),
                    text_field("企业名称", "enterprise"),
                    text_field("关键词", "keyword"),
                    select_field("状态", "status", statuses, placeholder="全部"),
                    select_field("来源渠道", "channel", [(c.value, c.value) for c in Channel], placeholder="全部"),
                    select_field("承办单位", "unit_id", s.units, placeholder="全部"),
                    date_field("提交日期自", "date_from", errors=s.errors),
                    date_field("提交日期至", "date_to", errors=s.errors),
                    rx.el.label(
                        rx.el.input(type="checkbox", name="overdue_only"),
                        rx.text.span(" 只看超期"),
                        style={"display": "flex", "alignItems": "center", "fontSize": "var(--font-size-2)"},
                    ),
                    rx.button("搜索", type="submit", align_self="end"),
                    columns=rx.breakpoints(initial="1", sm="2", md="4"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=s.search,
                reset_on_submit=False,
            )
        ),
        card(
            rx.text("共 ", s.total_label, " 条,按提交时间从新到旧", size="2", margin_bottom="8px"),
            loading_or(
                s.loaded,
                rx.cond(
                    s.total > 0,
                    data_table(
                        ["编号", "标题", "企业", "来源渠道", "状态", "承办单位", "期限", "提交时间"],
                        s.rows,
                        lambda r: rx.table.row(
                            *_demand_cells(r),
                            rx.table.cell(status_badge(r["status"])),
                            rx.table.cell(r["lead_unit"]),
                            rx.table.cell(due_text(r)),
                            rx.table.cell(r["created_at"]),
                        ),
                    ),
                    empty("没有符合条件的诉求"),
                ),
            ),
            pager(s),
            margin_top="16px",
        ),
    )


def _notification(n) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.cond(n["unread"], rx.badge("未读", color_scheme="red"), rx.fragment()),
            rx.link(n["title"], href=n["link"], weight="medium"),
            rx.text(n["at"], size="1", color_scheme="gray"),
            wrap="wrap",
            align="center",
        ),
        rx.text(n["body"], size="2", color_scheme="gray"),
        border_bottom="1px solid var(--gray-4)",
        padding_y="8px",
        width="100%",
    )


def _notification_list() -> rx.Component:
    s = NotificationsState
    return card(
        rx.hstack(
            rx.text("未读 ", s.unread, " 条", size="2"),
            # Uncontrolled: the tick shows at once; the state follows with the filtered page.
            rx.checkbox("只看未读", default_checked=False, on_change=s.set_unread_only, size="2"),
            rx.spacer(),
            rx.button("全部标为已读", size="1", variant="soft", on_click=s.mark_all_read),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        loading_or(
            s.loaded,
            rx.cond(
                s.rows.length() > 0,
                rx.vstack(
                    list_caption(s.total_label, "条", "最近的在前"),
                    rx.foreach(s.rows, _notification),
                    pager(s),
                    width="100%",
                ),
                empty(rx.cond(s.unread_only, "没有未读消息", "暂无消息")),
            ),
        ),
    )


def my_notifications() -> rx.Component:
    return enterprise_page("消息", _notification_list())


def staff_notifications() -> rx.Component:
    return staff_page("消息", _notification_list())
