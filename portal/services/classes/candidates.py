"""Candidates for 类似诉求, read off the demands' Chinese full-text index (DESIGN §9) with a bounded cost.

The text being written is reduced to its distinctive tokens (``similarity.text_tokens``). On a small table
every token is looked up. On a large one the rarest tokens are taken first, until their postings (the
demands each occurs in) reach ``POSTING_BUDGET``: rare words say most about which problem it is, and a
word in every tenth demand would make the lookup read a hundred thousand rows. Document frequencies come
from the index itself: FTS5's ``fts5vocab`` table on SQLite (migration 0023), the planner's statistics of
the tsvector column (``pg_stats.most_common_elems``) on PostgreSQL. The demands holding any chosen token,
of the same 诉求事项 and open or closed within ``RECENT_DAYS``, are the candidates (newest
``CANDIDATE_CAP`` of them); ``suggestions`` scores them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, literal_column, or_
from sqlalchemy import text as sql_text
from sqlmodel import Session, select

from portal.models.enums import DemandStatus as S
from portal.models.tables import Demand, Enterprise
from portal.services.base.fulltext import cjk_bigrams
from portal.services.classes.similarity import distinctive

RECENT_DAYS = 90  # a demand closed longer ago is history, not a twin
OPEN_STATUSES = (S.SUBMITTED, S.RETURNED, S.DISPATCHED, S.HANDLING, S.REDO, S.FEEDBACK, S.VERIFYING)
MAX_QUERY_TOKENS = 24
POSTING_BUDGET = 20_000
SMALL_TABLE = 20_000  # below this many demands every token is looked up (exact, the same on both databases)
CANDIDATE_CAP = 300
_PG_STATS_SECONDS = 300


@dataclass(frozen=True)
class Candidate:
    id: int
    enterprise_id: int
    town_unit_id: int | None
    status: str
    tokens: frozenset[str]


def ordered_tokens(text: str) -> list[str]:
    """The distinctive tokens of ``text`` in the order they are written, each once."""
    keep = distinctive(cjk_bigrams(text).split())
    return [t for t in dict.fromkeys(cjk_bigrams(text).split()) if t in keep]


def choose_tokens(session: Session, tokens: list[str]) -> list[str]:
    """The tokens to look up: all of them on a small table; else the rarest first within the budget (the
    rarest always, so a text of common words still finds its newest matches, bounded by the budget)."""
    tokens = tokens[:64]
    if (session.exec(select(func.max(Demand.id))).one() or 0) < SMALL_TABLE:
        return tokens[:MAX_QUERY_TOKENS]
    frequencies = document_frequencies(session, tokens)
    chosen, spent = [], 0
    for token in sorted(tokens, key=lambda t: frequencies.get(t, 0)):
        cost = frequencies.get(token, 0)
        if chosen and (spent + cost > POSTING_BUDGET or len(chosen) >= MAX_QUERY_TOKENS):
            break
        chosen.append(token)
        spent += cost
    return chosen


def document_frequencies(session: Session, tokens: list[str]) -> dict[str, int]:
    """How many demands hold each token (PostgreSQL: estimated from the column's statistics)."""
    if session.get_bind().dialect.name == "postgresql":
        return _pg_frequencies(session, tokens)
    rows = session.exec(
        sql_text("SELECT term, doc FROM demand_fts_vocab WHERE term IN :terms").bindparams(
            bindparam("terms", value=list(tokens), expanding=True)
        )
    ).all()
    return {term: doc for term, doc in rows}


_pg_cache: dict[str, object] = {}
_pg_lock = threading.Lock()


def _pg_frequencies(session: Session, tokens: list[str]) -> dict[str, int]:
    """The tsvector column's most common lexemes and their shares (ANALYZE keeps them, autovacuum refreshes
    them), cached for five minutes; a token not among them is rarer than the rarest listed."""
    with _pg_lock:
        if time.monotonic() - float(_pg_cache.get("at", -1e9)) > _PG_STATS_SECONDS:
            row = session.exec(
                sql_text(
                    "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples "
                    "FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename "
                    "WHERE s.schemaname = current_schema() AND s.tablename = 'demand' AND s.attname = 'search_tsv'"
                )
            ).first()
            elems, freqs, rows = (row[0] or [], row[1] or [], max(0.0, row[2] or 0)) if row else ([], [], 0.0)
            floor = (freqs[-3] / 2) if len(freqs) > 3 else 0.0
            _pg_cache.update(
                at=time.monotonic(), shares=dict(zip(elems, freqs[: len(elems)], strict=True)), rows=rows, floor=floor
            )
        shares, rows, floor = _pg_cache["shares"], float(_pg_cache["rows"]), float(_pg_cache["floor"])
    return {t: int(shares.get(t, floor) * rows) for t in tokens}


def _matches_any(session: Session, tokens: list[str]):
    """Demand ids holding any of ``tokens`` (CJK characters and ASCII alphanumerics only: nothing to escape)."""
    if session.get_bind().dialect.name == "postgresql":
        query = func.to_tsquery("simple", " | ".join(tokens))
        return literal_column("demand.search_tsv").op("@@")(query)
    expression = " OR ".join(f'"{t}"' for t in tokens)
    return Demand.id.in_(
        sql_text(
            f"SELECT rowid FROM demand_fts WHERE demand_fts MATCH :similar_query ORDER BY rowid DESC "
            f"LIMIT {POSTING_BUDGET}"
        ).bindparams(similar_query=expression)
    )


def candidates(session: Session, *, tokens: list[str], topic_id: int, moment: datetime) -> list[Candidate]:
    """Demands of the topic holding any chosen token, open or closed within ``RECENT_DAYS``, newest first."""
    chosen = choose_tokens(session, tokens)
    if not chosen:
        return []
    since = moment - timedelta(days=RECENT_DAYS)
    rows = session.exec(
        select(Demand.id, Demand.enterprise_id, Enterprise.town_unit_id, Demand.status, Demand.search_tokens)
        .join(Enterprise, Enterprise.id == Demand.enterprise_id)
        .where(
            _matches_any(session, chosen),
            Demand.topic_id == topic_id,
            or_(Demand.status.in_(OPEN_STATUSES), and_(Demand.status == S.CLOSED, Demand.closed_at >= since)),
        )
        .order_by(Demand.id.desc())
        .limit(CANDIDATE_CAP)
    ).all()
    return [
        Candidate(id=r[0], enterprise_id=r[1], town_unit_id=r[2], status=r[3], tokens=distinctive(r[4].split()))
        for r in rows
    ]
