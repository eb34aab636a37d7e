"""Demand list indexes end with id, matching ORDER BY (created_at, id), so pages need no sort.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from typing import Union

from alembic import op

revision: str = "0005"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for name, first in (("ix_demand_status_created", "status"), ("ix_demand_enterprise_created", "enterprise_id")):
        op.drop_index(name, table_name="demand")
        op.create_index(name, "demand", [first, "created_at", "id"], unique=False)


def downgrade() -> None:
    for name, first in (("ix_demand_status_created", "status"), ("ix_demand_enterprise_created", "enterprise_id")):
        op.drop_index(name, table_name="demand")
        op.create_index(name, "demand", [first, "created_at"], unique=False)
