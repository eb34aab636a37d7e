"""Where the CPU of one page turn on /staff/demands goes, in process (issue #25 item 5).

    .venv/bin/python bench/profile_list_handler.py [--demands 5000] [--calls 1000] [--rounds 5] [--postgres URL]

Builds the demo world and N more demands (as bench_ui.py does) on a fresh SQLite file, or a fresh database
on the PostgreSQL server given, logs the demo dispatcher in, then turns pages 1..50 round and round:

- the service alone (``search_demands`` with no filter, as 下一页 calls it), timed with ``time.process_time``
  (best of the rounds), and split under cProfile into statement building, compile (cache key and compiled
  cache), the driver's execute, the rest of SQLAlchemy's execution, fetching rows, rows → records and the
  session's begin/commit; the split is each part's share of the profiled time applied to the unprofiled
  figure (cProfile itself inflates small calls);
- the state handler itself (``StaffSearchState.goto_page`` on a state tree built as the memory state manager
  builds it, with the session cookie in the router's headers), then the delta Reflex computes after it, the
  JSON it sends and the pickle a disk or Redis state manager writes.

Prints CPU ms per call for each part; no assertion (the figures go in the README).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# As the production build runs (bench_ui.py): Reflex then checks only the outer type of a var it is given,
# not every row of a list.
os.environ.setdefault("REFLEX_ENV_MODE", "prod")

from bench.databases import bench_database  # noqa: E402

PAGES = 50  # the 1 000 newest demands a list pages through (COUNT_CAP)


def build_world(demands: int) -> str:
    """Migrate, load the demo world and ``demands`` more; a session token of the demo dispatcher."""
    from portal.cli import migrate
    from portal.core.settings import get_settings

    get_settings.cache_clear()
    migrate()
    from bench.bench_ui import bulk_demands
    from portal.seed.demo import seed_demo_world
    from portal.services.accounts import sessions

    seed_demo_world()
    bulk_demands(demands)
    return sessions.login(username="zhongxin", password="Demo@2026").token


def best_ms_per_call(step, calls: int, rounds: int) -> float:
    """The least CPU ms per call over ``rounds`` rounds of ``calls`` calls (other processes share the cores)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for i in range(calls):
            step(i)
        best = min(best, (time.process_time() - started) * 1000 / calls)
    return best


# ── the service's split, from the profile's call edges ──────────────────────────────────────────


def _kind(func: tuple) -> str:
    """Which part a profiled function is, by where it lives."""
    path, _line, name = func
    if "/portal/" in path:
        return "portal"
    if path.endswith("sqlalchemy/engine/result.py") or path.endswith("sqlalchemy/engine/cursor.py"):
        return "fetch"
    if name == "connection" and path.endswith("sqlalchemy/orm/session.py"):
        return "session"
    if name in ("execute", "exec", "scalar", "scalars", "_execute_internal") and "sql" in path:
        return "execute"
    if "sqlalchemy/sql/" in path or "sqlmodel/sql/" in path or "sqlalchemy/orm/attributes" in path:
        return "build"
    return "other"


def _cumulative(stats: pstats.Stats, name: str, path_end: str = "") -> float:
    return sum(v[3] for f, v in stats.stats.items() if f[2] == name and f[0].endswith(path_end))


def service_split(stats: pstats.Stats) -> dict[str, float]:
    """Seconds of the profile in each part: a call from the portal's code into SQLAlchemy is statement
    building, execution or fetching by its callee; inside execution the compile step and the driver's
    execute are told apart; the record builders and the session scope by their names."""
    edges = {"build": 0.0, "execute": 0.0, "fetch": 0.0, "session": 0.0}
    for callee, (_cc, _nc, _tt, _ct, callers) in stats.stats.items():
        kind = _kind(callee)
        if kind in edges:
            edges[kind] += sum(c[3] for caller, c in callers.items() if _kind(caller) == "portal")
    compile_ = _cumulative(stats, "_compile_w_cache")
    # A kept list statement runs on the driver's connection itself (core.db.DriverStatement.rows).
    driver = _cumulative(stats, "do_execute") + _cumulative(stats, "rows", "portal/core/db.py")
    return {
        "statement building": edges["build"],
        "compile (cache key, compiled cache)": compile_,
        "driver execute": driver,
        "SQLAlchemy execution, the rest": max(0.0, edges["execute"] - compile_ - _cumulative(stats, "do_execute")),
        "fetch rows": edges["fetch"],
        "rows → records": _cumulative(stats, "_demand_rows"),
        "session begin / commit": _cumulative(stats, "session_scope") + edges["session"],
    }


def profile_service(actor, calls: int, rounds: int) -> tuple[float, list[str]]:
    from portal.services.demands import lists

    def turn(i: int) -> None:
        lists.search_demands(actor=actor, filters={}, page=1 + i % PAGES)

    best_ms_per_call(turn, 200, 1)  # warm: the compiled cache, the calendar, the session cache
    total = best_ms_per_call(turn, calls, rounds)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(calls):
        turn(i)
    profiler.disable()
    stats = pstats.Stats(profiler)
    profiled = _cumulative(stats, "search_demands")
    lines = [f"search_demands (the service): {total:.3f} ms per call"]
    parts = service_split(stats)
    for name, seconds in parts.items():
        lines.append(f"  {name:<38} {total * seconds / profiled:.3f} ms")
    lines.append(f"  {'other (checks, paging, glue)':<38} {total * (1 - sum(parts.values()) / profiled):.3f} ms")
    return total, lines


# ── the state handler, its delta, its JSON and its pickle ─────────────────────────────────────────


async def profile_state(token: str, calls: int, rounds: int, service_ms: float) -> list[str]:
    from reflex.istate.data import RouterData
    from reflex.state import State
    from reflex_base.utils import format

    from portal.state.demands.lists import StaffSearchState

    root = State(_reflex_internal_init=True)
    path = "/staff/demands"
    root.router = RouterData.from_router_data(
        {"headers": {"cookie": f"qs_session={token}"}, "pathname": path, "asPath": path}
    )
    state = await root.get_state(StaffSearchState)
    StaffSearchState.event_handlers["load"].fn(state)
    await root._get_resolved_delta()
    root._clean()
    goto_page = StaffSearchState.event_handlers["goto_page"].fn
    clock = time.process_time
    best = dict.fromkeys(("handler", "delta", "json", "pickle"), float("inf"))
    sizes = {}
    for round_ in range(rounds + 1):  # the first round warms up
        spent = dict.fromkeys(best, 0.0)
        for i in range(calls):
            started = clock()
            goto_page(state, page=1 + i % PAGES)
            handled = clock()
            changes = await root._get_resolved_delta()
            root._clean()
            delta_done = clock()
            sizes["json"] = len(format.json_dumps(changes))
            json_done = clock()
            sizes["pickle"] = len(state._serialize())
            pickled = clock()
            spent["handler"] += handled - started
            spent["delta"] += delta_done - handled
            spent["json"] += json_done - delta_done
            spent["pickle"] += pickled - json_done
        if round_:
            best = {part: min(best[part], seconds * 1000 / calls) for part, seconds in spent.items()}
    event = best["handler"] + best["delta"] + best["json"]
    return [
        f"StaffSearchState.goto_page (the handler, service included): {best['handler']:.3f} ms per event",
        f"  beyond the service (cookie, cached session, assignments): {best['handler'] - service_ms:.3f} ms",
        f"  delta (resolve, clean): {best['delta']:.3f} ms",
        f"  JSON of the delta ({sizes['json']} bytes): {best['json']:.3f} ms",
        f"  handler + delta + JSON: {event:.3f} ms",
        f"  pickle of the state ({sizes['pickle']} bytes; disk/Redis managers write it): {best['pickle']:.3f} ms",
    ]


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demands", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: the run uses a fresh database on it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ui_profile_") as workdir:
        with bench_database("ui_profile", workdir, args.postgres):
            token = build_world(args.demands)
            from portal.services.accounts import sessions

            actor = sessions.resolve_session(token)
            kind = "PostgreSQL" if args.postgres else "SQLite"
            lines = [f"{kind}, {args.demands} demands, {args.calls} calls × {args.rounds} rounds, load {_load()}"]
            service_ms, service_lines = profile_service(actor, args.calls, args.rounds)
            lines += service_lines
            lines += asyncio.run(profile_state(token, args.calls, args.rounds, service_ms))
            from portal.core.db import get_engine

            get_engine().dispose()
    return lines


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    print("\n".join(main()))
