"""Benchmark of the Open311-style API (issue #27) through its Starlette routes, in process (no network):

    .venv/bin/python bench/bench_open311.py [--demands 100000] [--posts 200] [--postgres URL]

With N demands spread over the last 120 days: the public list (page 1, a filtered page, a deep page, XML),
one request's updates, and POSTs with a key and an Idempotency-Key per second (each one the whole call:
key check, rate counter, intake, api_request row, count and audit). The address limit is lifted for the
run (60 a minute would stop it); the key's rate is 6 000. Prints a table for the README.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_backup import load_bulk_demands  # noqa: E402
from bench.bench_demands import timed  # noqa: E402
from bench.databases import bench_database  # noqa: E402


def _plain_text(_rng, index: int) -> tuple[str, str]:
    return f"基准诉求{index}", "企业反映用地、供电等方面的困难,请协调解决。"


def _run(args) -> None:
    from starlette.testclient import TestClient

    from portal.api.routes import build_api
    from portal.models.tables import User
    from portal.services.accounts.actor import Actor
    from portal.services.open311 import calls, keys

    load_bulk_demands(args.demands, text=_plain_text, spread_minutes=120 * 24 * 60)
    calls.ANONYMOUS_RATE = 10**9
    from portal.core.db import session_scope

    with session_scope() as session:
        from sqlmodel import select

        admin = session.exec(select(User).where(User.username == "admin")).one()
        actor = Actor(user_id=admin.id, username="admin", role=admin.role, display_name=admin.display_name)
    _, key = keys.create_key(actor=actor, form=keys.KeyForm(name="基准系统", rate_per_minute="6000"))
    client = TestClient(build_api())
    base = "/api/open311/v2"
    services = client.get(f"{base}/services.json").json()
    body = {
        "service_code": services[0]["service_code"],
        "description": "我公司厂区门前道路破损严重,货车进出困难,希望协调尽快修复。",
        "last_name": "王",
        "first_name": "经理",
        "phone": "13805380001",
        "attribute[credit_code]": "91370900MA3C7K2L07",
        "attribute[enterprise_name]": "泰安示例科技有限公司",
    }
    start = time.perf_counter()
    for i in range(args.posts):
        headers = {"X-Api-Key": key, "Idempotency-Key": f"b{i}"}
        response = client.post(f"{base}/requests.json", data=body, headers=headers)
        assert response.status_code == 201, response.text
    post_rate = args.posts / (time.perf_counter() - start)
    code = response.json()[0]["service_request_id"]
    code_filter = services[1]["service_code"]

    def get(path: str) -> None:
        assert client.get(base + path).status_code == 200

    results = {
        "requests.json, page 1 (50, newest, last 90 days)": timed(lambda: get("/requests.json")),
        "requests.json?status=closed&service_code=…": timed(
            lambda: get(f"/requests.json?status=closed&service_code={code_filter}")
        ),
        "requests.json, page 100 of 100 (offset 9 900)": timed(lambda: get("/requests.json?page=100&page_size=100")),
        "requests.xml, page 1": timed(lambda: get("/requests.xml")),
        "requests/{code}/updates.json": timed(lambda: get(f"/requests/{code}/updates.json")),
    }
    print(f"demands: {args.demands + args.posts}")
    print(f"POST requests.json with a key and an Idempotency-Key: {post_rate:.0f} /s")
    print("| call | median ms | p95 ms |\n|---|---|---|")
    for name, (median, p95) in results.items():
        print(f"| {name} | {median:.1f} | {p95:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demands", type=int, default=100000)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (a fresh database is made)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="qs-bench-open311-")
    import os

    os.environ["PORTAL_PRIVATE_UPLOAD_DIR"] = f"{workdir}/uploads"
    with bench_database("bench_open311", workdir, args.postgres):
        _run(args)


if __name__ == "__main__":
    main()
