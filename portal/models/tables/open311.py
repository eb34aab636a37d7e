"""The Open311-style API (issue #27): the keys of the systems that integrate with the portal, and the
requests they posted (for replay by ``Idempotency-Key`` and GeoReport's ``token``)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.enums import Channel
from portal.models.tables.base import timestamp_field


class ApiKey(SQLModel, table=True):
    """One integrating system's key. Only the SHA-256 of the key is stored (the key is shown once, when
    made); ``prefix`` (the key's first characters) lets a person tell keys apart. Bound to a channel (接口),
    to the 镇街 whose enterprises it may post for and to the topics (empty: all), with a rate per minute."""

    __tablename__ = "api_key"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)
    prefix: str = Field(max_length=20)
    key_hash: str = Field(max_length=64, unique=True)
    channel: str = Field(default=Channel.API, max_length=20)
    town_unit_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    topic_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rate_per_minute: int = Field(default=60)
    created_at: datetime = timestamp_field(default=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    revoked_at: Optional[datetime] = timestamp_field()
    revoked_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    last_used_at: Optional[datetime] = timestamp_field()
    calls: int = Field(default=0)
    refused_calls: int = Field(default=0)


class ApiRequest(SQLModel, table=True):
    """A demand a key posted: the answer it was given, the hash of what was sent and, when the caller sent
    one, its ``Idempotency-Key`` (unique per key), so a replay returns the first answer and writes nothing."""

    __tablename__ = "api_request"
    __table_args__ = (UniqueConstraint("api_key_id", "idempotency_key", name="uq_api_request_key_idempotency"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_key.id", index=True)
    idempotency_key: Optional[str] = Field(default=None, max_length=100)
    request_hash: str = Field(max_length=64)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    token: str = Field(max_length=40, unique=True)
    created_at: datetime = timestamp_field(default=True)
