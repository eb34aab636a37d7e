"""A browser login gets a one-time ticket that the HTTP endpoint exchanges for the HttpOnly session
cookie (README § 安全): two nullable columns on user_session.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op
from portal.models.types import UTCDateTime

revision: str = "0008"
down_revision: Union[str, None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("ticket_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("ticket_expires_at", UTCDateTime(timezone=True), nullable=True))
        batch.create_unique_constraint("uq_user_session_ticket_hash", ["ticket_hash"])


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_constraint("uq_user_session_ticket_hash", type_="unique")
        batch.drop_column("ticket_expires_at")
        batch.drop_column("ticket_hash")
