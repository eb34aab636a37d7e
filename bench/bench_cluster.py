"""The cluster under load (issue #24): simulated staff users on /staff/demands through nginx, two web
workers sharing Reflex state in Redis, PostgreSQL, one scheduler — the same users and measure as
bench/bench_ui.py (one page turn a second each, over the browser's socket protocol).

    .venv/bin/python bench/bench_cluster.py --postgres URL --redis URL [--levels 50,100,200] [--seconds 30]
        [--demands 5000] [--workers 2]

Starts ``scripts/cluster.sh up`` with a private database (created on the PostgreSQL server and dropped
afterwards), a private port and Redis database and its own run folder, so nothing else on the machine is
disturbed; stops it afterwards. Prints per level p50/p95/p99, events/s, the web workers' CPU per event,
first-load p95 and errors, with the machine's load average before and during the run (the load
generator shares the machine)."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_ui import SocketUser, bulk_demands, make_tokens, run_level  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL server URL (a fresh database is made on it)")
    parser.add_argument("--redis", required=True, help="a Redis URL; its database number is replaced by --redis-db")
    parser.add_argument("--redis-db", default="14", help="a Redis database of the bench's own (flushed)")
    parser.add_argument("--levels", default="200")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--demands", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.levels.split(",")]

    import redis

    import tests.conftest as test_db
    from tests_cluster.conftest import private_redis_url

    test_db.PG_URL = args.postgres
    name = f"qs_bench_cluster_{uuid.uuid4().hex[:6]}"
    database_url = test_db.create_pg_database(name)
    redis_url = private_redis_url(args.redis, args.redis_db)
    redis.Redis.from_url(redis_url).flushdb()
    run_dir = Path(tempfile.mkdtemp(prefix="qs-bench-cluster-"))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        CLUSTER_PORT=str(port),
        CLUSTER_BACKEND_PORT=str(_free_port()),
        CLUSTER_WORKERS=str(args.workers),
        CLUSTER_RUN_DIR=str(run_dir),
        PORTAL_DATABASE_URL=database_url,
        PORTAL_DATA_DIR=str(run_dir / "data"),
        PORTAL_PRIVATE_UPLOAD_DIR=str(run_dir / "uploads"),
        REFLEX_REDIS_URL=redis_url,
        PORTAL_PUBLIC_ORIGIN=f"http://127.0.0.1:{port}",
    )

    def script(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "scripts/cluster.sh", command], cwd=ROOT, env=env, capture_output=True, text=True
        )

    lines: list[str] = []
    try:
        started = script("up")
        if started.returncode != 0:
            raise SystemExit(started.stdout[-3000:] + started.stderr[-3000:])
        os.environ["PORTAL_DATABASE_URL"] = database_url
        from portal.core.settings import get_settings

        get_settings.cache_clear()
        bulk_demands(args.demands)
        tokens = make_tokens(database_url, max(levels))
        pgid = int((run_dir / "web.pid").read_text())  # setsid: the web workers' process group
        url = f"http://127.0.0.1:{port}"
        lines += [
            f"PostgreSQL, {args.demands} demands, nginx → {args.workers} workers, Redis state; "
            f"{args.seconds:.0f} s per level; load average before: {_load()}",
            "| users | p50 / p95 / p99 ms | events/s | workers' CPU ms/event | first load p95 ms | errors "
            "| load average after |",
            "|---|---|---|---|---|---|---|",
        ]
        print(*lines, sep="\n", flush=True)
        for users in levels:
            m = run_level(lambda t: SocketUser(url, t), tokens[:users], args.seconds, pgid)
            lines.append(
                f"| {users} | {m['p50']:.1f} / {m['p95']:.1f} / {m['p99']:.1f} | {m['events_per_s']:.0f} "
                f"| {m['cpu_ms']:.2f} | {m['first_p95']:.0f} | {m['errors']} | {_load()} |"
            )
            print(lines[-1], flush=True)
    finally:
        script("down")
        redis.Redis.from_url(redis_url).flushdb()
        test_db.drop_pg_database(name)
    return lines


if __name__ == "__main__":
    main()
