"""Benchmark of 导出台账 (issue #13): each of the four ledgers as .xlsx and CSV at N rows, and whether a
page's work stays quick while an export runs beside it.

    .venv/bin/python bench/bench_ledgers.py [--demands 100000] [--postgres URL]
        [--formats xlsx,csv] [--ledgers problems,transfers,...] [--import-rows 5000]

Loads N answered and rated demands (bench_supervision's loader, then a reply and a rating for each), so
every ledger has N rows. Each export runs as the portal runs it — a child forked from the worker's warm fork
server (``export_runner``) — timed, with that process's peak resident memory. Then an .xlsx export runs while this
process does what a page event does — one page of the staff list — every 100 ms; the slowest of those
answers is the figure to hold under 200 ms. Last, a 问题台账 of 5 000 rows is previewed and imported.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_supervision import bulk_load  # noqa: E402
from bench.databases import bench_database  # noqa: E402


def _centre():
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import User
    from portal.services.accounts.sessions import actor_of

    with session_scope() as session:
        return actor_of(session.exec(select(User).where(User.username == "zhongxin")).one())


def _child_export(export_id: int, on_tick=None) -> tuple[float, float, float]:
    """Run one queued export the way the portal does (a child forked from the warm fork server,
    ``services/ledgers/export_runner``): its seconds, the child's CPU seconds (user + system, read while it
    runs, so up to one 20 ms tick short; on a shared machine the figure that load does not inflate) and its
    peak resident memory (VmHWM, MB). ``on_tick`` runs every 20 ms meanwhile (the responsiveness probe)."""
    from portal.services.ledgers import export_runner

    start = time.perf_counter()
    child = export_runner.start(export_id)
    peak = cpu = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    while child.is_alive():
        try:
            status = Path(f"/proc/{child.pid}/status").read_text()
            peak = max(peak, int(status.split("VmHWM:")[1].split()[0]) / 1024)
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = max(cpu, (int(fields[11]) + int(fields[12])) / tick)  # utime, stime (fields 14, 15)
        except (OSError, IndexError, ValueError):
            pass
        if on_tick:
            on_tick()
        time.sleep(0.02)
    return time.perf_counter() - start, cpu, peak


def _complete_the_ledgers() -> None:
    """A reply for every answered order and a rating for every demand without one; on PostgreSQL the id
    sequences moved past the bulk-loaded explicit ids (the import inserts after them)."""
    from sqlalchemy import text

    from portal.core.db import session_scope

    with session_scope() as session:
        if session.get_bind().dialect.name == "postgresql":
            for table in ("demand", "work_order", "rating"):
                session.exec(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
        session.exec(
            text(
                "UPDATE work_order SET reply_content = '经现场核查,已协调相关部门完成办理,并向企业作了答复。' "
                "WHERE feedback_at IS NOT NULL"
            )
        )
        session.exec(
            text(
                "INSERT INTO rating (demand_id, round, satisfaction, contacted, comment, source, created_at) "
                "SELECT d.id, 1, '满意', true, '办理及时', '线上评价', d.created_at FROM demand d "
                "WHERE NOT EXISTS (SELECT 1 FROM rating r WHERE r.demand_id = d.id)"
            )
        )


def _responsiveness() -> tuple[float, float, int]:
    """Page work every 100 ms while an .xlsx export runs beside it: (p95 ms, max ms, samples)."""
    from portal.services.demands import lists
    from portal.services.ledgers import exports
    from portal.services.ledgers.sheets import ExportFilters

    centre = _centre()
    record = exports.request_export(actor=centre, ledger="problems", file_format="xlsx", filters=ExportFilters())
    samples, last = [], [0.0]

    def probe():
        if time.perf_counter() - last[0] < 0.1:
            return
        start = time.perf_counter()
        lists.search_demands(actor=centre, filters={}, page=2)
        samples.append((time.perf_counter() - start) * 1000)
        last[0] = time.perf_counter()

    _child_export(record["id"], on_tick=probe)
    samples.sort()
    return samples[int(len(samples) * 0.95) - 1], samples[-1], len(samples)


def _import_rows(count: int) -> tuple[float, float, int]:
    """A 问题台账 of ``count`` rows (one known enterprise per row, by credit code) built from the template:
    (preview seconds, import seconds, demands created)."""
    import io

    from openpyxl import load_workbook
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Enterprise
    from portal.services.ledgers import imports

    with session_scope() as session:
        enterprises = session.exec(select(Enterprise.name, Enterprise.credit_code)).all()
    centre = _centre()
    book = load_workbook(io.BytesIO(imports.template_bytes()))
    sheet = book.active
    sheet["A2"] = "提报单位:东街街道"
    for index in range(1, count + 1):
        name, code = enterprises[index % len(enterprises)]
        values = [index, name, f"第{index}号问题:厂区周边道路破损,货车通行困难,请协调维修。", "市住房和城乡建设局",
                  "李主任 13805381111", "", "", code, ""]  # fmt: skip
        for column, value in enumerate(values, start=1):
            sheet.cell(row=3 + index, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    content = out.getvalue()
    start = time.perf_counter()
    preview = imports.preview_import(actor=centre, content=content, filename="bench.xlsx")
    previewed = time.perf_counter() - start
    assert preview.ok, preview.errors or [r.errors for r in preview.rows if r.errors][:3]
    start = time.perf_counter()
    created, _skipped = imports.import_ledger(actor=centre, content=content, filename="bench.xlsx")
    return previewed, time.perf_counter() - start, created


def run(args) -> list[str]:
    from portal.cli import migrate
    from portal.seed.demo import seed_demo_world
    from portal.services.ledgers.sheets import LEDGERS

    migrate()
    seed_demo_world(with_demands=False)
    start = time.perf_counter()
    bulk_load(args.demands, 0, 0)
    _complete_the_ledgers()
    kind = "PostgreSQL" if os.environ["PORTAL_DATABASE_URL"].startswith("postgresql") else "SQLite"
    lines = [
        f"{kind}: {args.demands:,} answered and rated demands (load {time.perf_counter() - start:.0f} s)",
        "| ledger | format | rows | seconds | CPU s | peak RSS MB of the export process |",
        "|---|---|---|---|---|---|",
    ]
    from portal.services.ledgers import export_runner, exports
    from portal.services.ledgers.sheets import ExportFilters

    centre = _centre()
    started = time.perf_counter()
    export_runner.warm()
    lines.append(f"fork server start (once per web worker, when 导出台账 opens): {time.perf_counter() - started:.2f} s")
    for ledger in (LEDGERS[key] for key in args.ledgers):
        for file_format in args.formats:
            record = exports.request_export(
                actor=centre, ledger=ledger.key, file_format=file_format, filters=ExportFilters()
            )
            seconds, cpu, peak = _child_export(record["id"])
            rows = exports.export_status(actor=centre, export_id=record["id"])["done"]
            lines.append(f"| {ledger.title} | {file_format} | {rows:,} | {seconds:.1f} | {cpu:.1f} | {peak:.0f} |")
    if "xlsx" in args.formats:  # the probe runs beside an .xlsx export
        p95, worst, count = _responsiveness()
        lines.append(f"page work during an .xlsx export: p95 {p95:.0f} ms, slowest {worst:.0f} ms ({count} samples)")
    if args.import_rows:
        previewed, imported, created = _import_rows(args.import_rows)
        lines.append(
            f"import of {created:,} rows: preview {previewed:.1f} s, import (re-checks, then writes) {imported:.1f} s"
        )
    return lines


def _listed(allowed: set[str]):
    """An argparse type: a comma-separated list of names out of ``allowed``, in the order given."""

    def parse(text: str) -> list[str]:
        names = [name.strip() for name in text.split(",") if name.strip()]
        unknown = [name for name in names if name not in allowed]
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(sorted(allowed))}")
        return names

    return parse


def main() -> None:
    from portal.services.ledgers.sheets import LEDGERS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demands", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=5_000, help="0: no import")
    parser.add_argument("--formats", type=_listed({"xlsx", "csv"}), default=["xlsx", "csv"], help="e.g. csv")
    parser.add_argument("--ledgers", type=_listed(set(LEDGERS)), default=list(LEDGERS), help="e.g. problems,feedback")
    parser.add_argument("--postgres", help="a PostgreSQL server URL: the run uses a fresh database on it")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="qs-bench-ledgers-")
    os.environ["PORTAL_PRIVATE_UPLOAD_DIR"] = f"{workdir}/uploads"
    with bench_database("qs_bench_ledgers", workdir, args.postgres):
        print("\n".join(run(args)))
        print(f"load average at the end: {Path('/proc/loadavg').read_text().split()[0]}")


if __name__ == "__main__":
    main()
