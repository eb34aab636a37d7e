"""一类问题 and 每月一题 (issue #26): candidate groups and confirmed classes of similar demands with their
members (a demand in at most one group), the nightly grouping's cursor, each month's theme with its problems,
tasks and milestones; an index on a demand's (topic, created) for the grouping's 90-day look-back.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel

import portal.models.types
from alembic import op

revision: str = "0024"
down_revision: Union[str, None] = "0023"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "grouping_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("up_to", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_new", sa.Integer(), nullable=False),
        sa.Column("last_groups", sa.Integer(), nullable=False),
        sa.Column("updated_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "monthly_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month"),
    )
    op.create_table(
        "problem_class",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("town_unit_id", sa.Integer(), nullable=True),
        sa.Column("lead_unit_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), server_default="", nullable=False),
        sa.Column("answer_version", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", portal.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["lead_unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["topic_id"], ["topic.id"]),
        sa.ForeignKeyConstraint(["town_unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("problem_class", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_class_lead_unit_id"), ["lead_unit_id"], unique=False)
        batch_op.create_index("ix_problem_class_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "monthly_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["class_id"], ["problem_class.id"]),
        sa.ForeignKeyConstraint(["theme_id"], ["monthly_theme.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("monthly_problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monthly_problem_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "problem_class_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("answered_version", sa.Integer(), nullable=False),
        sa.Column("answered_at", portal.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_at", portal.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["class_id"], ["problem_class.id"]),
        sa.ForeignKeyConstraint(["demand_id"], ["demand.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("demand_id"),
    )
    with op.batch_alter_table("problem_class_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_class_member_class_id"), ["class_id"], unique=False)

    op.create_table(
        "monthly_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("done_at", portal.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["problem_id"], ["monthly_problem.id"]),
        sa.ForeignKeyConstraint(["theme_id"], ["monthly_theme.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("monthly_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monthly_task_theme_id"), ["theme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_monthly_task_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "monthly_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["monthly_task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("monthly_milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monthly_milestone_task_id"), ["task_id"], unique=False)

    op.create_index("ix_demand_topic_created", "demand", ["topic_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_demand_topic_created", table_name="demand")

    with op.batch_alter_table("monthly_milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_milestone_task_id"))

    op.drop_table("monthly_milestone")
    with op.batch_alter_table("monthly_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_task_unit_id"))
        batch_op.drop_index(batch_op.f("ix_monthly_task_theme_id"))

    op.drop_table("monthly_task")
    with op.batch_alter_table("problem_class_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_class_member_class_id"))

    op.drop_table("problem_class_member")
    with op.batch_alter_table("monthly_problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_problem_theme_id"))

    op.drop_table("monthly_problem")
    with op.batch_alter_table("problem_class", schema=None) as batch_op:
        batch_op.drop_index("ix_problem_class_status_created")
        batch_op.drop_index(batch_op.f("ix_problem_class_lead_unit_id"))

    op.drop_table("problem_class")
    op.drop_table("monthly_theme")
    op.drop_table("grouping_cursor")
