"""Dates typed by people: 年-月-日 whatever the browser's language (issue #9).

The portal's date fields are plain text inputs (a browser's own date picker shows mm/dd/yyyy on an
English system), so this is the one place that reads what was typed. Accepted: ``2026-12-01``,
``2026-12-1``, ``2026/12/01``, ``2026.12.01`` and ``2026年12月1日``; surrounding spaces are ignored."""

from __future__ import annotations

import re
from datetime import date

DATE_HINT = "格式:年-月-日,如 2026-12-01"
_DAY = re.compile(r"^\s*(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?\s*$")


def parse_day(raw) -> date | None:
    """The date ``raw`` names, or None when it is not a real date in one of the accepted forms."""
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str) or len(raw) > 20:
        return None
    match = _DAY.match(raw)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
