"""Figures read from the database when ``/api/metrics`` is scraped (issue #24): open demands by status,
overdue work orders, each job's last success and duration, the outbox's waiting and failed messages and how
long the oldest due one has waited. A prometheus_client collector, so every worker reports the same numbers."""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func
from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import DeliveryStatus, DemandStatus, WorkOrderStatus
from portal.models.tables import Demand, JobRun, OutboxMessage, WorkOrder

FINISHED = (DemandStatus.CLOSED, DemandStatus.REJECTED, DemandStatus.WITHDRAWN)
OPEN_ORDERS = (WorkOrderStatus.PENDING_SIGN, WorkOrderStatus.HANDLING)
# 已发送 rows only grow; what an operator alerts on is what waits or failed (ix_outbox_due serves these).
OUTBOX_WATCHED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED)


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
        outbox = session.exec(
            select(OutboxMessage.channel, OutboxMessage.status, func.count())
            .where(OutboxMessage.status.in_(OUTBOX_WATCHED))
            .group_by(OutboxMessage.channel, OutboxMessage.status)
        ).all()
        oldest_due = session.exec(
            select(func.min(OutboxMessage.next_attempt_at)).where(
                OutboxMessage.status == DeliveryStatus.PENDING, OutboxMessage.next_attempt_at <= moment
            )
        ).one()
    return {
        "open_demands": {s.value: by_status.get(s.value, 0) for s in DemandStatus if s not in FINISHED},
        "overdue_orders": overdue,
        "outbox": {(channel, status): count for channel, status, count in outbox},
        "outbox_oldest_due_seconds": _seconds_since(oldest_due, moment),
        "jobs": {
            run.job_id: (run.last_success_at.timestamp() if run.last_success_at else 0.0, run.last_duration_ms or 0)
            for run in jobs
        },
    }


def _seconds_since(instant, moment) -> float:
    if instant is None:
        return 0.0
    if instant.tzinfo is None:  # SQLite hands back naive UTC
        instant = instant.replace(tzinfo=moment.tzinfo)
    return max(0.0, (moment - instant).total_seconds())


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
        yield from _outbox_gauges(figures)


def _outbox_gauges(figures: dict):
    messages = GaugeMetricFamily(
        "portal_outbox_messages", "E-mail and SMS messages waiting, being sent or failed", labels=["channel", "status"]
    )
    for (channel, status), count in sorted(figures["outbox"].items()):
        messages.add_metric([channel, status], count)
    yield messages
    yield GaugeMetricFamily(
        "portal_outbox_oldest_due_seconds",
        "How long the oldest message due for sending has waited (0: none waits)",
        value=figures["outbox_oldest_due_seconds"],
    )
