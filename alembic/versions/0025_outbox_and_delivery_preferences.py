"""Notices outside the portal (issue #27): ``outbox_message`` (one e-mail or text message per notice,
person and channel), ``delivery_preference`` (which categories, which channels, quiet hours) and
``user.email``.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel

import portal.models.types
from alembic import op

revision: str = "0025"
down_revision: Union[str, None] = "0024"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _instant():
    return portal.models.types.UTCDateTime(timezone=True)


def _text(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    # Plain ADD COLUMN with a default (as 0018): recreating user would drop a table everything references.
    op.add_column("user", sa.Column("email", _text(100), server_default="", nullable=False))
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_key", _text(120), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("channel", _text(10), nullable=False),
        sa.Column("kind", _text(20), nullable=False),
        sa.Column("title", _text(100), nullable=False),
        sa.Column("body", _text(1000), nullable=False),
        sa.Column("link", _text(200), nullable=False),
        sa.Column("status", _text(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _instant(), nullable=False),
        sa.Column("lease_until", _instant(), nullable=True),
        sa.Column("claim", _text(32), nullable=False),
        sa.Column("sent_at", _instant(), nullable=True),
        sa.Column("last_error", _text(300), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_key", "user_id", "channel", name="uq_outbox_notice_user_channel"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_claim"), ["claim"], unique=False)
    op.create_table(
        "delivery_preference",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("email_on", sa.Boolean(), nullable=False),
        sa.Column("sms_on", sa.Boolean(), nullable=False),
        sa.Column("categories_off", _text(200), nullable=False),
        sa.Column("quiet_start", _text(5), nullable=False),
        sa.Column("quiet_end", _text(5), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("delivery_preference")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_claim"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_user_id"))
        batch_op.drop_index("ix_outbox_due")
    op.drop_table("outbox_message")
    op.drop_column("user", "email")
