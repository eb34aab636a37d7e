"""Records of notices outside the portal (issue #27): a person's preferences, the admin's outbox view."""

from __future__ import annotations

from typing import TypedDict


class CategoryChoice(TypedDict):
    name: str  # 新工单, 督办预警 … (portal.services.base.outbox.CATEGORIES)
    kinds: str  # the notices in it, for the label's hint
    on: bool


class DeliveryPreferences(TypedDict):
    email: str
    phone: str
    email_on: bool
    sms_on: bool
    quiet_start: str
    quiet_end: str
    categories: list[CategoryChoice]
    channels_note: str  # which channels the portal has switched on


class ChannelState(TypedDict):
    channel: str
    configured: bool
    detail: str  # "smtp.example.cn:587 STARTTLS", "文件 data/sms", "未配置:…"; never a secret


class OutboxCount(TypedDict):
    channel: str
    pending: int
    sending: int
    sent: int
    failed: int


class FailedMessage(TypedDict):
    id: int
    at: str
    channel: str
    kind: str
    title: str
    recipient: str  # the account's name, not its address
    attempts: int
    error: str
