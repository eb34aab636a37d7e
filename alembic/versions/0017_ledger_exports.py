"""Ledgers (issue #13): 导出台账 requests with their progress and private file (``ledger_export``), and
the fingerprint of an imported 问题台账 row on its demand (unique: a file imported twice creates nothing).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op
from portal.models.types import UTCDateTime

revision: str = "0017"
down_revision: Union[str, None] = "0016"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "ledger_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("ledger", sa.String(length=20), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ledger_export_owner_id", "ledger_export", ["owner_id"], unique=False)
    op.create_index("ix_ledger_export_created_at", "ledger_export", ["created_at"], unique=False)
    # Plain ADD COLUMN and a unique index: recreating demand would drop a table others reference.
    op.add_column("demand", sa.Column("import_fingerprint", sa.String(length=64), nullable=True))
    op.create_index("ix_demand_import_fingerprint", "demand", ["import_fingerprint"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_demand_import_fingerprint", table_name="demand")
    op.drop_column("demand", "import_fingerprint")
    op.drop_index("ix_ledger_export_created_at", table_name="ledger_export")
    op.drop_index("ix_ledger_export_owner_id", table_name="ledger_export")
    op.drop_table("ledger_export")
