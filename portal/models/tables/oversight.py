"""Supervision (notices, cards, bulletins) and the policy library."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.tables.base import timestamp_field

# ── supervision ─────────────────────────────────────────────────────────────────────────────


class SupervisionNotice(SQLModel, table=True):
    """预警 / 超期催办 / 签收超时 / 协办超时 / manual 催办, once per (work order, kind, round)."""

    __tablename__ = "supervision_notice"
    id: Optional[int] = Field(default=None, primary_key=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=20)
    round: int
    message: str = Field(default="", max_length=500)
    unique_key: str = Field(max_length=120, unique=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = timestamp_field(default=True, index=True)


class Card(SQLModel, table=True):
    """A 黄牌 of a unit in a month, one per overdue lead order and round. Red cards and 约谈 follow from the
    month's count of yellow cards not revoked (seed 001's ladder, thresholds in ``rule_setting``), so a
    revoked yellow card takes its consequences with it."""

    __table_args__ = (Index("ix_card_unit_month", "unit_id", "month"), Index("ix_card_month", "month"))
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    month: str = Field(max_length=7)  # YYYY-MM in the configured zone: the month the order fell overdue
    color: str = Field(max_length=10)
    reason: str = Field(default="", max_length=500)
    work_order_id: Optional[int] = Field(default=None, foreign_key="work_order.id")
    unique_key: str = Field(max_length=120, unique=True)
    created_at: datetime = timestamp_field(default=True)
    revoked_at: Optional[datetime] = timestamp_field()
    revoked_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    revoke_reason: str = Field(default="", max_length=500)


class RuleSetting(SQLModel, table=True):
    """Supervision thresholds that are not working-day limits (those are ``time_limit_rule``)."""

    __tablename__ = "rule_setting"
    key: str = Field(primary_key=True, max_length=40)
    value: int
    description: str = Field(default="", max_length=200)


class JobRun(SQLModel, table=True):
    """The scheduler's last run of each job, for /api/health (a job silent for 3 intervals is unhealthy)."""

    __tablename__ = "job_run"
    job_id: str = Field(primary_key=True, max_length=40)
    interval_seconds: int
    last_started_at: Optional[datetime] = timestamp_field()
    last_success_at: Optional[datetime] = timestamp_field()
    last_duration_ms: int = Field(default=0)
    last_summary: str = Field(default="", max_length=500)
    last_error: str = Field(default="", max_length=500)


class BulletinSnapshot(SQLModel, table=True):
    """一月一通报: the figures of every unit for a closed period, frozen when the month ends."""

    __tablename__ = "bulletin_snapshot"
    __table_args__ = (UniqueConstraint("period", "unit_id", name="uq_bulletin_period_unit"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    period: str = Field(max_length=10)
    unit_id: int = Field(foreign_key="unit.id")
    figures: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp_field(default=True)


# ── policies ─────────────────────────────────────────────────────────────────────


class Policy(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    doc_number: str = Field(default="", max_length=100)
    issuer: str = Field(default="", max_length=100)
    published_on: Optional[date] = Field(default=None, index=True)
    effective_from: Optional[date] = Field(default=None)
    effective_to: Optional[date] = Field(default=None, index=True)
    summary: str = Field(default="", max_length=1000)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    interpretation: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    guide: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    status: str = Field(default="草稿", max_length=10, index=True)
    search_tokens: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = timestamp_field(default=True)
    updated_at: datetime = timestamp_field(default=True)


class PolicyTag(SQLModel, table=True):
    __tablename__ = "policy_tag"
    __table_args__ = (
        UniqueConstraint("policy_id", "kind", "value", name="uq_policy_tag"),
        Index("ix_policy_tag_kind_value", "kind", "value"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    policy_id: int = Field(foreign_key="policy.id", index=True)
    kind: str = Field(max_length=10)  # 行业 | 规模 | 区域 | 主题
    value: str = Field(max_length=50)


class DemandPolicy(SQLModel, table=True):
    """Policies cited by an instant answer."""

    __tablename__ = "demand_policy"
    demand_id: int = Field(foreign_key="demand.id", primary_key=True)
    policy_id: int = Field(foreign_key="policy.id", primary_key=True)


class LedgerExport(SQLModel, table=True):
    """A 导出台账 request (issue #13): written in the background to a private folder, downloadable only by
    the person who asked, removed after a day. ``done`` rows of ``total`` so far, for the progress bar."""

    __tablename__ = "ledger_export"
    id: Optional[int] = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id", index=True)
    ledger: str = Field(max_length=20)
    file_format: str = Field(max_length=10)  # xlsx | csv
    filters: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=10)  # 排队 | 生成中 | 已完成 | 失败
    total: int = Field(default=0)
    done: int = Field(default=0)
    filename: str = Field(default="", max_length=200)
    storage_key: str = Field(default="", max_length=200)
    error: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field(default=True, index=True)
    finished_at: Optional[datetime] = timestamp_field()
