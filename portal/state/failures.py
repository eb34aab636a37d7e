"""What the browser and the log get when an event handler fails (DESIGN §8: a clear message, never a
traceback on the client).

Every public handler can be called by anyone with any arguments. A call whose arguments do not fit
the handler's signature fails inside Reflex before any portal code runs: that is a malformed client
event, logged in one line. Anything raised from portal code is a fault of ours and is logged with its
traceback for the operator. Either way the browser gets the same short Chinese message.
"""

# No ``from __future__ import annotations`` here: Reflex evaluates the handler's return annotation.
import logging
from pathlib import Path

import reflex as rx
from reflex.event import EventSpec

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
    if isinstance(exception, TypeError) and not _raised_in_portal(exception):
        log.warning("malformed event refused: %s", exception)
    else:
        log.error("event handler failed", exc_info=exception)
    return rx.toast.error(FAILED, id="backend_error")
