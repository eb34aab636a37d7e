"""The portal's Prometheus metrics (prometheus_client), served at ``/api/metrics`` (issue #24).

Counters and histograms live in the process that observes them: a web worker (events, HTTP requests,
login failures) or the scheduler (job runs). With ``PROMETHEUS_MULTIPROC_DIR`` set (``scripts/run.sh``
and ``scripts/cluster.sh`` set it to a fresh folder), every process writes its samples there and the
route adds them up across all workers and the scheduler; without it, each worker reports its own.
Figures read from the database (open demands by status, overdue orders, each job's last success) are
computed when scraped (``services/operations/figures.py``), so they are the same from any worker.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

# Latency buckets (seconds) around the targets: p95 ≤ 50 ms for an event.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

EVENTS = Counter("portal_events_total", "Reflex events handled, by handler and outcome", ["handler", "outcome"])
EVENT_SECONDS = Histogram("portal_event_seconds", "Time to handle a Reflex event", ["handler"], buckets=_BUCKETS)
REQUESTS = Counter("portal_http_requests_total", "HTTP requests, by route and status class", ["route", "status"])
REQUEST_SECONDS = Histogram("portal_http_request_seconds", "Time to answer a request", ["route"], buckets=_BUCKETS)
JOB_RUNS = Counter("portal_job_runs_total", "Scheduler job runs, by job and outcome", ["job", "outcome"])
JOB_SECONDS = Histogram(
    "portal_job_seconds", "Duration of a scheduler job run", ["job"], buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900)
)
LOGIN_FAILURES = Counter("portal_login_failures_total", "Refused logins (wrong password, locked, unknown user)")


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class _Together:
    """Several collectors read as one registry (``generate_latest`` only calls ``collect``)."""

    def __init__(self, *collectors) -> None:
        self._collectors = collectors

    def collect(self):
        for collector in self._collectors:
            yield from collector.collect()


def exposition(*extra_collectors) -> tuple[bytes, str]:
    """The text exposition of every metric (all processes' in multiprocess mode) and ``extra_collectors``."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY

    if multiprocess():
        base = CollectorRegistry()
        MultiProcessCollector(base)
    else:
        base = REGISTRY
    return generate_latest(_Together(base, *extra_collectors)), CONTENT_TYPE_LATEST
