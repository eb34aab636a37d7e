"""The actions on one demand, one state per role. Each handler is named after the service verb it calls
and receives what it acts on as a ``DemandTarget`` (the demand's id, the viewer's order, the pending
request, staged files — loaded by the server with the page); the errors land on the detail state
(``DemandDetailState``), where the page reads them.
The services re-check role, ownership and state, so a crafted event changes nothing it may not."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal.models.enums import Role
from portal.models.records.policies import PolicyLink
from portal.services.accounts.actor import Actor
from portal.services.base.errors import ValidationFailed
from portal.services.demands import dispatching, handling, intake, rating, verification
from portal.services.policies import library
from portal.state.auth import AuthState
from portal.state.base import checked, text_of
from portal.state.demands.detail import DemandDetailState, DemandTarget, target_of
from portal.state.demands.rectifications import rating_fields

_YES_NO = {"是": True, "否": False}
Call = Callable[[Actor, DemandTarget], object]


class _DemandActions(AuthState):
    async def _on_detail(self, call: Call, success: str, role: str):
        detail = await self.get_state(DemandDetailState)
        target = target_of(detail)
        return detail._act(lambda actor: call(actor, target), success, role, after=detail._after_action)


class EnterpriseDemandActions(_DemandActions):
    @rx.event
    async def withdraw(self):
        """撤回 a demand nobody has taken up yet."""
        return await self._on_detail(
            lambda a, d: intake.withdraw(actor=a, demand_id=d.demand_id), "诉求已撤回", Role.ENTERPRISE
        )

    @rx.event
    async def rate(self, form: dict):
        """提交评价."""
        return await self._on_detail(
            lambda a, d: rating.rate(actor=a, demand_id=d.demand_id, **rating_fields(form)),
            "评价已提交",
            Role.ENTERPRISE,
        )


class DispatcherDemandActions(_DemandActions):
    policy_choices: list[PolicyLink] = []  # found by 查找政策; ticked ones are cited by 即时答复

    @rx.event
    def find_policies(self, form: dict):
        """查找政策 to cite: the best ten published policies for the words typed."""
        query = text_of(form, "policy_query")[:100]
        rows = library.search_policies(query=query)["rows"] if query.strip() else []
        self.policy_choices = [PolicyLink(id=r["id"], title=r["title"], reason=r["issuer"]) for r in rows]

    @rx.event
    async def dispatch(self, form: dict):
        """派单. One checkbox per unit, named co_<unit id>."""
        co_ids = (
            [key[3:] for key in form if isinstance(key, str) and key.startswith("co_") and checked(form, key)]
            if isinstance(form, dict)
            else []
        )
        return await self._on_detail(
            lambda a, d: dispatching.dispatch(
                actor=a,
                demand_id=d.demand_id,
                lead_unit_id=text_of(form, "lead_unit_id"),
                co_unit_ids=co_ids,
                level=text_of(form, "level"),
                catalogue_version=text_of(form, "catalogue_version"),
            ),
            "已派单",
            Role.DISPATCHER,
        )

    @rx.event
    async def instant_answer(self, form: dict):
        """即时答复, citing the ticked policies (checkboxes named cite_<policy id>)."""
        cited = (
            [key[5:] for key in form if isinstance(key, str) and key.startswith("cite_") and checked(form, key)]
            if isinstance(form, dict)
            else []
        )
        result = await self._on_detail(
            lambda a, d: dispatching.instant_answer(
                actor=a, demand_id=d.demand_id, answer=text_of(form, "answer"), policy_ids=cited
            ),
            "已即时答复",
            Role.DISPATCHER,
        )
        detail = await self.get_state(DemandDetailState)
        if not detail.errors:
            self.policy_choices = []
        return result

    @rx.event
    async def reject(self, form: dict):
        """不予受理."""
        return await self._on_detail(
            lambda a, d: dispatching.reject(actor=a, demand_id=d.demand_id, reason=text_of(form, "reason")),
            "已不予受理",
            Role.DISPATCHER,
        )

    @rx.event
    async def decide_extension(self, form: dict):
        """同意延期 / 驳回延期."""
        approve = text_of(form, "decision") == "approve"
        return await self._on_detail(
            lambda a, d: handling.decide_extension(
                actor=a, request_id=d.pending_extension_id, approve=approve, note=text_of(form, "decision_note")
            ),
            "已同意延期" if approve else "已驳回延期",
            Role.DISPATCHER,
        )

    @rx.event
    async def record_revisit(self, form: dict):
        """登记回访: the phone rating, on the enterprise's behalf."""
        return await self._on_detail(
            lambda a, d: rating.record_revisit(actor=a, task_id=d.revisit_task_id, **rating_fields(form)),
            "回访已登记",
            Role.DISPATCHER,
        )

    @rx.event
    async def record_unreachable(self):
        """记录未接通."""
        return await self._on_detail(
            lambda a, d: rating.record_unreachable(actor=a, task_id=d.revisit_task_id, note="电话未接通"),
            "已记录未接通",
            Role.DISPATCHER,
        )

    @rx.event
    async def decide_verification(self, form: dict):
        """核查办结 or 要求重办."""
        close = text_of(form, "decision") != "redo"
        return await self._on_detail(
            lambda a, d: verification.decide_verification(
                actor=a, demand_id=d.demand_id, close=close, opinion=text_of(form, "opinion")
            ),
            "已核查办结" if close else "已要求重办",
            Role.DISPATCHER,
        )


class HandlerDemandActions(_DemandActions):
    @rx.event
    async def sign(self):
        """签收."""
        return await self._on_detail(
            lambda a, d: handling.sign(actor=a, order_id=d.my_order_id), "已签收", Role.HANDLER
        )

    @rx.event
    async def return_order(self, form: dict):
        """退回 with a reason, before signing."""
        return await self._on_detail(
            lambda a, d: handling.return_order(
                actor=a,
                order_id=d.my_order_id,
                kind=text_of(form, "return_kind"),
                reason=text_of(form, "return_reason"),
            ),
            "已退回",
            Role.HANDLER,
        )

    @rx.event
    async def request_extension(self, form: dict):
        """申请延期."""
        return await self._on_detail(
            lambda a, d: handling.request_extension(
                actor=a,
                order_id=d.my_order_id,
                reason=text_of(form, "extension_reason"),
                new_due_date=text_of(form, "extension_due"),
            ),
            "延期申请已提交",
            Role.HANDLER,
        )

    @rx.event
    async def submit_co_opinion(self, form: dict):
        """提交协办意见."""
        return await self._on_detail(
            lambda a, d: handling.submit_co_opinion(
                actor=a, order_id=d.my_order_id, opinion=text_of(form, "co_opinion")
            ),
            "协办意见已提交",
            Role.HANDLER,
        )

    @rx.event
    async def submit_feedback(self, form: dict):
        """提交办理结果, with the staged files."""
        return await self._on_detail(
            lambda a, d: handling.submit_feedback(
                actor=a,
                order_id=d.my_order_id,
                reply=text_of(form, "reply"),
                method=text_of(form, "method"),
                solved=_YES_NO.get(text_of(form, "solved")),
                attachments_in=d.take_staged(a),
            ),
            "办理结果已提交",
            Role.HANDLER,
        )

    @rx.event
    async def upload_review_form(self, form: dict):
        """上传审核反馈表 (exactly one staged file)."""

        def call(actor: Actor, detail: DemandTarget) -> None:
            staged = detail.take_staged(actor)
            if len(staged) != 1:
                raise ValidationFailed({"files": "请上传一份审核反馈表"})
            verification.upload_review_form(
                actor=actor, demand_id=detail.demand_id, upload=staged[0], note=text_of(form, "unit_note")
            )

        return await self._on_detail(call, "审核反馈表已上传", Role.HANDLER)
