"""Notices sent outside the portal (issue #27): the outbox of e-mails and text messages, and each person's
choice of what reaches them where (``portal.services.base.outbox`` queues, ``portal.services.delivery`` sends)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.tables.base import timestamp_field


class OutboxMessage(SQLModel, table=True):
    """One message for one person on one channel, written in the notice's own transaction. At most one per
    (notice, person, channel); the sender claims due rows by setting ``claim`` with a conditional UPDATE and
    holds them until ``lease_until``."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("notice_key", "user_id", "channel", name="uq_outbox_notice_user_channel"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    notice_key: str = Field(max_length=120)
    user_id: int = Field(foreign_key="user.id", index=True)
    channel: str = Field(max_length=10)
    kind: str = Field(max_length=20)
    title: str = Field(max_length=100)
    body: str = Field(default="", max_length=1000)
    link: str = Field(default="", max_length=200)
    status: str = Field(max_length=10)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = timestamp_field(nullable=False)
    lease_until: Optional[datetime] = timestamp_field()
    claim: str = Field(default="", max_length=32, index=True)
    sent_at: Optional[datetime] = timestamp_field()
    last_error: str = Field(default="", max_length=300)
    created_at: datetime = timestamp_field(default=True)


class DeliveryPreference(SQLModel, table=True):
    """What one person wants outside the portal; no row means the defaults (every category, both channels,
    no quiet hours). The in-app inbox always gets everything."""

    __tablename__ = "delivery_preference"
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    email_on: bool = Field(default=True)
    sms_on: bool = Field(default=True)
    categories_off: str = Field(default="", max_length=200)  # category names, comma separated
    quiet_start: str = Field(default="", max_length=5)  # "22:00" local time, "" for none
    quiet_end: str = Field(default="", max_length=5)
    updated_at: datetime = timestamp_field(default=True)
