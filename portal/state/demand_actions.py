"""The actions on one demand, one child state per role. Each handler is named after the service verb it
calls; the services re-check role, ownership and state, so a crafted event changes nothing it may not."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.services import dispatching, handling, intake, rating, verification
from portal.services.errors import ValidationFailed
from portal.state.base import checked, text_of
from portal.state.demand_detail import DemandDetailState

_YES_NO = {"是": True, "否": False}


class EnterpriseDemandActions(DemandDetailState):
    @rx.event
    def withdraw(self):
        """撤回 a demand nobody has taken up yet."""
        return self._act(
            lambda a: intake.withdraw(actor=a, demand_id=self._demand_id),
            "诉求已撤回",
            Role.ENTERPRISE,
            after=self._after_action,
        )

    @rx.event
    def rate(self, form: dict):
        """提交评价."""
        return self._act(
            lambda a: rating.rate(
                actor=a,
                demand_id=self._demand_id,
                satisfaction=text_of(form, "satisfaction"),
                contacted=_YES_NO.get(text_of(form, "contacted")),
                comment=text_of(form, "comment"),
            ),
            "评价已提交",
            Role.ENTERPRISE,
            after=self._after_action,
        )


class DispatcherDemandActions(DemandDetailState):
    @rx.event
    def dispatch(self, form: dict):
        """派单. One checkbox per unit, named co_<unit id>."""
        co_ids = (
            [key[3:] for key in form if isinstance(key, str) and key.startswith("co_") and checked(form, key)]
            if isinstance(form, dict)
            else []
        )
        return self._act(
            lambda a: dispatching.dispatch(
                actor=a,
                demand_id=self._demand_id,
                lead_unit_id=text_of(form, "lead_unit_id"),
                co_unit_ids=co_ids,
                level=text_of(form, "level"),
            ),
            "已派单",
            Role.DISPATCHER,
            after=self._after_action,
        )

    @rx.event
    def instant_answer(self, form: dict):
        """即时答复."""
        return self._act(
            lambda a: dispatching.instant_answer(actor=a, demand_id=self._demand_id, answer=text_of(form, "answer")),
            "已即时答复",
            Role.DISPATCHER,
            after=self._after_action,
        )

    @rx.event
    def reject(self, form: dict):
        """不予受理."""
        return self._act(
            lambda a: dispatching.reject(actor=a, demand_id=self._demand_id, reason=text_of(form, "reason")),
            "已不予受理",
            Role.DISPATCHER,
            after=self._after_action,
        )

    @rx.event
    def decide_extension(self, form: dict):
        """同意延期 / 驳回延期."""
        approve = text_of(form, "decision") == "approve"
        return self._act(
            lambda a: handling.decide_extension(
                actor=a, request_id=self._pending_extension_id, approve=approve, note=text_of(form, "decision_note")
            ),
            "已同意延期" if approve else "已驳回延期",
            Role.DISPATCHER,
            after=self._after_action,
        )

    @rx.event
    def record_revisit(self, form: dict):
        """登记回访: the phone rating, on the enterprise's behalf."""
        return self._act(
            lambda a: rating.record_revisit(
                actor=a,
                task_id=self._revisit_task_id,
                satisfaction=text_of(form, "satisfaction"),
                contacted=_YES_NO.get(text_of(form, "contacted")),
                comment=text_of(form, "comment"),
            ),
            "回访已登记",
            Role.DISPATCHER,
            after=self._after_action,
        )

    @rx.event
    def record_unreachable(self):
        """记录未接通."""
        return self._act(
            lambda a: rating.record_unreachable(actor=a, task_id=self._revisit_task_id, note="电话未接通"),
            "已记录未接通",
            Role.DISPATCHER,
            after=self._after_action,
        )

    @rx.event
    def decide_verification(self, form: dict):
        """核查办结 or 要求重办."""
        close = text_of(form, "decision") != "redo"
        return self._act(
            lambda a: verification.decide_verification(
                actor=a, demand_id=self._demand_id, close=close, opinion=text_of(form, "opinion")
            ),
            "已核查办结" if close else "已要求重办",
            Role.DISPATCHER,
            after=self._after_action,
        )


class HandlerDemandActions(DemandDetailState):
    @rx.event
    def sign(self):
        """签收."""
        return self._act(
            lambda a: handling.sign(actor=a, order_id=self._my_order_id),
            "已签收",
            Role.HANDLER,
            after=self._after_action,
        )

    @rx.event
    def return_order(self, form: dict):
        """退回 with a reason, before signing."""
        return self._act(
            lambda a: handling.return_order(
                actor=a,
                order_id=self._my_order_id,
                kind=text_of(form, "return_kind"),
                reason=text_of(form, "return_reason"),
            ),
            "已退回",
            Role.HANDLER,
            after=self._after_action,
        )

    @rx.event
    def request_extension(self, form: dict):
        """申请延期."""
        return self._act(
            lambda a: handling.request_extension(
                actor=a,
                order_id=self._my_order_id,
                reason=text_of(form, "extension_reason"),
                new_due_date=text_of(form, "extension_due"),
            ),
            "延期申请已提交",
            Role.HANDLER,
            after=self._after_action,
        )

    @rx.event
    def submit_co_opinion(self, form: dict):
        """提交协办意见."""
        return self._act(
            lambda a: handling.submit_co_opinion(
                actor=a, order_id=self._my_order_id, opinion=text_of(form, "co_opinion")
            ),
            "协办意见已提交",
            Role.HANDLER,
            after=self._after_action,
        )

    @rx.event
    def submit_feedback(self, form: dict):
        """提交办理结果, with the staged files."""
        return self._act(
            lambda a: handling.submit_feedback(
                actor=a,
                order_id=self._my_order_id,
                reply=text_of(form, "reply"),
                method=text_of(form, "method"),
                solved=_YES_NO.get(text_of(form, "solved")),
                attachments_in=self._take_staged(),
            ),
            "办理结果已提交",
            Role.HANDLER,
            after=self._after_action,
        )

    @rx.event
    def upload_review_form(self, form: dict):
        """上传审核反馈表 (exactly one staged file)."""

        def call(actor):
            staged = self._take_staged()
            if len(staged) != 1:
                raise ValidationFailed({"files": "请上传一份审核反馈表"})
            verification.upload_review_form(
                actor=actor, demand_id=self._demand_id, upload=staged[0], note=text_of(form, "unit_note")
            )

        return self._act(call, "审核反馈表已上传", Role.HANDLER, after=self._after_action)
