"""A demand code prefix index on PostgreSQL (issue #25, 10 M demands): staff search by code is
``code LIKE 'QB2026…%'``, which the unique index on ``code`` cannot serve unless the database's collation is
"C" (tests and deployments use C.UTF-8), so it read the whole table: 80 s at 10 M demands. A
``varchar_pattern_ops`` index answers it in milliseconds whatever the collation. SQLite's LIKE is
case-insensitive and uses no index either way; its prefix search is unchanged.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from typing import Union

from alembic import op

revision: str = "0029"
down_revision: Union[str, None] = "0028"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_demand_code_pattern ON demand (code varchar_pattern_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_demand_code_pattern")
