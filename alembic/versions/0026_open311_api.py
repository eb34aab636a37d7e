"""The Open311-style API (issue #27): ``api_key`` (an integrating system's key, stored as its SHA-256, bound
to 镇街 and topics, with a rate) and ``api_request`` (each demand a key posted, with its Idempotency-Key and
GeoReport token). The channel word 接口 needs no change of its own (``demand.channel`` is free text).

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel

from alembic import op
from portal.models.types import UTCDateTime

revision: str = "0026"
down_revision: Union[str, None] = "0025"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _text(50), nullable=False),
        sa.Column("prefix", _text(20), nullable=False),
        sa.Column("key_hash", _text(64), nullable=False),
        sa.Column("channel", _text(20), nullable=False),
        sa.Column("town_unit_ids", sa.JSON(), nullable=False),
        sa.Column("topic_ids", sa.JSON(), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("refused_calls", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "api_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", _text(100), nullable=True),
        sa.Column("request_hash", _text(64), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("token", _text(40), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"]),
        sa.ForeignKeyConstraint(["demand_id"], ["demand.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("api_key_id", "idempotency_key", name="uq_api_request_key_idempotency"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("ix_api_request_api_key_id", "api_request", ["api_key_id"], unique=False)
    op.create_index("ix_api_request_demand_id", "api_request", ["demand_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_api_request_demand_id", table_name="api_request")
    op.drop_index("ix_api_request_api_key_id", table_name="api_request")
    op.drop_table("api_request")
    op.drop_table("api_key")
