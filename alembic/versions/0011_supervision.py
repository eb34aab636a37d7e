"""Supervision (issue #10): revocable cards, the rule settings (card ladder, 预警 lead time), the
scheduler's job-run record for /api/health, each lead order's working days used (figures), and the
indexes the sweeps and the board read through.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op
from portal.models.types import UTCDateTime

revision: str = "0011"
down_revision: Union[str, None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

RULES = [
    ("yellow_per_red", 2, "每月每满几张黄牌升一张红牌(约谈分管负责人)"),
    ("red_per_interview", 2, "每月每满几张红牌约谈主要负责人"),
    ("warning_days", 1, "剩余几个工作日时预警"),
]


def upgrade() -> None:
    with op.batch_alter_table("card") as batch:
        batch.add_column(sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("revoke_reason", sa.String(length=500), nullable=False, server_default=""))
        batch.create_foreign_key("fk_card_revoked_by_id_user", "user", ["revoked_by_id"], ["id"])
        batch.create_index("ix_card_month", ["month"], unique=False)
    op.create_index("ix_supervision_notice_created_at", "supervision_notice", ["created_at"], unique=False)
    rules = op.create_table(
        "rule_setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.bulk_insert(rules, [{"key": k, "value": v, "description": d} for k, v, d in RULES])
    op.create_table(
        "job_run",
        sa.Column("job_id", sa.String(length=40), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("last_started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_duration_ms", sa.Integer(), nullable=False),
        sa.Column("last_summary", sa.String(length=500), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_index("ix_demand_status_rate_due", "demand", ["status", "rate_due_at"], unique=False)
    op.create_index("ix_work_order_status_due", "work_order", ["status", "due_at"], unique=False)
    op.create_index("ix_work_order_dispatched", "work_order", ["dispatched_at"], unique=False)
    with op.batch_alter_table("work_order") as batch:
        batch.add_column(sa.Column("working_days_used", sa.Integer(), nullable=True))
    _backfill_working_days_used()


def _backfill_working_days_used() -> None:
    """Orders already answered get their working days from dispatch to feedback, by today's calendar."""
    from sqlmodel import Session

    from portal.services.calendar.store import load_calendar

    orders = sa.table(
        "work_order",
        sa.column("id", sa.Integer),
        sa.column("dispatched_at", UTCDateTime(timezone=True)),
        sa.column("feedback_at", UTCDateTime(timezone=True)),
        sa.column("working_days_used", sa.Integer),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(orders.c.id, orders.c.dispatched_at, orders.c.feedback_at).where(orders.c.feedback_at.is_not(None))
    ).all()
    if not rows:
        return
    calendar = load_calendar(Session(bind=bind))
    for row in rows:
        used = max(0, calendar.working_days_between(row.dispatched_at, row.feedback_at))
        bind.execute(sa.update(orders).where(orders.c.id == row.id).values(working_days_used=used))


def downgrade() -> None:
    with op.batch_alter_table("work_order") as batch:
        batch.drop_column("working_days_used")
    op.drop_index("ix_work_order_dispatched", table_name="work_order")
    op.drop_index("ix_work_order_status_due", table_name="work_order")
    op.drop_index("ix_demand_status_rate_due", table_name="demand")
    op.drop_table("job_run")
    op.drop_table("rule_setting")
    op.drop_index("ix_supervision_notice_created_at", table_name="supervision_notice")
    with op.batch_alter_table("card") as batch:
        batch.drop_index("ix_card_month")
        batch.drop_constraint("fk_card_revoked_by_id_user", type_="foreignkey")
        batch.drop_column("revoke_reason")
        batch.drop_column("revoked_by_id")
        batch.drop_column("revoked_at")
