"""Server-side paging with capped counts, for any list (DESIGN §9: keep each event's delta small).

A count stops at ``COUNT_CAP`` + 1 so a broad search costs what a page costs, and shows "1000+"; a list
pages through its first ``COUNT_CAP`` rows (50 pages), and people narrow a search to see further. Measured
(bench/bench_demands.py at 1 M demands): counting to 10 001 was most of a search's or a queue page's time
(25–80 ms on PostgreSQL, where every counted row is read from the heap); counting to 1 001 is 2–5 ms.

At 10 M demands (issue #25) even that is too much for a common keyword on PostgreSQL: its GIN index hands
over all 217 000 matches as a bitmap before the first is counted (180–280 ms), and finding the 1 001st by
walking the ids costs 60–80 ms. So when PostgreSQL's planner expects more than ``TRUSTED_ESTIMATE`` rows,
the count is not run: the list shows "1000+" as the count would have."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlmodel import Session, select

from portal.core.ids import parse_bounded_int
from portal.models.records.common import Page

PAGE_SIZE = 20
COUNT_CAP = 1000
MAX_PAGE = 99999


# Ten times the cap: the planner's statistics (a tsvector's most common tokens with their frequencies, a
# status's, an enterprise's) are far closer than that; terms it multiplies as independent are in practice
# correlated, which makes it under-estimate (and then count), not over-estimate.
TRUSTED_ESTIMATE = 10 * COUNT_CAP


def capped_count(id_column, *where):
    """SELECT count over at most COUNT_CAP + 1 matching ids (marked ``capped_count``: ``paginate`` may
    answer COUNT_CAP + 1 without running it)."""
    subquery = select(id_column).where(*where).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(subquery).execution_options(capped_count=True)


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a statement, executed with the statement's own parameters (expanding IN
    lists and all) — SQLAlchemy's documented recipe for a custom construct."""

    inherit_cache = False

    def __init__(self, statement) -> None:
        self.statement = statement


@compiles(_Explain, "postgresql")
def _explain_on_postgresql(element: _Explain, compiler, **kw) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def planner_rows(session: Session, query, params: dict | None = None, connection=None) -> float | None:
    """How many rows PostgreSQL's planner expects ``query`` (without its limit and offset; bound ``params``
    filled in) to return; None on other databases. Costs one planning, no execution."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    explain = _Explain(query.limit(None).offset(None))
    plan = (connection or session.connection()).execute(explain, params or {}).scalar_one()
    return plan[0]["Plan"]["Plan Rows"]


def planner_expects_too_many(session: Session, query, params: dict | None = None, connection=None) -> bool:
    """Whether PostgreSQL's planner expects ``query`` to return more than ``TRUSTED_ESTIMATE`` rows, so that
    its capped count would be COUNT_CAP + 1 anyway; never on other databases."""
    expected = planner_rows(session, query, params, connection)
    return expected is not None and expected > TRUSTED_ESTIMATE


def counted(session: Session, query, count_query, *, params: dict | None = None, connection=None) -> int:
    """``count_query``'s answer — or, for a capped count whose ``query`` PostgreSQL's planner expects to
    return more than ``TRUSTED_ESTIMATE`` rows, COUNT_CAP + 1 without running it."""
    if count_query.get_execution_options().get("capped_count"):
        if planner_expects_too_many(session, query, params, connection):
            return COUNT_CAP + 1
    if connection is not None:
        return connection.execute(count_query, params or {}).scalar_one()
    return session.exec(count_query, params=params or {}).one()


def page_number(value) -> int:
    """A page number from the client: an int in 1..MAX_PAGE, else 1."""
    return parse_bounded_int(value, low=1, high=MAX_PAGE) or 1


def paginate(session: Session, query, count_query, page: int, to_rows: Callable) -> Page:
    """Run ``count_query`` (a capped one only when PostgreSQL's planner does not expect far more than the cap)
    and one page of ``query``; ``to_rows(session, results)`` builds the records."""
    page = page_number(page)
    total = counted(session, query, count_query)
    rows = session.exec(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return page_of(to_rows(session, rows), total, page)


def page_of(rows: list, total: int, page: int) -> Page:
    """The page's records with its (capped) count as the list shows it."""
    return Page(
        rows=rows,
        total=total,
        total_label=f"{COUNT_CAP}+" if total > COUNT_CAP else str(total),
        page=page,
        pages=max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE)),
    )
