"""What the 接口密钥 page (/admin/api-keys) shows of the integrating systems' keys: never the key itself."""

from __future__ import annotations

from typing import TypedDict


class ApiKeyRow(TypedDict):
    id: int
    name: str
    prefix: str  # the key's first characters, to tell keys apart
    channel: str
    towns: str  # the 镇街 it may post for, "全部" when not bound
    topics: str  # the topics it may post, "全部" when not bound
    rate_per_minute: int
    created_at: str
    last_used_at: str
    calls: int
    refused_calls: int
    active: bool
    revoked_at: str
