"""Units get a code (unique, e.g. for ledgers and imports) and a contact person (issue #12, 部门).
Existing units are numbered U001, U002 … in their display order.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op

revision: str = "0014"
down_revision: Union[str, None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Plain ADD COLUMN and a unique index: a batch “recreate” of unit would DROP a table that users,
# orders and topics reference, which SQLite refuses with foreign keys on.


def upgrade() -> None:
    op.add_column("unit", sa.Column("code", sa.String(length=30), nullable=True))
    op.add_column("unit", sa.Column("contact_name", sa.String(length=50), nullable=False, server_default=""))
    bind = op.get_bind()
    unit = sa.table("unit", sa.column("id"), sa.column("sort_order"), sa.column("code"))
    for number, (unit_id,) in enumerate(
        bind.execute(sa.select(unit.c.id).order_by(unit.c.sort_order, unit.c.id)).all(), start=1
    ):
        bind.execute(sa.update(unit).where(unit.c.id == unit_id).values(code=f"U{number:03d}"))
    op.create_index("ix_unit_code", "unit", ["code"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_unit_code", table_name="unit")
    op.drop_column("unit", "contact_name")  # SQLite ≥ 3.35 drops a column in place
    op.drop_column("unit", "code")
