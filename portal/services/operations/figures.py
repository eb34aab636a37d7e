"""Figures read from the database when ``/api/metrics`` is scraped (issue #24): open demands by status,
overdue work orders, each job's last success and duration. A prometheus_client collector, so every
worker reports the same numbers."""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func
from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import DemandStatus, WorkOrderStatus
from portal.models.tables import Demand, JobRun, WorkOrder

FINISHED = (DemandStatus.CLOSED, DemandStatus.REJECTED, DemandStatus.WITHDRAWN)
OPEN_ORDERS = (WorkOrderStatus.PENDING_SIGN, WorkOrderStatus.HANDLING)


def database_figures() -> dict:
    moment = now()
    with session_scope() as session:
        by_status = dict(
            session.exec(
                select(Demand.status, func.count()).where(Demand.status.not_in(FINISHED)).group_by(Demand.status)
            ).all()
        )
        overdue = session.exec(
            select(func.count()).where(WorkOrder.status.in_(OPEN_ORDERS), WorkOrder.due_at < moment)
        ).one()
        jobs = session.exec(select(JobRun)).all()
    return {
        "open_demands": {s.value: by_status.get(s.value, 0) for s in DemandStatus if s not in FINISHED},
        "overdue_orders": overdue,
        "jobs": {
            run.job_id: (run.last_success_at.timestamp() if run.last_success_at else 0.0, run.last_duration_ms or 0)
            for run in jobs
        },
    }


class DatabaseCollector:
    """Gauges computed at each scrape."""

    def collect(self):
        figures = database_figures()
        open_demands = GaugeMetricFamily("portal_open_demands", "Unfinished demands, by status", labels=["status"])
        for status, count in figures["open_demands"].items():
            open_demands.add_metric([status], count)
        yield open_demands
        yield GaugeMetricFamily(
            "portal_overdue_work_orders", "Open work orders past their due time", value=figures["overdue_orders"]
        )
        success = GaugeMetricFamily(
            "portal_job_last_success_timestamp_seconds", "When each job last succeeded", labels=["job"]
        )
        duration = GaugeMetricFamily("portal_job_last_duration_seconds", "Each job's last run time", labels=["job"])
        for job, (at, ms) in sorted(figures["jobs"].items()):
            success.add_metric([job], at)
            duration.add_metric([job], ms / 1000)
        yield success
        yield duration
