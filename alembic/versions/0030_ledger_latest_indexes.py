"""The ledgers' latest lead order and rating per demand answered from an index (issue #25, CSV ≤ 5 s): an export
probes ``max(id)`` of a demand's lead orders and of its ratings once per row. Through ``ix_work_order_demand_id``
and ``uq_rating_demand_round`` each probe read the demand's rows from the table to check the role or find the
highest id; ``(demand_id, order_role, id)`` and ``(demand_id, id)`` answer it from the index's last entry.

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from typing import Union

from alembic import op

revision: str = "0030"
down_revision: Union[str, None] = "0029"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_work_order_demand_role", "work_order", ["demand_id", "order_role", "id"])
    op.create_index("ix_rating_demand_latest", "rating", ["demand_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_rating_demand_latest", table_name="rating")
    op.drop_index("ix_work_order_demand_role", table_name="work_order")
