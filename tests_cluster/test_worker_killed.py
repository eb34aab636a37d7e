"""A worker killed under load (issue #24 item 5), on the cluster of tests_cluster/conftest.py: two web
workers behind nginx, PostgreSQL, Redis, a scheduler and a standby. Opt-in like test_cluster.py.

50 simulated staff users speak Reflex's socket protocol through nginx: they log in over the socket
(the one-time ticket, then the cookie), open their queue, and 25 dispatchers 派单 four demands each while
25 handlers 签收 and 提交办理结果 the same demands. One web worker is SIGKILLed mid-run. Every client that
loses its socket reconnects (same tab token: its state is in Redis) to whichever worker nginx reaches and
carries on; a step whose answer never came is retried, and a retry of a step that had in fact been
written is refused by the service (the demand has moved on). Then: every acknowledged write is in the
database exactly once, every demand went the whole way, each timeline holds exactly one event per step,
``verify-timeline`` passes; the killed worker is replaced.

Then the scheduler: the active one is SIGKILLed, the standby holds the lease within
PORTAL_SCHEDULER_RETRY_SECONDS (plus a margin for this shared machine), runs every job, and sends no
notice twice (tests/services/test_scheduler_processes.py, now inside the cluster)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from portal.state.accounts.forms import LoginState
from portal.state.demands.actions import DispatcherDemandActions, HandlerDemandActions
from portal.state.demands.detail import DemandDetailState
from portal.state.demands.lists import DispatchQueueState, OrdersState
from tests_cluster.conftest import ENABLED, ROOT, SCHEDULER_RETRY_SECONDS

pytestmark = pytest.mark.skipif(not ENABLED, reason="PORTAL_TEST_CLUSTER=1 with PostgreSQL and Redis test URLs")

NAMESPACE = "/_event"
PAIRS, PER_PAIR = 25, 4  # 25 dispatchers + 25 handlers = 50 users, 100 demands
LOGIN = f"{LoginState.get_full_name()}.login"
DETAIL = f"{DemandDetailState.get_full_name()}.load"
QUEUE = f"{DispatchQueueState.get_full_name()}.load"
ORDERS = f"{OrdersState.get_full_name()}.load"
DISPATCH = f"{DispatcherDemandActions.get_full_name()}.dispatch"
SIGN = f"{HandlerDemandActions.get_full_name()}.sign"
FEEDBACK = f"{HandlerDemandActions.get_full_name()}.submit_feedback"
JOBS = {
    "supervise_orders",
    "open_revisits",
    "expire_policies",
    "daily_digest",
    "consult_reminders",
    "monthly_bulletin",
    "purge_housekeeping",
}


class Lost(Exception):
    """The socket went away or the answer did not come: the step's outcome is unknown."""


def _decoded(messages: list) -> str:
    dumped = json.dumps(messages, ensure_ascii=False)
    return re.sub(r"\\\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), dumped)


class SimUser:
    """One browser tab: a socket.io client on Reflex's event protocol through nginx. Its client token
    stays the same across reconnects, as a browser tab's does."""

    def __init__(self, url: str):
        self.url, self.token, self.cookie = url, str(uuid.uuid4()), ""
        self.messages: list = []
        self.changed = threading.Condition()
        self.reconnects = 0
        self.sio = None
        self._connect()

    def _connect(self) -> None:
        import socketio

        headers = {"Origin": self.url}
        if self.cookie:
            headers["Cookie"] = f"qs_session={self.cookie}"
        client = socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})
        client.on("event", self._arrived, namespace=NAMESPACE)
        client.on("disconnect", self._gone, namespace=NAMESPACE)
        client.connect(
            f"{self.url}?token={self.token}",
            socketio_path="/_event",
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers=headers,
            wait_timeout=30,
        )
        self.sio = client

    def _arrived(self, message) -> None:
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()

    def _gone(self, *_args) -> None:
        with self.changed:
            self.changed.notify_all()

    def reconnect(self) -> None:
        """A new socket (nginx picks the worker), tried until one answers, as the browser's client does."""
        self.reconnects += 1
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001 - the old socket is already dead
            pass
        deadline = time.monotonic() + 90
        while True:
            try:
                self._connect()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def send(self, name: str, payload: dict, path: str, until, timeout: float = 60) -> str:
        """Emit one event; the decoded text of its updates once ``until(text)`` holds. Raises Lost when
        the socket drops or nothing conclusive arrives in time."""
        with self.changed:
            before = len(self.messages)
        router = {"pathname": path, "query": {}, "asPath": path}
        try:
            self.sio.emit("event", {"name": name, "payload": payload, "router_data": router}, namespace=NAMESPACE)
        except Exception as exc:
            raise Lost(name) from exc
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                received = _decoded(self.messages[before:])
                if len(self.messages) > before and until(received):
                    return received
                if not self.sio.connected or time.monotonic() > deadline:
                    raise Lost(name)
                self.changed.wait(0.5)

    def login(self, username: str) -> None:
        """登录 over the socket, then the ticket for the cookie, then a socket presenting it."""
        answer = self.send(
            LOGIN, {"form": {"username": username, "password": "Demo@2026"}}, "/login", lambda t: "ticket=" in t
        )
        ticket = re.search(r"ticket=([A-Za-z0-9_\-.~%]+)", answer).group(1)
        response = httpx.get(f"{self.url}/api/session/start", params={"ticket": ticket}, timeout=60)
        assert response.status_code == 303, response.status_code
        self.cookie = response.cookies["qs_session"]
        self.sio.disconnect()
        self._connect()

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001
            pass


def _toast(received: str) -> bool:
    return "toast" in received


def _loaded(received: str) -> bool:
    return '"loaded_rx_state_": true' in received


def _with_cluster_env(env: dict, code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


SEED = """
import json
from sqlmodel import select
from portal.core.db import session_scope
from portal.models.tables import Topic, Unit, User
from portal.services.accounts.actor import Actor
from portal.services.demands import intake

def actor(username):
    with session_scope() as session:
        u = session.exec(select(User).where(User.username == username)).one()
        return Actor(user_id=u.id, username=u.username, role=u.role, display_name=u.display_name,
                     unit_id=u.unit_id, enterprise_id=u.enterprise_id)

with session_scope() as session:
    topic = session.exec(select(Topic.id).where(Topic.name == "项目建设")).one()
    unit = session.exec(select(Unit.id).where(Unit.name == "市住房和城乡建设局")).one()
ids = []
for i in range(%d):
    ids.append(intake.submit_demand(actor=actor("qiye1" if i %% 2 else "qiye2"), form=intake.DemandForm(
        kind="求助", topic_id=topic, title=f"集群压测诉求{i:03d}",
        content="进程被强制结束时,已确认的操作必须恰好记录一次。", contact_name="王经理",
        contact_phone="13805380001")))
print(json.dumps({"ids": ids, "unit": unit}))
"""


class Workload:
    def __init__(self, url: str, database_url: str, unit_id: int):
        self.url, self.unit_id = url, unit_id
        self.engine = create_engine(database_url, pool_size=10, max_overflow=20)
        self.acked: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        self.users: list[SimUser] = []
        self.refused_retries = 0

    def ack(self, step: str, demand_id: int) -> None:
        with self.lock:
            self.acked.append((step, demand_id))

    def _scalar(self, sql: str, **params):
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def demand_status(self, demand_id: int) -> str:
        return self._scalar("SELECT status FROM demand WHERE id = :d", d=demand_id)

    def order_status(self, demand_id: int) -> str | None:
        return self._scalar("SELECT status FROM work_order WHERE demand_id = :d AND order_role = '主办'", d=demand_id)

    def _open(self, username: str) -> SimUser:
        user = SimUser(self.url)
        with self.lock:
            self.users.append(user)
        while True:
            try:
                user.login(username)
                return user
            except Lost:
                user.reconnect()

    def _step(self, user: SimUser, demand_id: int, name: str, payload: dict, success: str, done) -> None:
        """Load the demand's page and act on it until the step is acknowledged, or turns out to have been
        written already (its answer was lost with the worker: the retry is refused, nothing doubles)."""
        path = f"/staff/demands/{demand_id}"
        while True:
            try:
                user.send(DETAIL, {}, path, _loaded)
                answer = user.send(name, payload, path, _toast)
            except Lost:
                user.reconnect()
                continue
            if success in answer:
                self.ack(success, demand_id)
                return
            if done():
                with self.lock:
                    self.refused_retries += 1
                return
            time.sleep(0.2)

    def dispatcher(self, demand_ids: list[int]) -> None:
        user = self._open("zhongxin")
        for demand_id in demand_ids:
            try:
                user.send(QUEUE, {}, "/staff/dispatch", lambda t: "rows_rx_state_" in t)
            except Lost:
                user.reconnect()
            form = {"form": {"lead_unit_id": str(self.unit_id), "level": "一般", "catalogue_version": ""}}
            self._step(user, demand_id, DISPATCH, form, "已派单", lambda d=demand_id: self.demand_status(d) != "待受理")

    def handler(self, demand_ids: list[int]) -> None:
        user = self._open("zhujianju")
        for demand_id in demand_ids:
            while self.order_status(demand_id) is None:  # not dispatched yet: look at the queue again
                try:
                    user.send(ORDERS, {}, "/staff/orders", lambda t: "rows_rx_state_" in t)
                except Lost:
                    user.reconnect()
                time.sleep(0.3)
            self._step(user, demand_id, SIGN, {}, "已签收", lambda d=demand_id: self.order_status(d) != "待签收")
            reply = {
                "form": {"reply": "已协调解决用地与施工许可问题,企业已确认。", "method": "协调解决", "solved": "是"}
            }
            self._step(
                user, demand_id, FEEDBACK, reply, "办理结果已提交", lambda d=demand_id: self.order_status(d) != "办理中"
            )


def _worker_pids(url: str) -> set[str]:
    with ThreadPoolExecutor(10) as pool:
        pids = set(
            pool.map(lambda _: httpx.get(f"{url}/api/health", timeout=30).headers.get("x-portal-pid"), range(40))
        )
    return pids - {None}


def test_a_worker_killed_under_load_loses_and_doubles_nothing(cluster):
    url, env = cluster["url"], cluster["env"]
    seeded = json.loads(_with_cluster_env(env, SEED % (PAIRS * PER_PAIR)).strip().splitlines()[-1])
    ids, unit_id = seeded["ids"], seeded["unit"]
    pids = _worker_pids(url)
    assert len(pids) == 2, pids
    work = Workload(url, cluster["database_url"], unit_id)
    chunks = [ids[i * PER_PAIR : (i + 1) * PER_PAIR] for i in range(PAIRS)]
    threads = [threading.Thread(target=work.dispatcher, args=(chunk,)) for chunk in chunks]
    threads += [threading.Thread(target=work.handler, args=(chunk,)) for chunk in chunks]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    # Mid-run: a fifth of the 300 steps acknowledged, the rest to come.
    while len(work.acked) < 60 and time.monotonic() - started < 600:
        time.sleep(0.1)
    victim = int(sorted(pids)[0])
    acked_at_kill = len(work.acked)
    os.kill(victim, signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=900)
    elapsed = time.monotonic() - started
    for user in work.users:
        user.close()
    assert not any(thread.is_alive() for thread in threads), "a simulated user never finished"
    assert 0 < acked_at_kill < 3 * len(ids)

    # Clients lost their socket with the worker, reconnected through nginx and carried on.
    reconnects = sum(user.reconnects for user in work.users)
    assert reconnects >= 1
    # Every step is done; each acknowledged one is in the database exactly once; retries doubled nothing.
    counts = Counter(work.acked)
    assert all(n == 1 for n in counts.values()), [k for k, n in counts.items() if n > 1]
    with work.engine.connect() as connection:
        statuses = dict(
            connection.execute(text("SELECT id, status FROM demand WHERE id = ANY(:ids)"), {"ids": ids}).all()
        )
        leads = Counter(
            connection.execute(
                text("SELECT demand_id FROM work_order WHERE demand_id = ANY(:ids) AND order_role = '主办'"),
                {"ids": ids},
            ).scalars()
        )
        order_statuses = Counter(
            connection.execute(
                text("SELECT status FROM work_order WHERE demand_id = ANY(:ids)"), {"ids": ids}
            ).scalars()
        )
        events = Counter(
            connection.execute(
                text("SELECT demand_id, action FROM timeline_event WHERE demand_id = ANY(:ids)"), {"ids": ids}
            ).all()
        )
        gaps = connection.execute(
            text(
                "SELECT demand_id FROM timeline_event WHERE demand_id = ANY(:ids) "
                "GROUP BY demand_id HAVING max(seq) <> count(*) OR min(seq) <> 1"
            ),
            {"ids": ids},
        ).all()
    work.engine.dispose()
    assert set(statuses.values()) == {"待评价"}, Counter(statuses.values())
    assert all(leads[d] == 1 for d in ids), {d: leads[d] for d in ids if leads[d] != 1}
    assert order_statuses == Counter({"已反馈": len(ids)}), order_statuses
    for step, action in (("已派单", "派单"), ("已签收", "签收"), ("办理结果已提交", "办理反馈")):
        assert all(events[(d, action)] == 1 for d in ids), (action, [d for d in ids if events[(d, action)] != 1])
        assert {d for s, d in work.acked if s == step} <= set(ids)
    assert not gaps, gaps
    verified = subprocess.run(
        [sys.executable, "-m", "portal.cli", "verify-timeline"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # Granian started another worker in the killed one's place; the survivor kept serving.
    after = _worker_pids(url)
    assert len(after) == 2 and str(victim) not in after, (victim, after)
    print(
        f"\n50 users, {len(ids)} demands × 3 steps in {elapsed:.1f} s; worker {victim} killed after "
        f"{acked_at_kill} acknowledged steps; {reconnects} reconnects; {len(work.acked)} steps acknowledged, "
        f"{work.refused_retries} written without an answer and refused on retry"
    )


def _detail(url: str) -> dict:
    return httpx.get(f"{url}/api/health", timeout=30).json()


def _counts(database_url: str) -> dict:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("notification", "supervision_notice", "card", "bulletin_snapshot", "revisit_task")
        }
    engine.dispose()
    return counts


def _job_successes(database_url: str) -> dict:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT job_id, last_success_at FROM job_run")).all())
    engine.dispose()
    return rows


def test_the_standby_scheduler_takes_over_and_sends_nothing_twice(cluster):
    url, database_url = cluster["url"], cluster["database_url"]
    deadline = time.monotonic() + 300
    while not JOBS <= {j for j, at in _job_successes(database_url).items() if at}:  # the leader's first round
        assert time.monotonic() < deadline, _job_successes(database_url)
        time.sleep(1)
    lease = _detail(url)["scheduler"]["lease"]
    assert lease["held"], lease
    leader = int(lease["holder"].rsplit(":", 1)[1])
    run_dir = cluster["run_dir"]
    pids = {name: int((run_dir / f"{name}.pid").read_text()) for name in ("scheduler", "standby")}
    assert leader in pids.values(), (leader, pids)
    standby = next(name for name, pid in pids.items() if pid != leader)
    before = _counts(database_url)
    previous = _job_successes(database_url)

    killed_at = time.monotonic()
    os.kill(leader, signal.SIGKILL)
    while True:
        lease = _detail(url)["scheduler"]["lease"]
        if lease["held"] and not lease["holder"].endswith(f":{leader}"):
            break
        assert time.monotonic() - killed_at < SCHEDULER_RETRY_SECONDS + 10, lease
        time.sleep(0.2)
    takeover = time.monotonic() - killed_at
    assert lease["holder"].endswith(f":{pids[standby]}"), lease
    # The lease is an advisory lock that dies with the leader's connection: the standby's next try wins.
    assert takeover <= SCHEDULER_RETRY_SECONDS + 3, takeover
    deadline = time.monotonic() + 180
    while True:  # the new leader runs every job at once (catching up), as a restarted scheduler does
        now = _job_successes(database_url)
        if all(now.get(job) and now[job] != previous.get(job) for job in JOBS):
            break
        assert time.monotonic() < deadline, now
        time.sleep(1)
    assert "scheduler is leader" in (run_dir / f"{standby}.log").read_text()
    after = _counts(database_url)
    assert after == before, (before, after)
    print(f"\nstandby scheduler took over {takeover:.1f} s after the leader was killed; notices {after}")
