"""What the browser and the log get when an event handler fails (DESIGN §8: a clear message, never a
traceback on the client).

Every public handler can be called by anyone with any arguments. A call whose arguments do not fit
the handler's signature fails inside Reflex before any portal code runs: that is a malformed client
event, logged in one line. Anything raised from portal code is a fault of ours and is logged with its
traceback for the operator. Either way the browser gets the same short Chinese message.
"""

# No ``from __future__ import annotations`` here: Reflex evaluates the handler's return annotation.
import asyncio
import logging
import time
from pathlib import Path

import reflex as rx
from reflex.event import EventSpec
from reflex.middleware import Middleware

from portal.core import logs
from portal.core.metrics import EVENT_SECONDS, EVENTS

log = logging.getLogger("portal.events")
_PORTAL_DIR = str(Path(__file__).resolve().parents[1])
FAILED = "请求无法处理,请刷新页面后重试;如仍有问题请联系管理员"


def _raised_in_portal(exception: BaseException) -> bool:
    tb = exception.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(_PORTAL_DIR):
            return True
        tb = tb.tb_next
    return False


def on_backend_exception(exception: Exception) -> EventSpec:
    """Reflex's backend exception handler for the portal."""
    context = logs.current()
    if context is not None:
        context["outcome"] = "error"
    if isinstance(exception, TypeError) and not _raised_in_portal(exception):
        log.warning("malformed event refused: %s", exception)
    else:
        log.error("event handler failed", exc_info=exception)
    return rx.toast.error(FAILED, id="backend_error")


class EventTiming(Middleware):
    """Times every event (issue #24) through Reflex's own middleware hook: ``preprocess`` runs in the
    event's task, once its state is loaded and before the handler; the task's end (handler, delta sent)
    closes the measure. Opens the event's log context (``core/logs``: event id, handler, user) and
    writes one ``event handled`` line and the ``portal_event*`` metrics."""

    async def preprocess(self, app, state, event):
        handler = str(getattr(event, "name", "") or "?")[-120:]
        context = logs.begin("event", handler)
        context["outcome"] = "ok"
        started = time.perf_counter()
        task = asyncio.current_task()
        if task is not None:
            task.add_done_callback(lambda done: _event_finished(done, context, started))
        return None


def _event_finished(task: "asyncio.Task", context: dict, started: float) -> None:
    elapsed = time.perf_counter() - started
    outcome = "cancelled" if task.cancelled() else context.get("outcome", "ok")
    handler = context["route"]
    EVENTS.labels(handler=handler, outcome=outcome).inc()
    EVENT_SECONDS.labels(handler=handler).observe(elapsed)
    log.info("event handled", extra={**context, "outcome": outcome, "duration_ms": round(elapsed * 1000, 1)})
