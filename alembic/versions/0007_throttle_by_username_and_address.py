"""Login and registration throttles count per username + client address, per address and per username
(portal.services.accounts.throttle): the old per-username table gives way to one keyed by kind and hash. Old
counters are short-lived (minutes) and are not carried over.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op
from portal.models.types import UTCDateTime

revision: str = "0007"
down_revision: Union[str, None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_table("login_throttle")
    op.create_table(
        "throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_throttle_updated_at", "throttle", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_throttle_updated_at", table_name="throttle")
    op.drop_table("throttle")
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
