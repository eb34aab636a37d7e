"""The unfiltered staff list (/staff/demands, newest first) walks an index on (created_at, id) instead of
sorting the whole demand table on every page event (measured by bench/bench_ui.py, issue #8).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Union

from alembic import op

revision: str = "0010"
down_revision: Union[str, None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_demand_created", "demand", ["created_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_demand_created", table_name="demand")
