"""Demands gathered by people (issue #22): 走访记录 (the unused ``visit`` table of 0001 is rebuilt), 座谈会 with
their enterprises and departments, the problems both found (each may become one demand), the public 进度查询
log, the weekly 征询 reminders; the enterprise file's 1+1+X and 档案 columns; a demand's 计划周期; the channel
word 座谈会/早餐汇 becomes 座谈会 (UI.md's 来源渠道).

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel

import portal.models.types
from alembic import op

revision: str = "0020"
down_revision: Union[str, None] = "0019"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ENTERPRISE_REFERENCES = (("industry_unit_id", "unit"), ("service_user_id", "user"), ("created_by_id", "user"))


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable foreign-key column added in place. SQLite takes REFERENCES in ADD COLUMN; a batch rebuild
    would drop and recreate ``enterprise``, which every demand references."""
    if op.get_bind().dialect.name == "sqlite":
        if column in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}:
            return  # left in place by this migration's SQLite downgrade (see there)
        op.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" INTEGER REFERENCES "{target}" (id)')
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(f"fk_{table}_{column}", table, target, [column], ["id"])


def _create_visit() -> None:
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visitors", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visit_enterprise_id", "visit", ["enterprise_id"])
    op.create_index("ix_visit_unit_visited", "visit", ["unit_id", "visited_on"])


def upgrade() -> None:
    # Nothing ever wrote the 0001 visit table (no code used it): rebuilt with the columns a 走访记录 needs.
    op.drop_table("visit")
    _create_visit()
    op.create_table(
        "track_lookup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("track_lookup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_track_lookup_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_track_lookup_created_at"), ["created_at"], unique=False)

    op.create_table(
        "consult_reminder",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("unit_id", "week_start"),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_unit_held", ["unit_id", "held_on"], unique=False)

    op.create_table(
        "collected_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("plan_horizon", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("demand_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["demand_id"], ["demand.id"]),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("demand_id"),
    )
    with op.batch_alter_table("collected_problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collected_problem_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_collected_problem_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_collected_problem_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "meeting_enterprise",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("meeting_id", "enterprise_id"),
    )
    with op.batch_alter_table("meeting_enterprise", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_enterprise_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "meeting_unit",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("meeting_id", "unit_id"),
    )
    op.add_column("demand", sa.Column("plan_horizon", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
    op.create_index("ix_demand_plan_horizon", "demand", ["plan_horizon"])
    for column, target in ENTERPRISE_REFERENCES:
        _add_reference("enterprise", column, target)
    op.add_column("enterprise", sa.Column("operations", sa.Text(), server_default="", nullable=False))
    op.add_column("enterprise", sa.Column("difficulties", sa.Text(), server_default="", nullable=False))
    op.add_column("enterprise", sa.Column("development_plans", sa.Text(), server_default="", nullable=False))
    op.add_column("enterprise", sa.Column("updated_at", portal.models.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column("enterprise", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.execute("UPDATE demand SET channel = '座谈会' WHERE channel = '座谈会/早餐汇'")


def downgrade() -> None:
    op.execute("UPDATE demand SET channel = '座谈会/早餐汇' WHERE channel = '座谈会'")
    for column in ("version", "updated_at", "development_plans", "difficulties", "operations"):
        op.drop_column("enterprise", column)  # plain DROP COLUMN: a batch would rebuild ``enterprise``
    # SQLite cannot drop a column that is part of a foreign key without rebuilding ``enterprise``, which every
    # demand references: there the three nullable columns stay (unused by older code) and an upgrade finds them.
    if op.get_bind().dialect.name != "sqlite":
        for column, _target in ENTERPRISE_REFERENCES:
            op.drop_constraint(f"fk_enterprise_{column}", "enterprise", type_="foreignkey")
            op.drop_column("enterprise", column)
    op.drop_index("ix_demand_plan_horizon", table_name="demand")
    op.drop_column("demand", "plan_horizon")
    for table in ("meeting_unit", "meeting_enterprise", "collected_problem", "meeting", "consult_reminder"):
        op.drop_table(table)
    op.drop_table("track_lookup")
    op.drop_table("visit")
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("visitor_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["visitor_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visit_enterprise_id", "visit", ["enterprise_id"])
