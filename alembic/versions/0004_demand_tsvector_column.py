"""PostgreSQL: keep the demand tsvector in a stored generated column, so matches are rechecked from
the stored vector instead of re-tokenising each row (measured: bench/bench_demands.py, README).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from typing import Union

from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_demand_search_tsv")
    op.execute(
        "ALTER TABLE demand ADD COLUMN search_tsv tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_tokens)) STORED"
    )
    op.execute("CREATE INDEX ix_demand_search_tsv ON demand USING gin (search_tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_demand_search_tsv")
    op.execute("ALTER TABLE demand DROP COLUMN IF EXISTS search_tsv")
    op.execute("CREATE INDEX ix_demand_search_tsv ON demand USING gin (to_tsvector('simple', search_tokens))")
