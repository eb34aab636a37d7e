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
            tokens.extend(run[i:i + 2] for i in range(len(run) - 1))
    tokens.extend(w.lower() for w in _WORD.findall(text or ""))
    return " ".join(tokens)
