"""Chinese full-text tokens shared by both databases (DESIGN §9).

Text becomes space-separated CJK bigrams plus lower-cased ASCII words, so a two-character Chinese word
is one token and matches exactly; SQLite indexes the tokens with FTS5, PostgreSQL with a ``simple``
tsvector GIN index.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")


def _tokens(text: str) -> list[str]:
    """CJK runs as bigrams (a lone character as itself) and ASCII words lower-cased, in document order,
    so a phrase across scripts (“2026年”, “ISO认证”) stays a phrase."""
    tokens: list[str] = []
    for match in _RUN.finditer(text or ""):
        run = match.group(0)
        if not _CJK.fullmatch(run):
            tokens.append(run.lower())
        elif len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def cjk_bigrams(text: str) -> str:
    return " ".join(_tokens(text))


def term_token_lists(query: str) -> list[list[tuple[str, bool]]]:
    """Each whitespace-separated term of a query as its (token, is_prefix) list; terms are ANDed. A lone
    CJK character is a prefix token: the index holds “年支” for “2026年支持”, so “2026年” must find “年*”."""
    terms = []
    for term in (query or "").split()[:8]:
        tokens = _tokens(term)
        if tokens:
            terms.append([(t, len(t) == 1 and bool(_CJK.fullmatch(t))) for t in tokens])
    return terms


def fulltext_condition(id_column, query: str, dialect: str, fts_table: str, tsv_column: str):
    """A WHERE condition: every term of ``query`` occurs as a phrase of its tokens.

    SQLite: ``id IN (SELECT rowid FROM <fts_table> WHERE <fts_table> MATCH '"a" + "b"* AND "c"')``;
    PostgreSQL: ``<tsv_column> @@ to_tsquery('simple', '(a <-> b:*) & c')`` on the stored generated
    tsvector column and its GIN index. Tokens are CJK characters and ASCII alphanumerics only, so quoting
    cannot be broken out of. Returns None when the query has no searchable token.
    """
    from sqlalchemy import func, literal_column, text

    terms = term_token_lists(query)
    if not terms:
        return None
    if dialect == "postgresql":
        expression = " & ".join(
            "(" + " <-> ".join(t + (":*" if prefix else "") for t, prefix in tokens) + ")" for tokens in terms
        )
        return literal_column(tsv_column).op("@@")(func.to_tsquery("simple", expression))
    expression = " AND ".join(
        "(" + " + ".join(f'"{t}"' + ("*" if prefix else "") for t, prefix in tokens) + ")" for tokens in terms
    )
    return id_column.in_(
        text(f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH :fts_query").bindparams(fts_query=expression)
    )
