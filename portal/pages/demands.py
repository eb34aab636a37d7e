"""Demand pages: the enterprise's list, form and detail; the staff detail with its action panels."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import DemandKind, DemandStatus, Satisfaction
from portal.pages.components.forms import select_field, text_field, textarea_field
from portal.pages.components.layout import card, enterprise_page, staff_page
from portal.pages.components.widgets import data_table, empty, file_picker, kv, pager, status_badge
from portal.state.demands import DemandDetailState as D
from portal.state.demands import MyDemandsState, NewDemandState

_SATISFACTION = [(s.value, s.value) for s in Satisfaction]
_YES_NO = [("是", "是"), ("否", "否")]


# ── enterprise: list and form ───────────────────────────────────────────────────────────────


def _my_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["code"], href="/my/demands/" + row["id"].to_string())),
        rx.table.cell(rx.link(row["title"], href="/my/demands/" + row["id"].to_string())),
        rx.table.cell(row["kind"]),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["lead_unit"]),
        rx.table.cell(row["created_at"]),
    )


def my_demands() -> rx.Component:
    statuses = [("", "全部")] + [(s.value, s.value) for s in DemandStatus]
    return enterprise_page(
        "我的诉求",
        card(
            rx.flex(
                *[rx.button(label, size="1", type="button",
                            variant=rx.cond(MyDemandsState.status_filter == value, "solid", "soft"),
                            on_click=MyDemandsState.set_status_filter(value)) for value, label in statuses],
                gap="2", wrap="wrap", margin_bottom="12px", aria_label="状态筛选",
            ),
            rx.cond(
                MyDemandsState.total > 0,
                data_table(["编号", "标题", "类型", "状态", "承办单位", "提交时间"], MyDemandsState.rows, _my_row),
                empty("暂无诉求。点击“提交诉求”向我们反映问题。"),
            ),
            pager(MyDemandsState),
        ),
        rx.link(rx.button("提交诉求", size="3"), href="/my/demands/new", margin_top="12px"),
    )


def new_demand() -> rx.Component:
    errors = NewDemandState.errors
    return enterprise_page(
        "提交诉求",
        card(
            rx.form(
                rx.vstack(
                    rx.grid(
                        select_field("诉求类型", "kind", [(k.value, k.value) for k in DemandKind], errors=errors),
                        select_field("诉求事项", "topic_id", NewDemandState.topics, errors=errors),
                        select_field("建议解决部门", "suggested_unit_id", NewDemandState.units, errors=errors,
                                     placeholder="不确定(由推进中心分派)"),
                        columns=rx.breakpoints(initial="1", sm="3"), gap="3", width="100%",
                    ),
                    text_field("标题", "title", errors=errors, max_length=50, placeholder="一句话概括诉求(50字以内)"),
                    textarea_field("诉求内容", "content", errors=errors, max_length=2000, rows="8",
                                   placeholder="请写明遇到的问题、已办理的情况和具体诉求(10–2000字)"),
                    rx.grid(
                        text_field("联系人", "contact_name", errors=errors, default_value=NewDemandState.contact_name),
                        text_field("联系电话", "contact_phone", errors=errors,
                                   default_value=NewDemandState.contact_phone),
                        columns=rx.breakpoints(initial="1", sm="2"), gap="3", width="100%",
                    ),
                    file_picker(NewDemandState, "demand_files"),
                    rx.button("提交诉求", type="submit", size="3"),
                    spacing="4", width="100%",
                ),
                on_submit=NewDemandState.submit, reset_on_submit=False,
            )
        ),
    )


# ── detail (both areas) ─────────────────────────────────────────────────────────────────────


def _timeline_item(event) -> rx.Component:
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="50%", background="var(--red-9)", margin_top="6px",
               flex_shrink="0"),
        rx.vstack(
            rx.hstack(rx.text(event["action"], weight="bold", size="2"), rx.text(event["who"], size="2"),
                      rx.text(event["at"], size="1", color_scheme="gray"), wrap="wrap", align="center"),
            rx.text(event["detail"], size="2", white_space="pre-wrap"),
            spacing="0",
        ),
        align="start", width="100%",
    )


def _order_card(order) -> rx.Component:
    return rx.box(
        rx.hstack(rx.text("第", order["round"], "轮", size="1", color_scheme="gray"),
                  rx.badge(order["order_role"], variant="outline"), rx.text(order["unit"], weight="bold", size="2"),
                  status_badge(order["status"]), rx.text(order["level"], size="1"), wrap="wrap", align="center"),
        rx.text("办理期限:", order["due_at"], rx.cond(order["due_at"] != order["original_due_at"],
                                                      rx.text.span("(原期限 ", order["original_due_at"], ")"), ""),
                " ", order["days_left"], size="1",
                color=rx.cond(order["overdue"], "var(--red-11)", "var(--gray-11)")),
        rx.cond(order["reply"] != "", rx.text("答复:", order["reply"], "(", order["method"], ",", order["solved"], ")",
                                              size="2"), rx.fragment()),
        rx.cond(order["co_opinion"] != "", rx.text("协办意见:", order["co_opinion"], size="2"), rx.fragment()),
        rx.cond(order["return_reason"] != "", rx.text("退回原因:", order["return_reason"], size="2"), rx.fragment()),
        rx.cond(order["false_flag"], rx.badge("疑似虚假反馈(企业称未联系)", color_scheme="red"), rx.fragment()),
        border="1px solid var(--gray-5)", border_radius="8px", padding="10px", width="100%",
    )


def _summary(staff: bool) -> rx.Component:
    d = D.demand
    return card(
        rx.hstack(rx.heading(d["title"], size="5"), rx.box(status_badge(d["status"]), id="demand-status"),
                  wrap="wrap", align="center"),
        rx.grid(
            kv("诉求编号", d["code"]), kv("企业名称", d["enterprise_name"]), kv("诉求类型", d["kind"]),
            kv("诉求事项", d["topic"]), kv("来源渠道", d["channel"]), kv("提交时间", d["created_at"]),
            kv("联系人", d["contact"]), kv("建议解决部门", d["suggested_unit"]), kv("承办单位", d["lead_unit"]),
            kv("办理期限", rx.text.span(d["due_at"], " ", d["days_left"])),
            columns=rx.breakpoints(initial="1", sm="2"), gap="2", width="100%", margin_y="12px",
        ),
        rx.text(d["content"], white_space="pre-wrap", size="2"),
        rx.cond(d["instant_answer"] != "", rx.callout(rx.text("即时答复:", d["instant_answer"]), icon="message-circle",
                                                      margin_top="12px"), rx.fragment()),
        rx.cond(d["reject_reason"] != "", rx.callout(rx.text("不予受理理由:", d["reject_reason"]), icon="ban",
                                                     color_scheme="gray", margin_top="12px"), rx.fragment()),
        rx.cond(D.attachments.length() > 0, rx.vstack(
            rx.text("附件", weight="bold", size="2", margin_top="12px"),
            rx.foreach(D.attachments, lambda a: rx.hstack(
                rx.icon("paperclip", size=14),
                rx.link(a["filename"], href=a["url"], is_external=True),
                rx.text(a["purpose"], " · ", a["size"], size="1", color_scheme="gray"), align="center")),
            spacing="1"), rx.fragment()),
    )


def _form_card(title: str, *fields: rx.Component, handler, button: str, extra=None) -> rx.Component:
    return card(
        rx.heading(title, size="4", margin_bottom="8px"),
        rx.form(rx.vstack(*fields, rx.button(button, type="submit"), spacing="3", width="100%"),
                on_submit=handler, reset_on_submit=False),
        *( [extra] if extra is not None else [] ),
    )


def _has(action: str):
    return D.actions.contains(action)


def _enterprise_actions() -> rx.Component:
    return rx.fragment(
        rx.cond(_has("撤回"), card(rx.hstack(rx.text("诉求尚未受理,可以撤回。", size="2"),
                                            rx.button("撤回", color_scheme="gray", on_click=D.withdraw), align="center")),
                rx.fragment()),
        rx.cond(_has("评价"), _form_card(
            "满意度评价",
            select_field("满意度", "satisfaction", _SATISFACTION, errors=D.errors),
            select_field("是否已与您联系", "contacted", [("是", "承办单位已与我联系"), ("否", "承办单位未与我联系")],
                         errors=D.errors),
            textarea_field("意见建议", "comment", errors=D.errors, rows="3", max_length=1000),
            handler=D.rate, button="提交评价"), rx.fragment()),
    )


def _dispatch_panel() -> rx.Component:
    unit_checkbox = lambda u: rx.el.label(  # noqa: E731
        rx.el.input(type="checkbox", name="co_" + u["id"].to(str), default_checked=u["suggested_co"].to(bool)),
        rx.text.span(u["name"], margin_left="4px"),
        style={"display": "inline-flex", "alignItems": "center", "marginRight": "12px", "fontSize": "14px"},
    )
    return rx.cond(_has("派单"), rx.vstack(
        _form_card(
            "派单",
            rx.grid(
                select_field("承办单位", "lead_unit_id", D.units, errors=D.errors, default_value=D.suggestion["lead"]),
                select_field("时限等级", "level", [("即时", "即时(当日)"), ("一般", "一般(5个工作日)"),
                                               ("复杂", "复杂(15个工作日)"), ("疑难", "疑难/历史遗留(30个工作日)")],
                             errors=D.errors, default_value=D.suggestion["level"]),
                columns=rx.breakpoints(initial="1", sm="2"), gap="3", width="100%",
            ),
            rx.vstack(rx.text("协办单位", weight="medium", size="2"),
                      rx.flex(rx.foreach(D.units, unit_checkbox), wrap="wrap", gap="1", role="group",
                              aria_label="协办单位"),
                      rx.cond(D.errors.contains("co_unit_ids"), rx.text(D.errors["co_unit_ids"], color="var(--red-11)",
                                                                        size="1"), rx.fragment()),
                      spacing="1", width="100%"),
            handler=D.dispatch, button="派单"),
        _form_card("即时答复", textarea_field("答复内容", "answer", errors=D.errors, rows="4", max_length=2000),
                   handler=D.answer, button="即时答复"),
        _form_card("不予受理", textarea_field("不予受理理由", "reason", errors=D.errors, rows="2", max_length=500),
                   handler=D.reject, button="不予受理"),
        width="100%", spacing="4",
    ), rx.fragment())


def _dispatcher_actions() -> rx.Component:
    return rx.fragment(
        _dispatch_panel(),
        rx.cond(_has("延期审批"), _form_card(
            "延期审批",
            rx.foreach(D.extensions, lambda e: rx.cond(e["status"] == "待审批", rx.text(
                e["unit"], "申请延期至 ", e["requested_due"], ":", e["reason"], size="2"), rx.fragment())),
            select_field("审批结果", "decision", [("approve", "同意延期"), ("deny", "驳回延期")], errors=D.errors),
            textarea_field("审批意见", "decision_note", errors=D.errors, rows="2", max_length=500),
            handler=D.decide_extension, button="提交审批"), rx.fragment()),
        rx.cond(_has("回访"), rx.vstack(
            _form_card("登记回访(代企业评价)",
                       select_field("满意度", "satisfaction", _SATISFACTION, errors=D.errors),
                       select_field("是否已与您联系", "contacted", _YES_NO, errors=D.errors),
                       textarea_field("意见建议", "comment", errors=D.errors, rows="2", max_length=1000),
                       handler=D.revisit, button="登记回访"),
            card(rx.hstack(rx.text("电话未接通?连续3次未接通将按无法联系办结(不计入满意率)。", size="2"),
                           rx.button("记录未接通", variant="soft", on_click=D.unreachable), align="center", wrap="wrap")),
            width="100%", spacing="4"), rx.fragment()),
        rx.cond(_has("核查"), _form_card(
            "办结核查",
            rx.text("承办单位说明:", D.verification["unit_note"], size="2"),
            select_field("核查结论", "decision", [("close", "核查办结"), ("redo", "要求重办")], errors=D.errors),
            textarea_field("核查意见", "opinion", errors=D.errors, rows="3", max_length=1000),
            handler=D.verify, button="核查办结"), rx.fragment()),
    )


def _handler_actions() -> rx.Component:
    return rx.fragment(
        rx.cond(_has("签收"), card(
            rx.heading("签收或退回", size="4", margin_bottom="8px"),
            rx.button("签收", on_click=D.sign, margin_bottom="12px"),
            rx.form(rx.vstack(
                select_field("退回原因", "return_kind", [("非本单位职责", "非本单位职责"), ("申请提级", "申请提级")],
                             errors=D.errors),
                textarea_field("退回说明", "return_reason", errors=D.errors, rows="2", max_length=500),
                rx.button("退回", type="submit", color_scheme="gray"), spacing="3", width="100%"),
                on_submit=D.return_order, reset_on_submit=False),
        ), rx.fragment()),
        rx.cond(_has("提交办理结果"), _form_card(
            "提交办理结果",
            textarea_field("答复内容", "reply", errors=D.errors, rows="5", max_length=2000),
            rx.grid(text_field("解决方式", "method", errors=D.errors, max_length=200),
                    select_field("是否解决", "solved", _YES_NO, errors=D.errors),
                    columns=rx.breakpoints(initial="1", sm="2"), gap="3", width="100%"),
            file_picker(D, "feedback_files"),
            handler=D.feedback, button="提交办理结果"), rx.fragment()),
        rx.cond(_has("申请延期"), _form_card(
            "申请延期",
            textarea_field("延期原因", "extension_reason", errors=D.errors, rows="2", max_length=500),
            text_field("延期至", "extension_due", type="date", errors=D.errors),
            handler=D.request_extension, button="申请延期"), rx.fragment()),
        rx.cond(_has("提交协办意见"), _form_card(
            "协办意见", textarea_field("协办意见", "co_opinion", errors=D.errors, rows="4", max_length=2000),
            handler=D.co_opinion, button="提交协办意见"), rx.fragment()),
        rx.cond(_has("上传审核反馈表"), _form_card(
            "上传不满意诉求审核反馈表",
            rx.text("企业两次评价不满意。请上传经单位负责人签字的《不满意诉求审核反馈表》,由专班核查。", size="2"),
            file_picker(D, "review_files", label="审核反馈表"),
            textarea_field("情况说明", "unit_note", errors=D.errors, rows="2", max_length=1000),
            handler=D.review_form, button="上传审核反馈表"), rx.fragment()),
    )


def _detail_body(staff: bool) -> rx.Component:
    actions = rx.fragment(_dispatcher_actions(), _handler_actions()) if staff else _enterprise_actions()
    return rx.cond(
        D.not_found,
        rx.callout("诉求不存在或无权查看", icon="circle-alert", color_scheme="red"),
        rx.flex(
            rx.vstack(
                _summary(staff),
                rx.cond(D.orders.length() > 0, card(rx.heading("办理情况", size="4", margin_bottom="8px"),
                                                   rx.vstack(rx.foreach(D.orders, _order_card), width="100%")),
                        rx.fragment()),
                rx.cond(D.ratings.length() > 0, card(
                    rx.heading("评价记录", size="4", margin_bottom="8px"),
                    rx.foreach(D.ratings, lambda r: rx.text("第", r["round"], "轮:", r["satisfaction"], "(",
                                                            r["contacted"], ",", r["source"], ")", r["comment"],
                                                            size="2"))), rx.fragment()),
                actions,
                spacing="4", flex="3", min_width="0", width="100%",
            ),
            card(rx.heading("办理时间线", size="4", margin_bottom="8px"),
                 rx.vstack(rx.foreach(D.timeline, _timeline_item), spacing="3", width="100%"),
                 flex="2", min_width="0", align_self="flex-start"),
            gap="4", direction=rx.breakpoints(initial="column", md="row"), width="100%",
        ),
    )


def my_demand_detail() -> rx.Component:
    return enterprise_page("诉求详情", _detail_body(staff=False))


def staff_demand_detail() -> rx.Component:
    return staff_page("诉求详情", _detail_body(staff=True))
