"""The action panels of the demand detail, one group per role. A panel shows only while the viewer may
take its action (``DemandAction``); the child state of that role handles the submit."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import DemandAction as A
from portal.models.enums import Satisfaction
from portal.pages.components.forms import (
    CHECK_LABEL,
    choice_cards,
    date_field,
    score_fields,
    select_field,
    text_field,
    textarea_field,
)
from portal.pages.components.layout import card
from portal.pages.components.widgets import file_picker
from portal.state.demands.actions import DispatcherDemandActions as X
from portal.state.demands.actions import EnterpriseDemandActions as E
from portal.state.demands.actions import HandlerDemandActions as H
from portal.state.demands.detail import DemandDetailState as D

_SATISFACTION = [s.value for s in Satisfaction]
_REJECT_FORM = "reject-form"
_YES_NO = [("是", "是"), ("否", "否")]


def form_card(
    title: str, *fields: rx.Component, handler, button: str | rx.Component, before=None, key=None, form_id=None
) -> rx.Component:
    """A titled card with one form; ``before`` goes between the title and the form (a form of its own, such
    as 查找政策, cannot sit inside it); ``button`` is the submit's word or a whole control."""
    submit = rx.button(button, type="submit") if isinstance(button, str) else button
    return card(
        rx.heading(title, size="4", margin_bottom="8px"),
        *([before] if before is not None else []),
        rx.form(
            rx.vstack(*fields, submit, spacing="3", width="100%"),
            on_submit=handler,
            reset_on_submit=False,
            **({"key": key} if key is not None else {}),
            **({"id": form_id} if form_id is not None else {}),
        ),
    )


def _has(action: A):
    return D.actions.contains(action)


def _withdraw_button() -> rx.Component:
    """撤回 ends the demand for good: an outlined button that asks first (one tap on a phone must not do it)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("撤回", type="button", variant="outline", color_scheme="red")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("确认撤回这件诉求?"),
            rx.alert_dialog.description("撤回后诉求不再办理,也不能恢复;如仍需办理,请重新提交。"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("取消", type="button", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("确认撤回", type="button", color_scheme="red", on_click=E.withdraw)),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="460px",
        ),
    )


def enterprise_actions() -> rx.Component:
    return rx.fragment(
        rx.cond(
            _has(A.WITHDRAW),
            card(
                rx.hstack(rx.text("诉求尚未受理,可以撤回。", size="2"), _withdraw_button(), align="center", wrap="wrap")
            ),
            rx.fragment(),
        ),
        rx.cond(
            _has(A.RATE),
            form_card(
                "满意度评价",
                choice_cards("满意度", "satisfaction", _SATISFACTION, errors=D.errors),
                select_field(
                    "是否已与您联系",
                    "contacted",
                    [("是", "承办单位已与我联系"), ("否", "承办单位未与我联系")],
                    errors=D.errors,
                ),
                textarea_field("意见建议", "comment", errors=D.errors, rows="3", max_length=1000),
                score_fields(D.errors),
                handler=E.rate,
                button="提交评价",
            ),
            rx.fragment(),
        ),
    )


_LEVELS = [
    ("即时", "即时(当日)"),
    ("一般", "一般(5个工作日)"),
    ("复杂", "复杂(15个工作日)"),
    ("疑难", "疑难/历史遗留(30个工作日)"),
]


def _co_unit_checkbox(unit) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", name="co_" + unit["id"].to(str), default_checked=unit["suggested_co"].to(bool)),
        rx.text.span(unit["name"], margin_left="4px"),
        style={**CHECK_LABEL, "marginRight": "12px"},
    )


def _keyword_suggestion() -> rx.Component:
    """Another topic whose 派单目录 keywords fit the text better than the one chosen, with the matched words."""
    k = D.keyword_suggestion
    return rx.cond(
        k.contains("topic"),
        rx.callout(
            rx.hstack(
                rx.text(
                    "按关键词更接近事项「", k["topic"], "」(匹配:", k["matched"], "),建议承办单位:", k["lead_name"]
                ),
                rx.button("采用此建议", type="button", size="1", variant="soft", on_click=D.take_keyword_suggestion),
                align="center",
                wrap="wrap",
            ),
            icon="lightbulb",
            color_scheme="amber",
            width="100%",
        ),
        rx.fragment(),
    )


def _dispatch_form() -> rx.Component:
    """派单, with the catalogue's suggestion preselected."""
    return form_card(
        "派单",
        _keyword_suggestion(),
        rx.el.input(type="hidden", name="catalogue_version", value=D.catalogue_version.to_string()),
        rx.grid(
            select_field("承办单位", "lead_unit_id", D.units, errors=D.errors, default_value=D.suggestion["lead"]),
            select_field("时限等级", "level", _LEVELS, errors=D.errors, default_value=D.suggestion["level"]),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.vstack(
            rx.text("协办单位", weight="medium", size="2"),
            rx.flex(
                rx.foreach(D.units, _co_unit_checkbox), wrap="wrap", spacing="1", role="group", aria_label="协办单位"
            ),
            rx.cond(
                D.errors.contains("co_unit_ids"),
                rx.text(D.errors["co_unit_ids"], color="var(--red-11)", size="1"),
                rx.fragment(),
            ),
            spacing="1",
            width="100%",
        ),
        rx.text("建议来自派单目录第", D.catalogue_version, "版", size="1", color_scheme="gray"),
        handler=X.dispatch,
        button="派单",
        key=D.dispatch_form_key.to_string(),
    )


def _instant_answer_card() -> rx.Component:
    """即时答复 with cited policies: 查找政策 (its own small form) lists matches to tick."""
    finder = rx.form(
        rx.hstack(
            rx.el.label(
                "查找政策", html_for="f-policy_query", style={"fontSize": "var(--font-size-2)", "whiteSpace": "nowrap"}
            ),
            rx.input(id="f-policy_query", name="policy_query", placeholder="关键词,如:融资", max_length=100),
            rx.button("查找", type="submit", size="2", variant="soft"),
            align="center",
            width="100%",
        ),
        on_submit=X.find_policies,
        reset_on_submit=False,
    )
    choices = rx.el.fieldset(
        rx.el.legend("引用政策(可多选,最多5项)", style={"fontSize": "var(--font-size-2)", "fontWeight": 500}),
        rx.foreach(
            X.policy_choices,
            lambda p: rx.el.label(
                rx.el.input(type="checkbox", name="cite_" + p["id"].to_string()),
                rx.text.span(" ", p["title"], "(", p["reason"], ")"),
                style={"display": "flex", "alignItems": "center", "fontSize": "var(--font-size-2)", "gap": "4px"},
            ),
        ),
        style={"border": "0", "padding": "0", "margin": "0"},
    )
    return form_card(
        "即时答复",
        rx.cond(X.policy_choices.length() > 0, choices, rx.fragment()),
        textarea_field("答复内容", "answer", errors=D.errors, rows="4", max_length=2000),
        handler=X.instant_answer,
        button="即时答复",
        before=finder,
    )


def _reject_button() -> rx.Component:
    """不予受理 closes the demand for good: a quiet outlined button that asks first; 确认不予受理 submits
    the card's form (the dialog is drawn outside it, so the button names the form)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("不予受理", type="button", variant="outline", color_scheme="gray", align_self="start")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("确认不予受理?"),
            rx.alert_dialog.description("诉求将结束办理,企业会收到不予受理的理由。此操作不能撤销。"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("取消", type="button", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("确认不予受理", type="submit", color_scheme="red", custom_attrs={"form": _REJECT_FORM})
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="460px",
        ),
    )


def _dispatch_panel() -> rx.Component:
    return rx.cond(
        _has(A.DISPATCH),
        rx.vstack(
            _dispatch_form(),
            _instant_answer_card(),
            form_card(
                "不予受理",
                textarea_field("不予受理理由", "reason", errors=D.errors, rows="2", max_length=500),
                handler=X.reject,
                button=_reject_button(),
                form_id=_REJECT_FORM,
            ),
            width="100%",
            spacing="4",
        ),
        rx.fragment(),
    )


def dispatcher_actions() -> rx.Component:
    return rx.fragment(
        _dispatch_panel(),
        rx.cond(
            _has(A.DECIDE_EXTENSION),
            form_card(
                "延期审批",
                rx.foreach(
                    D.extensions,
                    lambda e: rx.cond(
                        e["status"] == "待审批",
                        rx.text(e["unit"], "申请延期至 ", e["requested_due"], ":", e["reason"], size="2"),
                        rx.fragment(),
                    ),
                ),
                select_field("审批结果", "decision", [("approve", "同意延期"), ("deny", "驳回延期")], errors=D.errors),
                textarea_field("审批意见", "decision_note", errors=D.errors, rows="2", max_length=500),
                handler=X.decide_extension,
                button="提交审批",
            ),
            rx.fragment(),
        ),
        rx.cond(
            _has(A.REVISIT),
            rx.vstack(
                form_card(
                    "登记回访(代企业评价)",
                    choice_cards("满意度", "satisfaction", _SATISFACTION, errors=D.errors),
                    select_field("是否已与您联系", "contacted", _YES_NO, errors=D.errors),
                    textarea_field("意见建议", "comment", errors=D.errors, rows="2", max_length=1000),
                    score_fields(D.errors),
                    handler=X.record_revisit,
                    button="登记回访",
                ),
                card(
                    rx.hstack(
                        rx.text("电话未接通?连续3次未接通将按无法联系办结(不计入满意率)。", size="2"),
                        rx.button("记录未接通", variant="soft", on_click=X.record_unreachable),
                        align="center",
                        wrap="wrap",
                    )
                ),
                width="100%",
                spacing="4",
            ),
            rx.fragment(),
        ),
        rx.cond(
            _has(A.VERIFY),
            form_card(
                "办结核查",
                rx.text("承办单位说明:", D.verification["unit_note"], size="2"),
                select_field("核查结论", "decision", [("close", "核查办结"), ("redo", "要求重办")], errors=D.errors),
                textarea_field("核查意见", "opinion", errors=D.errors, rows="3", max_length=1000),
                handler=X.decide_verification,
                button="核查办结",
            ),
            rx.fragment(),
        ),
    )


def _sign_or_return() -> rx.Component:
    return card(
        rx.heading("签收或退回", size="4", margin_bottom="8px"),
        rx.button("签收", on_click=H.sign, margin_bottom="12px"),
        rx.form(
            rx.vstack(
                select_field(
                    "退回原因",
                    "return_kind",
                    [("非本单位职责", "非本单位职责"), ("申请提级", "申请提级")],
                    errors=D.errors,
                ),
                textarea_field("退回说明", "return_reason", errors=D.errors, rows="2", max_length=500),
                rx.button("退回", type="submit", color_scheme="gray"),
                spacing="3",
                width="100%",
            ),
            on_submit=H.return_order,
            reset_on_submit=False,
        ),
    )


def handler_actions() -> rx.Component:
    return rx.fragment(
        rx.cond(_has(A.SIGN), _sign_or_return(), rx.fragment()),
        rx.cond(
            _has(A.FEEDBACK),
            form_card(
                "提交办理结果",
                textarea_field("答复内容", "reply", errors=D.errors, rows="5", max_length=2000),
                rx.grid(
                    text_field("解决方式", "method", errors=D.errors, max_length=200),
                    select_field("是否解决", "solved", _YES_NO, errors=D.errors),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                file_picker(D, "feedback_files"),
                handler=H.submit_feedback,
                button="提交办理结果",
            ),
            rx.fragment(),
        ),
        rx.cond(
            _has(A.REQUEST_EXTENSION),
            form_card(
                "申请延期",
                textarea_field("延期原因", "extension_reason", errors=D.errors, rows="2", max_length=500),
                date_field("延期至", "extension_due", errors=D.errors),
                handler=H.request_extension,
                button="申请延期",
            ),
            rx.fragment(),
        ),
        rx.cond(
            _has(A.CO_OPINION),
            form_card(
                "协办意见",
                textarea_field("协办意见", "co_opinion", errors=D.errors, rows="4", max_length=2000),
                handler=H.submit_co_opinion,
                button="提交协办意见",
            ),
            rx.fragment(),
        ),
        rx.cond(
            _has(A.REVIEW_FORM),
            form_card(
                "上传不满意诉求审核反馈表",
                rx.text("企业两次评价不满意。请上传经单位负责人签字的《不满意诉求审核反馈表》,由专班核查。", size="2"),
                file_picker(D, "review_files", label="审核反馈表"),
                textarea_field("情况说明", "unit_note", errors=D.errors, rows="2", max_length=1000),
                handler=H.upload_review_form,
                button="上传审核反馈表",
            ),
            rx.fragment(),
        ),
    )
