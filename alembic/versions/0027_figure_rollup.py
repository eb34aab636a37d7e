"""The figures' daily roll-up (issue #25): ``figure_day`` (lead orders by dispatch day, unit and level),
``rating_day`` (ratings by day and lead unit) and ``figure_dirty`` (days to recompute). Every day from the
first dispatch or rating to the last is marked dirty here: the figures read a dirty day from the source
tables, so they are exact from the first moment, and the ``figure_rollup`` job fills the roll-up in the
background (186 days a run). ``rating`` gets an index on ``created_at`` (a day's ratings).

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from datetime import timedelta
from typing import Union

import sqlalchemy as sa
import sqlmodel

import portal.models.types
from alembic import op

revision: str = "0027"
down_revision: Union[str, None] = "0026"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ORDER_COUNTS = ("received", "signed_on_time", "closed", "closed_on_time", "closed_late", "returned")
RATING_COUNTS = ("rated", "satisfied", "bad", "excluded", "default_good", "time_sum", "time_count", "result_sum")
RATING_COUNTS += ("result_count", "attitude_sum", "attitude_count")


def _counts(names) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def _mark_history() -> None:
    from portal.core.calendar import local_date

    bind = op.get_bind()
    instant = portal.models.types.UTCDateTime(timezone=True)
    bounds = []
    for table, column in (("work_order", "dispatched_at"), ("rating", "created_at")):
        row = bind.execute(
            sa.select(sa.func.min(sa.column(column, instant)), sa.func.max(sa.column(column, instant))).select_from(
                sa.table(table)
            )
        ).one()
        bounds += [value for value in row if value is not None]
    if not bounds:
        return
    first, last = local_date(min(bounds)), local_date(max(bounds))
    days = [{"day": first + timedelta(days=i)} for i in range((last - first).days + 1)]
    op.bulk_insert(sa.table("figure_dirty", sa.column("day", sa.Date())), days)


def upgrade() -> None:
    op.create_table(
        "figure_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        *_counts(ORDER_COUNTS),
        *_counts(("used_sum", "used_count")),
        sa.Column("used_max", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "unit_id", "level", name="uq_figure_day"),
    )
    op.create_table(
        "rating_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        *_counts(RATING_COUNTS),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "unit_id", name="uq_rating_day"),
    )
    op.create_table(
        "figure_dirty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_figure_dirty_day", "figure_dirty", ["day"])
    op.create_index("ix_rating_created", "rating", ["created_at"])  # a day's ratings, read to roll it up
    _mark_history()


def downgrade() -> None:
    op.drop_index("ix_rating_created", table_name="rating")
    op.drop_table("figure_dirty")
    op.drop_table("rating_day")
    op.drop_table("figure_day")
