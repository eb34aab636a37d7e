"""类似诉求 and 关注 (issue #26): ``demand_follow`` (an enterprise follows another's demand instead of sending
a duplicate); on SQLite an ``fts5vocab`` view of the demand full-text index, so the lookup of similar
demands reads how many demands hold each word; on PostgreSQL a higher statistics target on the tsvector column,
whose most common lexemes say the same, and an index on ``demand.topic_id`` that PostgreSQL ANDs with the
full-text bitmap.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

import portal.models.types
from alembic import op

revision: str = "0023"
down_revision: Union[str, None] = "0022"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "demand_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["demand_id"], ["demand.id"]),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("demand_id", "enterprise_id", name="uq_demand_follow_demand_enterprise"),
    )
    op.create_index("ix_demand_follow_demand_id", "demand_follow", ["demand_id"])
    op.create_index("ix_demand_follow_enterprise_created", "demand_follow", ["enterprise_id", "created_at"])
    op.create_index("ix_demand_topic", "demand", ["topic_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE demand_fts_vocab USING fts5vocab(demand_fts, 'row')")
    else:  # the 10 000 most common lexemes in pg_stats (100 → 1 000 lexemes by default)
        op.execute("ALTER TABLE demand ALTER COLUMN search_tsv SET STATISTICS 1000")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS demand_fts_vocab")
    else:
        op.execute("ALTER TABLE demand ALTER COLUMN search_tsv SET STATISTICS -1")
    op.drop_index("ix_demand_topic", table_name="demand")
    op.drop_index("ix_demand_follow_enterprise_created", table_name="demand_follow")
    op.drop_index("ix_demand_follow_demand_id", table_name="demand_follow")
    op.drop_table("demand_follow")
