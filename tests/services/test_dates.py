"""Dates as people type them (issue #9): 年-月-日 in the forms people actually use, nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.dates import parse_day


@pytest.mark.parametrize(
    "typed",
    [
        "2026-12-01",
        "2026-12-1",
        " 2026-12-01 ",
        "2026/12/01",
        "2026.12.1",
        "2026年12月1日",
        "2026年12月01",
        "2026 年 12 月 1 日",
    ],
)
def test_accepted_forms_name_the_same_day(typed):
    assert parse_day(typed) == date(2026, 12, 1)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12/01/2026",
        "01-12-2026",
        "2026-13-01",
        "2026-02-30",
        "2026-12",
        "2026-12-01T00:00",
        "二〇二六年十二月一日",
        "2026-12-01" + " " * 30,
        None,
        20261201,
        ["2026-12-01"],
    ],
)
def test_anything_else_is_refused(typed):
    assert parse_day(typed) is None


def test_a_date_object_passes_through():
    assert parse_day(date(2026, 1, 4)) == date(2026, 1, 4)
