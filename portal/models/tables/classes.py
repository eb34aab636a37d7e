"""一类问题 and 每月一题 (issue #26): candidate groups of similar demands found by the nightly grouping, the
classes the centre confirmed (牵头单位, 类问题答复), their members, and each month's public theme with its
problems, tasks and milestones."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from portal.models.tables.base import timestamp_field


class ProblemClass(SQLModel, table=True):
    """A group of similar demands: 候选 (proposed by the grouping), 已确认 (a 一类问题 with its 牵头单位 and
    answer) or 已忽略 (its members stay linked so the grouping never proposes them again).

    ``answer_version`` grows with every saved answer; a member holds the version it received, so 发送答复
    reaches each member once per version, later-added members included."""

    __tablename__ = "problem_class"
    __table_args__ = (Index("ix_problem_class_status_created", "status", "created_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    status: str = Field(max_length=10)  # ClassStatus
    name: str = Field(default="", max_length=60)
    topic_id: Optional[int] = Field(default=None, foreign_key="topic.id")
    town_unit_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    lead_unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    answer_version: int = Field(default=0)
    source: str = Field(default="", max_length=10)  # 夜间分析 | 重新分析 | 人工
    created_at: datetime = timestamp_field(default=True)
    confirmed_at: Optional[datetime] = timestamp_field()
    confirmed_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    version: int = Field(default=1)


class ProblemClassMember(SQLModel, table=True):
    """A demand in a group; a demand is in at most one group (unique), so at most one confirmed class."""

    __tablename__ = "problem_class_member"
    id: Optional[int] = Field(default=None, primary_key=True)
    class_id: int = Field(foreign_key="problem_class.id", index=True)
    demand_id: int = Field(foreign_key="demand.id", unique=True)
    similarity: float = Field(default=0.0)
    added_by: str = Field(default="", max_length=10)  # 分析 | 人工
    answered_version: int = Field(default=0)  # the class answer version this member received
    answered_at: Optional[datetime] = timestamp_field()
    # 移出: the row stays (so the grouping never proposes the demand again); adding it by code moves it back.
    removed_at: Optional[datetime] = timestamp_field()
    created_at: datetime = timestamp_field(default=True)


class GroupingCursor(SQLModel, table=True):
    """Where the nightly grouping stopped: demands created after ``up_to`` are the next run's new ones.
    One row; a run claims its window by moving ``up_to`` with a compare-and-set."""

    __tablename__ = "grouping_cursor"
    id: int = Field(default=1, primary_key=True)
    up_to: datetime = timestamp_field(nullable=False)
    last_new: int = Field(default=0)
    last_groups: int = Field(default=0)
    updated_at: datetime = timestamp_field(default=True)


class MonthlyTheme(SQLModel, table=True):
    """每月一题: one theme per month (``month`` is YYYY-MM), public once published."""

    __tablename__ = "monthly_theme"
    id: Optional[int] = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, unique=True)
    title: str = Field(max_length=60)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    published: bool = Field(default=False)
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = timestamp_field(default=True)
    version: int = Field(default=1)


class MonthlyProblem(SQLModel, table=True):
    """One of a theme's 2–3 problems, drawn from a confirmed class or written freely."""

    __tablename__ = "monthly_problem"
    id: Optional[int] = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="monthly_theme.id", index=True)
    position: int = Field(default=0)
    text: str = Field(max_length=200)
    class_id: Optional[int] = Field(default=None, foreign_key="problem_class.id")


class MonthlyTask(SQLModel, table=True):
    """A task for a unit under one problem, with its due date and progress (0–100)."""

    __tablename__ = "monthly_task"
    id: Optional[int] = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="monthly_theme.id", index=True)
    problem_id: int = Field(foreign_key="monthly_problem.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    title: str = Field(max_length=100)
    due_on: date
    progress: int = Field(default=0)
    done_at: Optional[datetime] = timestamp_field()
    created_at: datetime = timestamp_field(default=True)
    version: int = Field(default=1)


class MonthlyMilestone(SQLModel, table=True):
    """A progress report on a task (public words: no enterprise data)."""

    __tablename__ = "monthly_milestone"
    id: Optional[int] = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="monthly_task.id", index=True)
    progress: int
    note: str = Field(max_length=200)
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = timestamp_field(default=True)
