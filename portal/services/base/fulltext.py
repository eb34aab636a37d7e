"""Chinese full-text tokens shared by both databases (DESIGN §9).

Text becomes space-separated CJK bigrams plus lower-cased ASCII words, so a two-character Chinese word
is one token and matches exactly; SQLite indexes the tokens with FTS5, PostgreSQL with a ``simple``
tsvector GIN index, and for policies also with a GIN of token windows that answers short phrases alone.
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


def fulltext_condition(id_column, query: str, dialect: str, fts_table: str, tsv_column: str, windows_column=""):
    """A WHERE condition: every term of ``query`` occurs as a phrase of its tokens.

    SQLite: ``id IN (SELECT rowid FROM <fts_table> WHERE <fts_table> MATCH '"a" + "b"* AND "c"')``;
    PostgreSQL: ``<tsv_column> @@ to_tsquery('simple', '(a <-> b:*) & c')`` on the stored generated
    tsvector column and its GIN index, or, given a ``windows_column`` (policies, migration 0028), the
    windows of ``window_condition``. Tokens are CJK characters and ASCII alphanumerics only, so quoting
    cannot be broken out of. Returns None when the query has no searchable token.
    """
    from sqlalchemy import literal_column, text

    terms = term_token_lists(query)
    if not terms:
        return None
    if dialect == "postgresql":
        if windows_column:
            return window_condition(terms, literal_column(tsv_column), literal_column(windows_column))
        return literal_column(tsv_column).op("@@")(_phrase_tsquery(terms))
    expression = " AND ".join(
        "(" + " + ".join(f'"{t}"' + ("*" if prefix else "") for t, prefix in tokens) + ")" for tokens in terms
    )
    return id_column.in_(
        text(f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH :fts_query").bindparams(fts_query=expression)
    )


def _phrase_tsquery(terms: list[list[tuple[str, bool]]]):
    from sqlalchemy import func

    expression = " & ".join(
        "(" + " <-> ".join(t + (":*" if prefix else "") for t, prefix in tokens) + ")" for tokens in terms
    )
    return func.to_tsquery("simple", expression)


WINDOW_TOKENS = 3  # tokens per indexed window: migration 0028's ``policy_token_windows``


def window_prefixes(tokens: list[tuple[str, bool]]) -> list[str]:
    """Window prefixes that every row holding the phrase ``tokens`` has: the phrase cut at each prefix
    token (which can only end a window prefix) into runs, each run in overlapping pieces of at most
    ``WINDOW_TOKENS``. A window is its tokens each followed by a space, so "iso " does not find "iso9001",
    and a prefix token ("2026 年") leaves its space off."""
    runs, run = [], []
    for token in tokens:
        run.append(token)
        if token[1]:
            runs.append(run)
            run = []
    runs += [run] if run else []
    pieces = []
    for run in runs:
        starts = list(range(0, max(1, len(run) - WINDOW_TOKENS + 1), WINDOW_TOKENS))
        if starts[-1] + WINDOW_TOKENS < len(run):
            starts.append(len(run) - WINDOW_TOKENS)
        pieces += [run[start : start + WINDOW_TOKENS] for start in starts]
    return [" ".join(t for t, _ in piece) + ("" if piece[-1][1] else " ") for piece in pieces]


def window_condition(terms: list[list[tuple[str, bool]]], tsv_column, windows_column):
    """PostgreSQL, over a token-windows column: every term's window prefixes (``window_prefixes``) ANDed.

    A term of one piece (up to three tokens, its only prefix token last) is decided by the GIN index
    alone, without reading a row's positions; the other terms are also checked as phrases on ``tsv_column``,
    row by row on the windows' candidates: written as ``ts_match_vq`` (what ``@@`` calls), not as the
    operator, so the planner cannot scan by the positions' GIN instead, whose every match must be
    rechecked (a prepared statement's generic plan did: 330 ms for "制造业 数字化转型 补助").
    """
    from sqlalchemy import and_, cast, func, literal
    from sqlalchemy.dialects.postgresql import TSQUERY

    pieces = [window_prefixes(tokens) for tokens in terms]
    lexemes = " & ".join(f"'{piece}':*" for term in pieces for piece in term)
    condition = windows_column.op("@@")(cast(literal(lexemes), TSQUERY))
    unsettled = [tokens for tokens, term in zip(terms, pieces, strict=True) if len(term) > 1]
    return and_(condition, func.ts_match_vq(tsv_column, _phrase_tsquery(unsettled))) if unsettled else condition
