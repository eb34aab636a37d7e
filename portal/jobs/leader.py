"""Only one scheduler may run jobs at a time (DESIGN §9): a PostgreSQL advisory lock held on a
dedicated connection, or an ``fcntl`` lock file next to the SQLite database. A second scheduler stays
idle and takes over when the first one's connection or process dies."""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

from sqlalchemy import text

from portal.core.db import get_engine
from portal.core.settings import get_settings
from portal.services.operations.health import SCHEDULER_LOCK_KEY as ADVISORY_LOCK_KEY  # "QSJB"


class LeaderLock:
    def __init__(self) -> None:
        self._connection = None
        self._file = None

    def try_acquire(self) -> bool:
        settings = get_settings()
        if settings.is_sqlite:
            db_path = Path(settings.database_url.split("///", 1)[-1])
            lock_path = db_path.with_name(db_path.name + ".scheduler.lock")
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(lock_path, "a+")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                return False
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            self._file = handle
            return True
        connection = get_engine().connect()
        got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar()
        connection.commit()
        if got:
            # /api/health names the holder from pg_stat_activity.
            name = f"portal-scheduler {socket.gethostname()}:{os.getpid()}"[:63]
            connection.execute(text("SELECT set_config('application_name', :n, false)"), {"n": name})
            connection.commit()
            self._connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
