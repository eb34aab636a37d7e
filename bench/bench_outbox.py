"""Outbox delivery rate (issue #27): N queued e-mail notices delivered to a local SMTP server (aiosmtpd).

    .venv/bin/python bench/bench_outbox.py [--messages 10000] [--batch 200] [--postgres postgresql+psycopg://…]

Migrates a fresh database, loads the demo accounts, gives 20 staff accounts an e-mail address and queues
N notices through ``notices.notify`` (each a 预警 to one person: one outbox row each), then runs the
``deliver_outbox`` job's work until nothing is due, one SMTP connection per claimed batch. Checks that
the server received exactly N messages and every row is 已发送; prints the figures for the README.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import bench_database  # noqa: E402
from tests.services.outbox_helpers import free_port, use_channels  # noqa: E402


def _serve(port: int, received, ready) -> None:
    """The SMTP server in its own process (so its parsing does not share the sender's interpreter): counts
    what it accepts."""
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):
            with received.get_lock():
                received.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


@contextmanager
def smtp_process():
    port, received, ready = free_port(), multiprocessing.Value("i", 0), multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, received, ready), daemon=True)
    server.start()
    ready.wait(30)
    try:
        yield received, port
    finally:
        server.terminate()
        server.join(10)


def _queue(messages: int) -> None:
    from sqlmodel import select

    from portal.cli import migrate
    from portal.core.db import session_scope
    from portal.models.enums import Role
    from portal.models.tables import User
    from portal.seed.demo import seed_demo_world
    from portal.services.base import notices

    migrate()
    seed_demo_world(with_demands=False)
    with session_scope() as session:
        template = session.exec(select(User).where(User.role == Role.HANDLER)).first()
        for i in range(20):
            session.add(
                User(
                    username=f"bench{i:02d}",
                    password_hash=template.password_hash,
                    role=Role.HANDLER,
                    display_name=f"经办人{i}",
                    unit_id=template.unit_id,
                    email=f"bench{i:02d}@example.cn",
                )
            )
    with session_scope() as session:
        people = session.exec(select(User.id).where(User.username.startswith("bench"))).all()
    for start in range(0, messages, 1000):
        with session_scope() as session:
            for i in range(start, min(start + 1000, messages)):
                notices.notify(
                    session,
                    key=f"bench:{i}",
                    kind="预警",
                    title=f"预警:工单QB{i:08d}将于明天到期",
                    body="请抓紧办理并按时反馈。",
                    link=f"/staff/demands/{i + 1}",
                    user_id=people[i % 20],
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, bench_database("bench_outbox", workdir, args.postgres):
        os.environ["PORTAL_OUTBOX_BATCH"] = str(args.batch)
        with smtp_process() as (received_count, port):
            use_channels(port, None)
            from portal.core.settings import get_settings

            get_settings.cache_clear()
            started = time.perf_counter()
            _queue(args.messages)
            queued = time.perf_counter() - started
            from portal.services.delivery import sending

            started = time.perf_counter()
            counts = sending.deliver_outbox(budget_seconds=3600)
            elapsed = time.perf_counter() - started
            time.sleep(0.5)  # the server counts after answering
            received = received_count.value
        from sqlmodel import func, select

        from portal.core.db import session_scope
        from portal.models.tables import OutboxMessage

        with session_scope() as session:
            unsent = session.exec(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "已发送")
            ).one()
        backend = "PostgreSQL" if args.postgres else "SQLite"
        print(f"{backend}: queued {args.messages} notices in {queued:.1f} s (notify + outbox row)")
        print(
            f"delivered {counts.get('sent', 0)} in {elapsed:.2f} s = {counts.get('sent', 0) / elapsed:.0f} per second "
            f"(batch {args.batch}); server received {received}; not sent {unsent}"
        )
        assert received == args.messages and unsent == 0, (received, unsent, counts)


if __name__ == "__main__":
    main()
