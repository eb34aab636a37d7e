"""转办: the 推进中心 dispatches a demand to a lead unit (and co-units), answers it at once, or rejects it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_id
from portal.models.enums import DISPATCH_LEVELS, Channel, LimitLevel, OrderRole, PolicyStatus, Role, UnitKind
from portal.models.enums import DemandStatus as S
from portal.models.enums import WorkOrderStatus as W
from portal.models.tables import DemandPolicy, Policy, Unit, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.admin.catalogue import checked_version
from portal.services.base.access import require_role, transactional
from portal.services.base.errors import ValidationFailed
from portal.services.base.notices import notify_enterprise, notify_unit
from portal.services.base.text import clean_text
from portal.services.calendar.store import get_calendar
from portal.services.demands.workflow import (
    advance_demand,
    check_awaiting_dispatch,
    due_after,
    get_demand,
    limit_days,
    record_event,
)


def _dispatchable_unit(session: Session, raw) -> Unit | None:
    unit_id = parse_id(raw)
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit if unit is not None and unit.active and unit.kind != UnitKind.CENTER else None


def _checked_units(session: Session, lead_unit_id, co_unit_ids, level) -> tuple[Unit, list[Unit]]:
    """The lead and the distinct co-units, or ``ValidationFailed`` naming each bad field."""
    errors: dict[str, str] = {}
    lead = _dispatchable_unit(session, lead_unit_id)
    if lead is None:
        errors["lead_unit_id"] = "请选择承办单位"
    co_units: list[Unit] = []
    if not isinstance(co_unit_ids, (list, tuple)):
        errors["co_unit_ids"] = "协办单位有误"
    else:
        for raw in co_unit_ids:
            unit = _dispatchable_unit(session, raw)
            if unit is None:
                errors["co_unit_ids"] = "协办单位有误"
            elif lead is not None and unit.id == lead.id:
                errors["co_unit_ids"] = "协办单位不能与承办单位相同"
            elif unit not in co_units:
                co_units.append(unit)
    if level not in {lvl.value for lvl in DISPATCH_LEVELS}:
        errors["level"] = "请选择时限等级"
    if errors:
        raise ValidationFailed(errors)
    return lead, co_units


def _add_orders(
    session: Session, demand, actor: Actor, lead: Unit, co_units: list[Unit], level: str, moment: datetime
) -> tuple[datetime, datetime]:
    """One work order for the lead and one per co-unit. Returns (due, sign due)."""
    due, lead_days, reason = _lead_limit(session, demand, moment, level)
    sign_due = min(due_after(session, moment, LimitLevel.SIGN), due) if level != LimitLevel.INSTANT else due
    co_due = min(due_after(session, moment, LimitLevel.CO_OPINION), due)
    common = dict(
        demand_id=demand.id,
        round=demand.round,
        status=W.PENDING_SIGN,
        level=level,
        dispatched_by_id=actor.user_id,
        dispatched_at=moment,
        sign_due_at=sign_due,
        next_check_at=moment,
    )
    session.add(
        WorkOrder(
            unit_id=lead.id,
            order_role=OrderRole.LEAD,
            due_at=due,
            original_due_at=due,
            due_reason=reason,
            limit_days=lead_days,
            **common,
        )
    )
    for unit in co_units:
        session.add(
            WorkOrder(
                unit_id=unit.id,
                order_role=OrderRole.CO,
                due_at=co_due,
                original_due_at=co_due,
                due_reason="协办意见",
                limit_days=limit_days(session, LimitLevel.CO_OPINION),
                **common,
            )
        )
    return due, sign_due


def _lead_limit(session: Session, demand, moment: datetime, level: str) -> tuple[datetime, int, str]:
    """The lead order's (due, working days, reason). A 办不成事窗口 demand must be answered within the window's
    limit (seed 002: 按照事项复杂程度要求在3日内进行反馈; ``LimitLevel.WINDOW``, 3 by default, editable under
    时限规则), whatever longer level is chosen; 即时 stays 即时."""
    days = limit_days(session, level)
    reason = f"{level}({days}个工作日)"
    if demand.channel == Channel.FALLBACK_WINDOW and level != LimitLevel.INSTANT:
        window = limit_days(session, LimitLevel.WINDOW)
        if window < days:
            days, reason = window, f"办不成事窗口({window}个工作日内反馈)"
    return get_calendar(session).add_working_days(moment, days), days, reason


@transactional
def dispatch(*, actor: Actor, demand_id, lead_unit_id, co_unit_ids=(), level: str, catalogue_version=None) -> None:
    """派单 to a lead unit (and co-units) with a time-limit level; ``catalogue_version`` is the 派单目录
    version whose suggestion the form showed (recorded on the demand)."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        demand = get_demand(session, demand_id)
        check_awaiting_dispatch(demand, "派单")
        lead, co_units = _checked_units(session, lead_unit_id, co_unit_ids, level)
        moment = now()
        due, sign_due = _add_orders(session, demand, actor, lead, co_units, level, moment)
        advance_demand(
            session,
            demand,
            status=S.DISPATCHED,
            lead_unit_id=lead.id,
            level=level,
            due_at=due,
            moment=moment,
            catalogue_version=checked_version(session, catalogue_version),
        )
        names = "、".join(unit.name for unit in co_units)
        detail = (
            f"承办单位:{lead.name}"
            + (f";协办单位:{names}" if names else "")
            + f";时限:{level},{format_instant(due)}前办结"
        )
        co_ids = [unit.id for unit in co_units]
        data = {
            "lead_unit_id": lead.id,
            "co_unit_ids": co_ids,
            "level": level,
            "due_at": due.isoformat(),
            "catalogue_version": demand.catalogue_version,
        }
        record_event(session, demand, actor, "派单", detail, data, moment, public=True)
        for unit_id in [lead.id, *co_ids]:
            notify_unit(
                session,
                demand,
                key=f"d{demand.id}:派单:{demand.round}:{demand.version}:{unit_id}",
                kind="新工单",
                unit_id=unit_id,
                title=f"新工单待签收:{demand.title}",
                body=f"{format_instant(sign_due)}前签收",
            )
        notify_enterprise(
            session, demand, "已派单", f"诉求{demand.code}已转{lead.name}办理", f"预计{format_instant(due)}前办结"
        )


MAX_CITED_POLICIES = 5


def _cited(session, policy_ids) -> list[Policy]:
    """The published policies an answer cites (at most five), or ValidationFailed."""
    ids = list(dict.fromkeys(parse_id(raw) for raw in (policy_ids or ())))
    if None in ids or len(ids) > MAX_CITED_POLICIES:
        raise ValidationFailed({"answer": f"最多引用{MAX_CITED_POLICIES}项已发布的政策"})
    found = session.exec(select(Policy).where(Policy.id.in_(ids), Policy.status == PolicyStatus.PUBLISHED)).all()
    if len(found) != len(ids):
        raise ValidationFailed({"answer": "所引用的政策不存在或未发布"})
    return sorted(found, key=lambda p: ids.index(p.id))


@transactional
def instant_answer(*, actor: Actor, demand_id, answer: str, policy_ids=()) -> None:
    """即时答复 by the dispatcher, citing up to five published policies (seed 001: 能依据政策库作出答复的咨询类
    事项要即时答复); then it waits for the rating like any feedback."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        demand = get_demand(session, demand_id)
        check_awaiting_dispatch(demand, "即时答复")
        answer = clean_text(answer, limit=2000)
        if len(answer) < 5:
            raise ValidationFailed({"answer": "请填写答复内容(至少5个字)"})
        cited = _cited(session, policy_ids)
        moment = now()
        rate_due = due_after(session, moment, LimitLevel.RATE)
        advance_demand(
            session,
            demand,
            status=S.FEEDBACK,
            instant_answer=answer,
            rate_due_at=rate_due,
            level=LimitLevel.INSTANT,
            moment=moment,
        )
        session.add_all(DemandPolicy(demand_id=demand.id, policy_id=p.id) for p in cited)
        detail = answer + ("\n引用政策:" + "".join(f"《{p.title}》" for p in cited) if cited else "")
        cited_ids = {"policy_ids": [p.id for p in cited]}
        record_event(session, demand, actor, "即时答复", detail, cited_ids, moment, public=True)
        notify_enterprise(session, demand, "请评价", f"诉求{demand.code}已答复,请评价", answer[:200])


@transactional
def reject(*, actor: Actor, demand_id, reason: str) -> None:
    """不予受理, with the reason the enterprise will read."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        demand = get_demand(session, demand_id)
        check_awaiting_dispatch(demand, "不予受理")
        reason = clean_text(reason, limit=500)
        if len(reason) < 2:
            raise ValidationFailed({"reason": "请填写不予受理的理由"})
        advance_demand(session, demand, status=S.REJECTED, reject_reason=reason, closed_at=now())
        record_event(session, demand, actor, "不予受理", reason, public=True)
        notify_enterprise(session, demand, "不予受理", f"诉求{demand.code}不予受理", reason)
