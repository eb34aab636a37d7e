"""Work the scheduler finds by time and does on its own (``portal.jobs`` calls these)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import DemandStatus as S
from portal.models.tables import Demand, RevisitTask
from portal.services.workflow import advance_demand, record_event


def open_due_revisits() -> int:
    """Demands still 待评价 after the rating window get a 回访 task (once per round)."""
    moment = now()
    created = 0
    with session_scope() as session:
        due = session.exec(select(Demand).where(Demand.status == S.FEEDBACK, Demand.rate_due_at < moment)).all()
        for demand in due:
            exists = session.exec(
                select(RevisitTask.id).where(RevisitTask.demand_id == demand.id, RevisitTask.round == demand.round)
            ).first()
            if exists:
                continue
            session.add(RevisitTask(demand_id=demand.id, round=demand.round, created_at=moment))
            try:
                session.flush()
            except IntegrityError:  # another sweeper made it first
                session.rollback()
                continue
            advance_demand(session, demand, moment=moment)
            record_event(
                session, demand, None, "转电话回访", "企业逾期未评价,转推进中心电话回访", {}, moment, public=True
            )
            created += 1
    return created
