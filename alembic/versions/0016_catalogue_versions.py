"""Administration (issue #12). 派单目录 versions: every saved topic change is one catalogue version with
the topic's fields before → after and who made it; a dispatch records the version that suggested it
(``demand.catalogue_version``); the seeded catalogue counts as version 1. Accounts: when a login lock
began and when an admin lifted it (``user.locked_at`` / ``unlocked_at``), and the early pilot credit
codes an admin admitted although they fail the GB 32100 check (``admitted_credit_code``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op
from portal.models.types import UTCDateTime

revision: str = "0016"
down_revision: Union[str, None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "catalogue_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=100), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["topic_id"], ["topic.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    op.create_index("ix_catalogue_change_topic_id", "catalogue_change", ["topic_id"], unique=False)
    # Plain ADD COLUMN: recreating demand would drop a table that orders and timelines reference.
    op.add_column("demand", sa.Column("catalogue_version", sa.Integer(), nullable=True))
    op.add_column("user", sa.Column("locked_at", UTCDateTime(timezone=True), nullable=True))
    op.add_column("user", sa.Column("unlocked_at", UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "admitted_credit_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credit_code"),
    )


def downgrade() -> None:
    op.drop_table("admitted_credit_code")
    op.drop_column("user", "unlocked_at")
    op.drop_column("user", "locked_at")
    op.drop_column("demand", "catalogue_version")
    op.drop_index("ix_catalogue_change_topic_id", table_name="catalogue_change")
    op.drop_table("catalogue_change")
