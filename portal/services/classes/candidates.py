"""Candidates for 类似诉求, read off the demands' Chinese full-text index (DESIGN §9) with a bounded cost.

The text being written is reduced to its distinctive tokens (``similarity.text_tokens``). On a small table
every token is looked up. On a large one the rarest tokens are taken first, until their postings (the
demands each occurs in) reach ``POSTING_BUDGET``: rare words say most about which problem it is, and a
word in every tenth demand would make the lookup read a hundred thousand rows (when even the rarest word
is that common, demands holding its two rarest words are looked up instead). Document frequencies come
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
POSTING_BUDGET = 8_000
SMALL_TABLE = 20_000  # below this many demands every token is looked up (exact, the same on both databases)
CANDIDATE_CAP = 200
_PG_STATS_SECONDS = 300
_RARE_COUNT = 200  # a token outside the column's statistics is counted up to this many demands


@dataclass(frozen=True)
class Candidate:
    id: int
    enterprise_id: int
    town_unit_id: int | None
    status: str
    tokens: frozenset[str]


def ordered_tokens(text: str) -> list[str]:
    """The distinctive tokens of ``text`` in the order they are written, each once."""
    tokens = cjk_bigrams(text).split()
    keep = distinctive(tokens)
    return [t for t in dict.fromkeys(tokens) if t in keep]


def choose_tokens(session: Session, tokens: list[str]) -> list[list[str]]:
    """What to look up, as groups of tokens (a demand matches a group holding all its tokens; any group
    will do): every token on a small table; else the rarest first within the budget. When even the rarest
    word is common (a text of everyday words), the demands holding both of its two rarest words."""
    tokens = tokens[:64]
    if (session.exec(select(func.max(Demand.id))).one() or 0) < SMALL_TABLE:
        return [[t] for t in tokens[:MAX_QUERY_TOKENS]]
    frequencies = document_frequencies(session, tokens)
    if not any(frequencies.values()):  # PostgreSQL before its first ANALYZE: no statistics yet
        return [[t] for t in tokens[:MAX_QUERY_TOKENS]]
    # A word no demand holds finds nothing; the rest, rarest first.
    rarest = sorted((t for t in tokens if frequencies.get(t, 0) > 0), key=lambda t: frequencies[t])
    if rarest and frequencies[rarest[0]] > POSTING_BUDGET:
        return [rarest[:2]]
    chosen, spent = [], 0
    for token in rarest[:MAX_QUERY_TOKENS]:
        spent += frequencies[token]
        if spent > POSTING_BUDGET:
            break
        chosen.append([token])
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
    them; migration 0023 raises the column's statistics target so they cover ten thousand), cached for five
    minutes. A token not among them is rare: its demands are counted, up to ``_RARE_COUNT``, from the index."""
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
            _pg_cache.update(at=time.monotonic(), shares=dict(zip(elems, freqs[: len(elems)], strict=True)), rows=rows)
        shares, rows = _pg_cache["shares"], float(_pg_cache["rows"])
    if not shares:
        return {}
    found = {t: int(shares[t] * rows) for t in tokens if t in shares}
    rare = [t for t in tokens if t not in shares]
    if rare:
        counted = session.exec(
            sql_text(
                "SELECT t, (SELECT count(*) FROM (SELECT 1 FROM demand WHERE search_tsv @@ to_tsquery('simple', t) "
                f"LIMIT {_RARE_COUNT}) AS m) FROM unnest(CAST(:tokens AS text[])) AS t"
            ).bindparams(tokens=rare)
        ).all()
        found.update({t: n for t, n in counted})
    return found


def _matches_any(session: Session, groups: list[list[str]]):
    """Demand ids holding all tokens of any group (tokens are CJK characters and ASCII alphanumerics only:
    nothing to escape). SQLite reads at most ``POSTING_BUDGET`` of the newest postings."""
    if session.get_bind().dialect.name == "postgresql":
        query = func.to_tsquery("simple", " | ".join("(" + " & ".join(group) + ")" for group in groups))
        return literal_column("demand.search_tsv").op("@@")(query)
    expression = " OR ".join("(" + " AND ".join(f'"{t}"' for t in group) + ")" for group in groups)
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
