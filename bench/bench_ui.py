"""UI load benchmark (issue #8): simulated staff users on /staff/demands over the browser's own socket
protocol, beside a bare Starlette baseline doing the same reads over HTTP under the same ASGI server.

    .venv/bin/python bench/bench_ui.py [--levels 10,50,100,200] [--seconds 20] [--demands 5000]

Starts the production build (one granian worker, SQLite by default or PORTAL_BENCH_DATABASE_URL) and
the baseline (`bench/baseline_app.py`, granian, one worker) on the same database. Each user has a real
session (made by the login service), opens the page once (the first load: hydrate, the page guard,
the list's on_load) and then asks for another page once a second (closed loop, random phase). Prints,
per level and side: p50/p95/p99 latency, events/s, bytes per update, server CPU per event and MB per
connected client; then the first-load p95. No test asserts a timing; `make test` runs a tiny level.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# ── the server processes: CPU seconds and resident memory of a process group ──────────────────


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid:
                pids.append(int(entry))
    return pids


def group_usage(pgid: int) -> tuple[float, float]:
    """(CPU seconds, resident MB) summed over the process group."""
    cpu = rss = 0.0
    for pid in _group_pids(pgid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / TICKS
            rss += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE / 1e6
        except (OSError, IndexError):
            continue
    return cpu, rss


# ── simulated users ─────────────────────────────────────────────────────────────────────────────


@dataclass
class Samples:
    latencies: list[float] = field(default_factory=list)
    first_loads: list[float] = field(default_factory=list)
    update_bytes: list[int] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: float, size: int) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.update_bytes.append(size)


@functools.cache
def handler_names() -> dict[str, str]:
    """The events' full handler names. Called first on the main thread (``benchmark``): importing the state
    classes registers them in Reflex's registration context, a context variable the pool's threads do not
    see if it was set on the main thread by an earlier import (as in the test suite)."""
    from portal.state.auth import AuthState
    from portal.state.demands.lists import StaffSearchState

    return {
        "guard": f"{AuthState.get_full_name()}.guard",
        "load": f"{StaffSearchState.get_full_name()}.load",
        "page": f"{StaffSearchState.get_full_name()}.goto_page",
    }


class SocketUser:
    """One browser tab on /staff/demands, speaking Reflex's socket protocol."""

    def __init__(self, url: str, token: str):
        import socketio

        self.names = handler_names()
        self.replies: list[tuple[float, int]] = []
        self.arrived = threading.Event()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self._on_update, namespace="/_event")
        self.sio.connect(
            f"{url}?token={os.urandom(8).hex()}",
            socketio_path="/_event",
            namespaces=["/_event"],
            transports=["websocket"],
            headers={"Cookie": f"qs_session={token}"},
            wait_timeout=60,
        )

    def _on_update(self, message) -> None:
        self.replies.append((time.perf_counter(), len(json.dumps(message, ensure_ascii=False))))
        self.arrived.set()

    def call(self, name: str, payload: dict) -> tuple[float, int]:
        """Send one event; (ms until its first update, bytes of that update)."""
        self.arrived.clear()
        before = len(self.replies)
        start = time.perf_counter()
        path = "/staff/demands"
        self.sio.emit(
            "event",
            {"name": self.names[name], "payload": payload, "router_data": {"pathname": path, "asPath": path}},
            namespace="/_event",
        )
        deadline = start + 30
        while len(self.replies) == before:
            if not self.arrived.wait(max(0.0, deadline - time.perf_counter())):
                raise TimeoutError(name)
            self.arrived.clear()
        at, size = self.replies[before]
        return (at - start) * 1000, size

    def first_load(self) -> float:
        start = time.perf_counter()
        self.call("guard", {"route": "/staff/demands"})
        self.call("load", {})
        return (time.perf_counter() - start) * 1000

    def close(self) -> None:
        self.sio.disconnect()


class HttpUser:
    """The same user against the Starlette baseline."""

    def __init__(self, url: str, token: str):
        import httpx

        self.url = url
        self.client = httpx.Client(cookies={"qs_session": token}, timeout=30)

    def call(self, name: str, payload: dict) -> tuple[float, int]:
        start = time.perf_counter()
        response = self.client.get(f"{self.url}/page", params={"page": payload.get("page", 1)})
        response.raise_for_status()
        return (time.perf_counter() - start) * 1000, len(response.content)

    def first_load(self) -> float:
        start = time.perf_counter()
        self.client.get(f"{self.url}/first").raise_for_status()
        return (time.perf_counter() - start) * 1000

    def close(self) -> None:
        self.client.close()


# ── one load level ──────────────────────────────────────────────────────────────────────────────


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def _user_loop(user, samples: Samples, warm_at: float, stop_at: float) -> None:
    next_at, page = time.perf_counter() + random.random(), 1
    while next_at < stop_at:
        if (wait := next_at - time.perf_counter()) > 0:
            time.sleep(wait)
        page = page % 5 + 1
        try:
            latency, size = user.call("page", {"page": page})
        except Exception:  # noqa: BLE001 - a failed or timed-out request counts as an error, not a crash
            samples.errors += 1
        else:
            if next_at >= warm_at:
                samples.add(latency, size)
        next_at += 1.0


def run_level(make_user, tokens: list[str], seconds: float, pgid: int) -> dict:
    """Open len(tokens) users, run them for ``seconds`` at one event per second each, measure."""
    from concurrent.futures import ThreadPoolExecutor

    samples = Samples()
    _, rss_before = group_usage(pgid)

    def open_user(token: str):
        user = make_user(token)
        samples.first_loads.append(user.first_load())
        return user

    with ThreadPoolExecutor(8) as pool:
        users = list(pool.map(open_user, tokens))
    _, rss_open = group_usage(pgid)
    start = time.perf_counter()
    warm_at, stop_at = start + min(3.0, seconds / 4), start + seconds
    threads = [threading.Thread(target=_user_loop, args=(u, samples, warm_at, stop_at)) for u in users]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, warm_at - time.perf_counter()))
    cpu_warm, _ = group_usage(pgid)
    for thread in threads:
        thread.join()
    cpu_end, _ = group_usage(pgid)
    for user in users:
        user.close()
    events = len(samples.latencies)
    return {
        "p50": _percentile(samples.latencies, 0.50),
        "p95": _percentile(samples.latencies, 0.95),
        "p99": _percentile(samples.latencies, 0.99),
        "events_per_s": events / (stop_at - warm_at),
        "bytes": statistics.mean(samples.update_bytes) if samples.update_bytes else 0,
        "cpu_ms": (cpu_end - cpu_warm) * 1000 / events if events else float("nan"),
        "mb_per_client": (rss_open - rss_before) / len(tokens),
        "first_p95": _percentile(samples.first_loads, 0.95),
        "errors": samples.errors,
    }


# ── set-up: the portal, the data, the sessions, the baseline ───────────────────────────────────


def bulk_demands(count: int) -> None:
    """``count`` plain demands so the list has pages to turn (the demo world has 14)."""
    from sqlalchemy import insert, select

    from bench.bench_demands import demand_row
    from portal.core.clock import now
    from portal.core.db import session_scope
    from portal.models.tables import Demand, Enterprise, Topic

    rng, moment = random.Random(7), now()
    with session_scope() as session:
        topics, enterprises = (
            list(session.exec(select(Topic.id)).scalars()),
            list(session.exec(select(Enterprise.id)).scalars()),
        )
        rows = [
            demand_row(
                f"QU{i:012d}",
                enterprise_id=rng.choice(enterprises),
                topic_id=rng.choice(topics),
                status=rng.choice(["待受理", "办理中", "已办结", "待评价"]),
                title=f"基准诉求{i}",
                content="企业反映用地规划、施工许可方面的困难,请协调解决。",
                moment=moment,
            )
            for i in range(count)
        ]
        for chunk in range(0, len(rows), 5000):
            session.exec(insert(Demand), params=rows[chunk : chunk + 5000])


def start_baseline(database_url: str, port: int) -> subprocess.Popen:
    import httpx

    env = dict(os.environ, PORTAL_DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "granian"), "--interface", "asgi", "--workers", "1", "--host",
         "127.0.0.1", "--port", str(port), "bench.baseline_app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/first", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the baseline did not start")


def make_tokens(database_url: str, count: int) -> list[str]:
    """``count`` real sessions of the demo dispatcher, through the login service."""
    from portal.core.settings import get_settings
    from portal.services.accounts import sessions

    previous = os.environ.get("PORTAL_DATABASE_URL")
    os.environ["PORTAL_DATABASE_URL"] = database_url
    get_settings.cache_clear()
    try:
        return [sessions.login(username="zhongxin", password="Demo@2026").token for _ in range(count)]
    finally:
        if previous is None:
            os.environ.pop("PORTAL_DATABASE_URL", None)
        else:
            os.environ["PORTAL_DATABASE_URL"] = previous
        get_settings.cache_clear()


def _row(users: int, side: str, m: dict) -> str:
    return (
        f"| {users} | {side} | {m['p50']:.1f} / {m['p95']:.1f} / {m['p99']:.1f} | {m['events_per_s']:.0f} "
        f"| {m['bytes']:.0f} | {m['cpu_ms']:.2f} | {m['mb_per_client']:.3f} | {m['first_p95']:.0f} | {m['errors']} |"
    )


def benchmark(portal_url: str, database_url: str, pgid: int, levels: list[int], seconds: float) -> list[str]:
    """Run every level on both sides; the table's lines."""
    import socket

    handler_names()  # on this thread, before the pool's (see there)
    tokens = make_tokens(database_url, max(levels))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    baseline = start_baseline(database_url, port)
    lines = [
        "| users | side | p50 / p95 / p99 ms | events/s | bytes/update | server CPU ms/event | MB/client "
        "| first load p95 ms | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    try:
        for users in levels:
            reflex = run_level(lambda t: SocketUser(portal_url, t), tokens[:users], seconds, pgid)
            lines.append(_row(users, "Reflex", reflex))
            plain = run_level(lambda t: HttpUser(f"http://127.0.0.1:{port}", t), tokens[:users], seconds, baseline.pid)
            lines.append(_row(users, "Starlette", plain))
            lines.append(
                f"| {users} | ratio | p95 {_ratio(reflex, plain, 'p95')} | {_ratio(reflex, plain, 'events_per_s')} | "
                f"| {_ratio(reflex, plain, 'cpu_ms')} | | {_ratio(reflex, plain, 'first_p95')} | |"
            )
            print(*lines[-3:], sep="\n", flush=True)
    finally:
        os.killpg(baseline.pid, 15)
    return lines


def _ratio(reflex: dict, plain: dict, key: str) -> str:
    """×(Reflex / baseline), or — when the baseline measured 0 (a few events' CPU in a short run rounds to 0)."""
    return f"×{reflex[key] / plain[key]:.2f}" if plain[key] else "—"


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10,50,100,200")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--demands", type=int, default=5000)
    parser.add_argument("--url", help="an already running portal (with --database-url and --pgid)")
    parser.add_argument("--database-url")
    parser.add_argument("--pgid", type=int, default=0)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: the run uses a fresh database on it")
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.levels.split(",")]
    if args.url:
        return benchmark(args.url, args.database_url, args.pgid, levels, args.seconds)
    from tests.e2e.conftest import start_portal

    workdir = Path(tempfile.mkdtemp(prefix="qs-bench-ui-"))
    extra = {"GRANIAN_WORKERS": "1"}
    if args.postgres:
        import tests.conftest as test_db  # its helper makes a UTF-8 database as the suite does

        test_db.PG_URL = args.postgres
        pg_name = f"qs_bench_ui_{os.getpid()}"
        extra["PORTAL_DATABASE_URL"] = test_db.create_pg_database(pg_name)
    server = start_portal(workdir, extra)
    portal = next(server)
    database_url = extra.get("PORTAL_DATABASE_URL", portal.database_url)
    try:
        os.environ["PORTAL_DATABASE_URL"] = database_url
        bulk_demands(args.demands)
        kind = "PostgreSQL" if args.postgres else "SQLite"
        print(f"{kind}, {args.demands} demands, {args.seconds:.0f} s per level and side", flush=True)
        return benchmark(portal.url, database_url, portal.pgid, levels, args.seconds)
    finally:
        server.close()
        if args.postgres:
            test_db.drop_pg_database(pg_name)


if __name__ == "__main__":
    print("\n".join(main()))
