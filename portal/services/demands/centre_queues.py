"""The 推进中心's work queues: extension requests to decide, phone revisits to make, verifications to do."""

from __future__ import annotations

from sqlmodel import select

from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.models.enums import DemandStatus as S
from portal.models.enums import ExtensionStatus, RevisitStatus, Role
from portal.models.records.demands import ExtensionRow, RevisitRow, VerificationRow
from portal.models.tables import Demand, Enterprise, ExtensionRequest, RevisitTask, Unit, Verification, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.errors import Forbidden
from portal.services.demands.lists import names_by_id

QUEUE_LIMIT = 200


def _require_dispatcher(actor: Actor) -> None:
    if actor.role != Role.DISPATCHER:
        raise Forbidden()


def pending_extensions(*, actor: Actor) -> list[ExtensionRow]:
    """延期审批: requests waiting for a decision, oldest first."""
    _require_dispatcher(actor)
    with session_scope() as session:
        rows = session.exec(
            select(ExtensionRequest, WorkOrder, Demand)
            .join(WorkOrder, WorkOrder.id == ExtensionRequest.work_order_id)
            .join(Demand, Demand.id == WorkOrder.demand_id)
            .where(ExtensionRequest.status == ExtensionStatus.PENDING)
            .order_by(ExtensionRequest.created_at)
            .limit(QUEUE_LIMIT)
        ).all()
        units = names_by_id(session, Unit, [o.unit_id for _, o, _ in rows])
        return [
            ExtensionRow(
                request_id=r.id,
                demand_id=d.id,
                code=d.code,
                title=d.title,
                unit=units.get(o.unit_id, ""),
                reason=r.reason,
                current_due=format_instant(o.due_at),
                requested_due=format_instant(r.requested_due_at, with_time=False),
                created_at=format_instant(r.created_at),
            )
            for r, o, d in rows
        ]


def open_revisits(*, actor: Actor) -> list[RevisitRow]:
    """回访: demands not rated in time, with the contact to call."""
    _require_dispatcher(actor)
    with session_scope() as session:
        rows = session.exec(
            select(RevisitTask, Demand)
            .join(Demand, Demand.id == RevisitTask.demand_id)
            .where(RevisitTask.status == RevisitStatus.OPEN)
            .order_by(RevisitTask.created_at)
            .limit(QUEUE_LIMIT)
        ).all()
        enterprises = names_by_id(session, Enterprise, [d.enterprise_id for _, d in rows])
        return [
            RevisitRow(
                task_id=t.id,
                demand_id=d.id,
                code=d.code,
                title=d.title,
                enterprise_name=enterprises.get(d.enterprise_id, ""),
                contact=f"{d.contact_name} {d.contact_phone}",
                attempts=t.attempts,
                created_at=format_instant(t.created_at),
            )
            for t, d in rows
        ]


def open_verifications(*, actor: Actor) -> list[VerificationRow]:
    """办结核查: demands twice rated 不满意, and whether the unit's review form is in."""
    _require_dispatcher(actor)
    with session_scope() as session:
        rows = session.exec(
            select(Verification, Demand)
            .join(Demand, Demand.id == Verification.demand_id)
            .where(Demand.status == S.VERIFYING, Verification.round == Demand.round)
            .order_by(Verification.created_at)
            .limit(QUEUE_LIMIT)
        ).all()
        units = names_by_id(session, Unit, [d.lead_unit_id for _, d in rows])
        return [
            VerificationRow(
                demand_id=d.id,
                code=d.code,
                title=d.title,
                unit=units.get(d.lead_unit_id, ""),
                form_uploaded=v.form_attachment_id is not None,
                created_at=format_instant(v.created_at),
            )
            for v, d in rows
        ]
