"""Full-text index over demand bigram tokens: FTS5 on SQLite, a GIN tsvector index on PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from typing import Union

from alembic import op

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE demand_fts USING fts5(search_tokens, content='demand', content_rowid='id', "
    "tokenize='unicode61')",
    "INSERT INTO demand_fts(rowid, search_tokens) SELECT id, search_tokens FROM demand",
    "CREATE TRIGGER demand_fts_ai AFTER INSERT ON demand BEGIN "
    "INSERT INTO demand_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    "CREATE TRIGGER demand_fts_ad AFTER DELETE ON demand BEGIN "
    "INSERT INTO demand_fts(demand_fts, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); END",
    "CREATE TRIGGER demand_fts_au AFTER UPDATE OF search_tokens ON demand BEGIN "
    "INSERT INTO demand_fts(demand_fts, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); "
    "INSERT INTO demand_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_UP:
            op.execute(statement)
    else:
        op.execute("CREATE INDEX ix_demand_search_tsv ON demand USING gin (to_tsvector('simple', search_tokens))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("demand_fts_ai", "demand_fts_ad", "demand_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS demand_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_demand_search_tsv")
