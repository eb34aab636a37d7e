"""A policy's original documents are attachments too (issue #11): ``attachment.policy_id``. Plain ADD
COLUMN (SQLite writes the REFERENCES clause in place): recreating attachment would drop a table that
verification rows refer to.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op

revision: str = "0015"
down_revision: Union[str, None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # Alembic will not emit a constraint in ALTER on SQLite
        op.execute("ALTER TABLE attachment ADD COLUMN policy_id INTEGER REFERENCES policy (id)")
    else:
        op.add_column("attachment", sa.Column("policy_id", sa.Integer(), sa.ForeignKey("policy.id"), nullable=True))
    op.create_index("ix_attachment_policy_id", "attachment", ["policy_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_attachment_policy_id", table_name="attachment")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE attachment DROP COLUMN policy_id")
    else:
        op.drop_column("attachment", "policy_id")
