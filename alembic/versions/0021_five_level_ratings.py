"""好差评 to the national standard (issue #23): five levels, 差评整改 cases and 申诉复核.

- ``rating.satisfaction``: the four-level word 比较满意 becomes 满意 (the national scale: 非常满意, 满意,
  基本满意, 不满意, 非常不满意). A stored 不满意 stays 不满意.
- ``rating`` gains the optional sub-scores (办理时效, 办理结果, 服务态度; 1–5) and ``excluded`` (申诉成立).
- ``rectification`` (差评整改) and ``rating_appeal`` (申诉复核) are created. Every demand still in the
  course of a 差评 (a 不满意 on a unit's reply, demand not yet closed) gets its open case: 整改中 while the
  重办 round is open, otherwise 待回访 with the unit's 重办 reply as its 整改情况 (the centre owes the 回访).

Left as they are: ``timeline_event`` rows. A rating's event says 比较满意 in its text and that text is
covered by the event's HMAC (``services/demands/timeline.py``); rewriting it would break every chain it
touches, as 0006 and 0019 explain. The rating row is what the figures and ledgers read.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel

import portal.models.types
from alembic import op

revision: str = "0021"
down_revision: Union[str, None] = "0020"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SCORES = ("score_time", "score_result", "score_attitude")


def _instant():
    return portal.models.types.UTCDateTime(timezone=True)


def _create_tables() -> None:
    op.create_table(
        "rectification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), sa.ForeignKey("demand.id"), nullable=False),
        sa.Column("rating_id", sa.Integer(), sa.ForeignKey("rating.id"), nullable=False),
        sa.Column("last_bad_rating_id", sa.Integer(), sa.ForeignKey("rating.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("case_round", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_order.id"), nullable=True),
        sa.Column("due_at", _instant(), nullable=False),
        sa.Column("report", sa.Text(), server_default="", nullable=False),
        sa.Column("reported_at", _instant(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("rerating", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("revisit_note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("revisited_at", _instant(), nullable=True),
        sa.Column("revisited_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("closed_at", _instant(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rating_id"),
    )
    for column in ("demand_id", "unit_id", "status"):
        op.create_index(f"ix_rectification_{column}", "rectification", [column])
    op.create_table(
        "rating_appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rating_id", sa.Integer(), sa.ForeignKey("rating.id"), nullable=False),
        sa.Column("demand_id", sa.Integer(), sa.ForeignKey("demand.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("opinion", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("decided_at", _instant(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rating_id"),
    )
    for column in ("demand_id", "unit_id", "status"):
        op.create_index(f"ix_rating_appeal_{column}", "rating_appeal", [column])


def _open_cases() -> None:
    """One open case per demand still in the course of a 差评 on a unit's reply."""
    bind = op.get_bind()
    bad = bind.execute(
        sa.text(
            "SELECT r.id, r.demand_id, r.lead_unit_id, r.created_at, d.status FROM rating r "
            "JOIN demand d ON d.id = r.demand_id WHERE r.satisfaction = '不满意' AND r.lead_unit_id IS NOT NULL "
            "AND d.status IN ('重办中', '待评价', '核查中') ORDER BY r.demand_id, r.round"
        )
    ).all()
    by_demand: dict[int, list] = {}
    for row in bad:
        by_demand.setdefault(row.demand_id, []).append(row)
    for demand_id, ratings in by_demand.items():
        first, last = ratings[0], ratings[-1]
        order = bind.execute(
            sa.text(
                "SELECT id, due_at, feedback_at, reply_content FROM work_order WHERE demand_id = :d "
                "AND order_role = '主办' AND level = '重办' ORDER BY round DESC, id DESC"
            ),
            {"d": demand_id},
        ).first()
        rectifying = first.status == "重办中" or order is None or order.feedback_at is None
        values = {
            "demand_id": demand_id,
            "rating_id": first.id,
            "last_bad": last.id,
            "unit_id": first.lead_unit_id,
            "status": "整改中" if rectifying else "待回访",
            "case_round": len(ratings),
            "order_id": order.id if order else None,
            "due_at": order.due_at if order else first.created_at,
            "report": "" if rectifying or order is None else order.reply_content,
            "reported_at": None if rectifying or order is None else order.feedback_at,
            "on_time": None if rectifying or order is None else order.feedback_at <= order.due_at,
            "created_at": first.created_at,
        }
        bind.execute(
            sa.text(
                "INSERT INTO rectification (demand_id, rating_id, last_bad_rating_id, unit_id, status, case_round, "
                "order_id, due_at, report, reported_at, on_time, rerating, revisit_note, created_at) VALUES "
                "(:demand_id, :rating_id, :last_bad, :unit_id, :status, :case_round, :order_id, :due_at, :report, "
                ":reported_at, :on_time, '', '', :created_at)"
            ),
            values,
        )


def upgrade() -> None:
    for column in SCORES:
        op.add_column("rating", sa.Column(column, sa.Integer(), nullable=True))
    op.add_column("rating", sa.Column("excluded", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE rating SET satisfaction = '满意' WHERE satisfaction = '比较满意'")
    _create_tables()
    _open_cases()


def downgrade() -> None:
    op.drop_table("rating_appeal")
    op.drop_table("rectification")
    op.execute("UPDATE rating SET satisfaction = '比较满意' WHERE satisfaction = '满意'")
    op.execute("UPDATE rating SET satisfaction = '不满意' WHERE satisfaction = '非常不满意'")
    with op.batch_alter_table("rating") as batch_op:
        for column in (*SCORES, "excluded"):
            batch_op.drop_column(column)
