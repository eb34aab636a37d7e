"""Demands gathered by people (issue #22): 走访记录, 座谈会, the problems they found (each may become a demand),
the public 进度查询 log and the weekly 征询 reminders. The enterprise file (1+1+X) is ``Enterprise`` itself."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from portal.models.tables.base import timestamp_field


class Visit(SQLModel, table=True):
    """走访记录: staff of a unit (usually a 镇街) visiting an enterprise. Staff-only: enterprises never see it."""

    __table_args__ = (Index("ix_visit_unit_visited", "unit_id", "visited_on"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    # The unit whose people went (the 镇街 whose weekly 征询 it counts for).
    unit_id: int = Field(foreign_key="unit.id")
    visited_on: date  # 走访日期 (never in the future)
    visitors: str = Field(max_length=200)  # 走访人员, as written
    summary: str = Field(sa_column=Column(Text, nullable=False))  # 走访情况
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = timestamp_field(default=True)


class Meeting(SQLModel, table=True):
    """座谈会 and its kin (会议类型: 政企茶话会, 早餐汇, 座谈会, 营商环境面对面)."""

    __table_args__ = (Index("ix_meeting_unit_held", "unit_id", "held_on"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # 会议类型
    title: str = Field(max_length=100)  # 会议主题
    held_on: date  # 会议日期
    unit_id: int = Field(foreign_key="unit.id")  # the organising unit
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = timestamp_field(default=True)


class MeetingEnterprise(SQLModel, table=True):
    """参会企业."""

    __tablename__ = "meeting_enterprise"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", primary_key=True, index=True)


class MeetingUnit(SQLModel, table=True):
    """参会部门."""

    __tablename__ = "meeting_unit"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class CollectedProblem(SQLModel, table=True):
    """One 发现问题 of a visit or one 意见建议 of a meeting. ``demand_id`` is set once, when it is 转为诉求
    (unique: the same problem never becomes two demands)."""

    __tablename__ = "collected_problem"
    id: Optional[int] = Field(default=None, primary_key=True)
    visit_id: Optional[int] = Field(default=None, foreign_key="visit.id", index=True)
    meeting_id: Optional[int] = Field(default=None, foreign_key="meeting.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    position: int = Field(default=0)  # order within its visit or meeting
    text: str = Field(sa_column=Column(Text, nullable=False))
    # For a meeting's 意见建议: the department it is addressed to (becomes the demand's 建议解决部门).
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    plan_horizon: Optional[str] = Field(default=None, max_length=10)  # 计划周期
    demand_id: Optional[int] = Field(default=None, foreign_key="demand.id", unique=True)
    created_at: datetime = timestamp_field(default=True)


class TrackLookup(SQLModel, table=True):
    """Every public 进度查询 (/track), found or not: who asked (address) for which code, and when."""

    __tablename__ = "track_lookup"
    id: Optional[int] = Field(default=None, primary_key=True)
    address: str = Field(max_length=64, index=True)
    code: str = Field(max_length=40)
    found: bool = Field(default=False)
    created_at: datetime = timestamp_field(default=True, index=True)


class ConsultReminder(SQLModel, table=True):
    """The weekly 征询 reminder sent to a 镇街 with no visit or meeting by Thursday — at most one per unit
    and week (the primary key is the claim: a second run inserts nothing)."""

    __tablename__ = "consult_reminder"
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    week_start: date = Field(primary_key=True)  # the Monday of the week
    created_at: datetime = timestamp_field(default=True)
