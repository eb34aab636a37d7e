"""A policy is found by its tags, 文号, issuing unit and year too (issue #21): “制造业” (a 行业 tag),
“税费” (a 主题 tag) and “2026年” found nothing while the stored search tokens held only the page's texts.
Every policy's ``search_tokens`` is recomputed as ``services/policies/library.policy_search_text`` now
composes it (title, tags, 文号, issuing unit, years, then the texts); the SQLite FTS trigger and the
PostgreSQL generated tsvector follow the column. Downgrade writes the former tokens back.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30
"""

import re
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op

revision: str = "0022"
down_revision: Union[str, None] = "0021"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 500
_TEXTS = ("summary", "body", "interpretation", "guide")
_DOC_YEAR = re.compile(r"[〔\[(（]((?:19|20)\d\d)[〕\])）]")  # noqa: RUF001 - the full-width brackets of a 文号

policy = sa.table(
    "policy", *(sa.column(c) for c in ("id", "title", "doc_number", "issuer", "published_on", "search_tokens", *_TEXTS))
)
policy_tag = sa.table("policy_tag", sa.column("id"), sa.column("policy_id"), sa.column("value"))


def _year_of(value) -> int | None:
    if value is None:
        return None
    return value.year if hasattr(value, "year") else int(str(value)[:4])


def _new_text(row, tags: list[str]) -> str:
    """As ``policy_search_text`` composes it on the day of this migration."""
    year = _year_of(row.published_on)
    years = {f"{year}年"} if year else set()
    years.update(f"{y}年" for y in _DOC_YEAR.findall(row.doc_number or ""))
    parts = (row.title, " ".join(tags), row.doc_number, row.issuer, " ".join(sorted(years)))
    return " ".join(p or "" for p in (*parts, *(getattr(row, c) for c in _TEXTS)))


def _old_text(row, tags: list[str]) -> str:
    return " ".join(getattr(row, c) or "" for c in ("title", "doc_number", "issuer", *_TEXTS))


def _rewrite(compose) -> None:
    from portal.services.base.fulltext import cjk_bigrams

    bind = op.get_bind()
    statement = sa.update(policy).where(policy.c.id == sa.bindparam("k")).values(search_tokens=sa.bindparam("v"))
    query = sa.select(policy).order_by(policy.c.id).limit(BATCH)
    last = None
    while True:
        rows = bind.execute(query if last is None else query.where(policy.c.id > last)).all()
        if not rows:
            return
        tags: dict[int, list[str]] = {}
        tag_rows = bind.execute(
            sa.select(policy_tag.c.policy_id, policy_tag.c.value)
            .where(policy_tag.c.policy_id.in_([r.id for r in rows]))
            .order_by(policy_tag.c.id)
        ).all()
        for policy_id, value in tag_rows:
            tags.setdefault(policy_id, []).append(value)
        changes = []
        for row in rows:
            tokens = cjk_bigrams(compose(row, tags.get(row.id, [])))
            if tokens != row.search_tokens:
                changes.append({"k": row.id, "v": tokens})
        if changes:
            bind.execute(statement, changes)
        last = rows[-1].id


def upgrade() -> None:
    _rewrite(_new_text)


def downgrade() -> None:
    _rewrite(_old_text)
