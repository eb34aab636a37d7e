"""惠企政策一站查 (issue #11): the policy library gets the same bigram full-text index as demands (FTS5 on
SQLite, a stored tsvector with a GIN index on PostgreSQL), so one search design serves both; stored
tokens of demands and policies are rewritten in document order, so mixed-script words (“2026年”) match.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Union

from alembic import op

revision: str = "0012"
down_revision: Union[str, None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE policy_fts USING fts5(search_tokens, content='policy', content_rowid='id', "
    "tokenize='unicode61')",
    "INSERT INTO policy_fts(rowid, search_tokens) SELECT id, search_tokens FROM policy",
    "CREATE TRIGGER policy_fts_ai AFTER INSERT ON policy BEGIN "
    "INSERT INTO policy_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    "CREATE TRIGGER policy_fts_ad AFTER DELETE ON policy BEGIN "
    "INSERT INTO policy_fts(policy_fts, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); END",
    "CREATE TRIGGER policy_fts_au AFTER UPDATE OF search_tokens ON policy BEGIN "
    "INSERT INTO policy_fts(policy_fts, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); "
    "INSERT INTO policy_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
]


def upgrade() -> None:
    _retokenise()
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_UP:
            op.execute(statement)
        return
    op.execute(
        "ALTER TABLE policy ADD COLUMN search_tsv tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_tokens)) STORED"
    )
    op.execute("CREATE INDEX ix_policy_search_tsv ON policy USING gin (search_tsv)")


def _retokenise() -> None:
    """Tokens are now written in document order across scripts (“2026年” is a phrase): rewrite the stored
    tokens of demands (title + content, as intake writes them) and policies (every text on its page)."""
    import sqlalchemy as sa

    from portal.services.base.fulltext import cjk_bigrams

    bind = op.get_bind()
    demand = sa.table("demand", sa.column("id"), sa.column("title"), sa.column("content"), sa.column("search_tokens"))
    for row in bind.execute(sa.select(demand.c.id, demand.c.title, demand.c.content)).all():
        tokens = cjk_bigrams(f"{row.title} {row.content}")
        bind.execute(sa.update(demand).where(demand.c.id == row.id).values(search_tokens=tokens))
    names = ("title", "doc_number", "issuer", "summary", "body", "interpretation", "guide")
    policy = sa.table("policy", sa.column("id"), sa.column("search_tokens"), *[sa.column(n) for n in names])
    for row in bind.execute(sa.select(policy.c.id, *[policy.c[n] for n in names])).all():
        tokens = cjk_bigrams(" ".join(str(getattr(row, n) or "") for n in names))
        bind.execute(sa.update(policy).where(policy.c.id == row.id).values(search_tokens=tokens))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("policy_fts_ai", "policy_fts_ad", "policy_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS policy_fts")
        return
    op.execute("DROP INDEX IF EXISTS ix_policy_search_tsv")
    op.execute("ALTER TABLE policy DROP COLUMN IF EXISTS search_tsv")
