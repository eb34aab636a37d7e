"""关注 (issue #26): an enterprise follows a similar demand instead of submitting a duplicate, and hears of
its public progress. One row per (demand, enterprise); the person who pressed 关注 gets the notices."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.tables.base import timestamp_field


class DemandFollow(SQLModel, table=True):
    __tablename__ = "demand_follow"
    __table_args__ = (
        UniqueConstraint("demand_id", "enterprise_id", name="uq_demand_follow_demand_enterprise"),
        # 我关注的诉求, newest first, and the per-enterprise cap.
        Index("ix_demand_follow_enterprise_created", "enterprise_id", "created_at"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)  # the followers of a demand, on each public event
    enterprise_id: int = Field(foreign_key="enterprise.id")
    user_id: int = Field(foreign_key="user.id")
    created_at: datetime = timestamp_field(default=True)
