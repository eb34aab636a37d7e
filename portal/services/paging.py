"""Server-side paging with capped counts, for any list (DESIGN §9: keep each event's delta small).

A count stops at ``COUNT_CAP`` + 1 so a broad search costs what a page costs, and shows "10000+"."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func
from sqlmodel import Session, select

from portal.core.ids import parse_bounded_int
from portal.models.dto import Page

PAGE_SIZE = 20
COUNT_CAP = 10000
MAX_PAGE = 99999


def capped_count(id_column, *where):
    """SELECT count over at most COUNT_CAP + 1 matching ids."""
    return select(func.count()).select_from(select(id_column).where(*where).limit(COUNT_CAP + 1).subquery())


def page_number(value) -> int:
    """A page number from the client: an int in 1..MAX_PAGE, else 1."""
    return parse_bounded_int(value, low=1, high=MAX_PAGE) or 1


def paginate(session: Session, query, count_query, page: int, to_rows: Callable) -> Page:
    """Run ``count_query`` and one page of ``query``; ``to_rows(session, results)`` builds the records."""
    page = page_number(page)
    total = session.exec(count_query).one()
    label = f"{COUNT_CAP}+" if total > COUNT_CAP else str(total)
    rows = session.exec(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return Page(
        rows=to_rows(session, rows),
        total=total,
        total_label=label,
        page=page,
        pages=max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE)),
    )
