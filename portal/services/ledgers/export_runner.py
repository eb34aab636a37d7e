"""Where an export's file is written: a child process forked from a warm fork server.

A 30-second .xlsx in a thread of the web worker would hold the GIL its event loop needs (page work p95 201
ms, slowest 368 ms in bench_ledgers), hence a child process. Started as ``python -m portal.cli run-export``
each child paid about a second of imports (SQLAlchemy, SQLModel, the tables, openpyxl) before its first row:
a fifth of a 100 000-row CSV. So each web worker keeps one fork server (``multiprocessing``'s forkserver
context) that has imported the export code once; an export is a fork of it, ready in milliseconds. The fork
server never opens a database connection (imports only), so a child starts with no shared socket. It is
started by ``warm()`` in a thread when the ledgers page opens, else by the first export; it costs the
worker about 60 MB and ends with it.

Children are not daemons: a worker that shuts down cleanly waits for the exports it started, as the old
separate processes finished on their own; a worker killed outright leaves its exports to ``mark_abandoned``
(the page's watcher) or ``export_queue.expire_stale``.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import threading
from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util

_PRELOAD = ["portal.services.ledgers.exports", "openpyxl", "openpyxl.cell._writer"]
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(_PRELOAD)


class _Popen(popen_forkserver.Popen):
    """The standard library's fork-server launch, less one thing: the child is not told to run the parent's
    ``__main__`` again (a web worker's launcher or a benchmark's script; it would cost seconds and run
    whatever that script does at import). The target is a function of this module, which the fork server
    has already imported."""

    def _launch(self, process_obj):
        prep_data = spawn.get_preparation_data(process_obj._name)
        for key in ("init_main_from_path", "init_main_from_name"):
            prep_data.pop(key, None)
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)  # the child's sign that its parent is alive, as the standard launch keeps
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _ExportProcess(context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def _write(export_id: int, settings_env: dict[str, str]) -> None:
    """The child's work: the export, as its owner (exit status 1 when the service refused it). The fork
    server's environment is the one it started with; the child takes the parent's ``PORTAL_*`` settings as
    they are now (the same in a deployment; a test suite moves between databases)."""
    import sys

    from portal.core.settings import get_settings
    from portal.services.base.errors import ServiceError
    from portal.services.ledgers import exports

    for name in [name for name in os.environ if name.startswith("PORTAL_") and name not in settings_env]:
        del os.environ[name]
    os.environ.update(settings_env)
    get_settings.cache_clear()

    try:
        record = exports.run_export_for_owner(export_id)
    except ServiceError:
        sys.exit(1)
    sys.exit(0 if record["status"] == exports.DONE else 1)


def _ready() -> None:
    """A child that does nothing: its start proves the fork server has imported what it preloads."""


_warm_lock = threading.Lock()
_warmed = threading.Event()


def warm() -> None:
    """Start this process's fork server now and wait until it has imported the export code (about a second,
    blocking), so the next export starts at once. Once per process: every opening of 导出台账 calls it, and
    a fork server that died later is started again by the next ``start`` itself."""
    if _warmed.is_set():
        return
    with _warm_lock:
        if not _warmed.is_set():
            child = _ExportProcess(target=_ready, name="portal-export-warm")
            child.start()
            child.join()
            _warmed.set()


def start(export_id: int) -> multiprocessing.process.BaseProcess:
    """Fork a child that writes export ``export_id``; blocking while the fork server starts, so call it in
    a thread. Raises OSError when no process can be had."""
    settings_env = {name: value for name, value in os.environ.items() if name.startswith("PORTAL_")}
    child = _ExportProcess(target=_write, args=(export_id, settings_env), name=f"portal-export-{export_id}")
    child.start()
    return child
