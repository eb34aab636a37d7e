"""Chinese full-text tokens shared by both databases (DESIGN §9).

Text becomes space-separated CJK bigrams plus lower-cased ASCII words, so a two-character Chinese word
is one token and matches exactly; SQLite indexes the tokens with FTS5, PostgreSQL with a ``simple``
tsvector GIN index.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[A-Za-z0-9]+")


def cjk_bigrams(text: str) -> str:
    tokens: list[str] = []
    for run in _CJK.findall(text or ""):
        if len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    tokens.extend(w.lower() for w in _WORD.findall(text or ""))
    return " ".join(tokens)


def term_token_lists(query: str) -> list[list[str]]:
    """Each whitespace-separated term of a query as its list of tokens (terms are ANDed)."""
    return [tokens for term in (query or "").split()[:8] if (tokens := cjk_bigrams(term).split())]


def fulltext_condition(id_column, query: str, dialect: str, fts_table: str, tsv_column: str):
    """A WHERE condition: every term of ``query`` occurs as a phrase of its bigrams.

    SQLite: ``id IN (SELECT rowid FROM <fts_table> WHERE <fts_table> MATCH '"a b" AND "c"')``;
    PostgreSQL: ``<tsv_column> @@ to_tsquery('simple', '(a <-> b) & c')`` on the stored generated
    tsvector column and its GIN index. Tokens are CJK characters and ASCII alphanumerics only, so quoting
    cannot be broken out of. Returns None when the query has no searchable token.
    """
    from sqlalchemy import func, literal_column, text

    terms = term_token_lists(query)
    if not terms:
        return None
    if dialect == "postgresql":
        expression = " & ".join("(" + " <-> ".join(tokens) + ")" for tokens in terms)
        return literal_column(tsv_column).op("@@")(func.to_tsquery("simple", expression))
    expression = " AND ".join('"' + " ".join(tokens) + '"' for tokens in terms)
    return id_column.in_(
        text(f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH :fts_query").bindparams(fts_query=expression)
    )
