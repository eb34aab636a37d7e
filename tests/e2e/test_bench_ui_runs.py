"""The UI benchmark (bench/bench_ui.py) at a tiny level against the suite's portal, so that it cannot
rot. It asserts that both sides answered every request, never a timing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_the_ui_benchmark_runs(portal_server):
    from bench.bench_ui import main

    lines = main(
        [
            "--url",
            portal_server.url,
            "--database-url",
            portal_server.database_url,
            "--pgid",
            str(portal_server.pgid),
            "--levels",
            "2",
            "--seconds",
            "3",
        ]
    )
    rows = {line.split("|")[2].strip(): line.split("|") for line in lines if line.startswith("| 2 |")}
    assert set(rows) == {"Reflex", "Starlette", "ratio"}
    for side in ("Reflex", "Starlette"):
        assert int(rows[side][-2]) == 0, f"{side} had errors"
        assert float(rows[side][4]) > 0  # events/s
