"""Each work order keeps the working-day limit it was dispatched with (issue #12: a change of the 时限规则
applies to orders dispatched after it; a calendar change recounts running orders with their own limit).
Existing orders get it from their recorded reason (“一般(5个工作日)”, “重办(3个工作日)”) or, for co-unit
orders, the 协办意见 rule.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25
"""

import re
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op

revision: str = "0013"
down_revision: Union[str, None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("work_order") as batch:
        batch.add_column(sa.Column("limit_days", sa.Integer(), nullable=True))
    bind = op.get_bind()
    orders = sa.table("work_order", sa.column("id"), sa.column("due_reason"), sa.column("limit_days"))
    rules = sa.table("time_limit_rule", sa.column("level"), sa.column("working_days"))
    co_days = bind.execute(sa.select(rules.c.working_days).where(rules.c.level == "协办意见")).scalar() or 3
    for order_id, reason in bind.execute(sa.select(orders.c.id, orders.c.due_reason)).all():
        match = re.search(r"(\d+)个工作日", reason or "")
        days = int(match.group(1)) if match else (co_days if reason == "协办意见" else None)
        if days is not None:
            bind.execute(sa.update(orders).where(orders.c.id == order_id).values(limit_days=days))


def downgrade() -> None:
    with op.batch_alter_table("work_order") as batch:
        batch.drop_column("limit_days")
