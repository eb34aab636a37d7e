"""What the UI may see. States expose these TypedDicts, never table rows (DESIGN §8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


@dataclass(frozen=True)
class Actor:
    """Who is acting, resolved server-side from the session token on every event."""

    user_id: int
    username: str
    role: str
    display_name: str
    unit_id: int | None = None
    enterprise_id: int | None = None


class UserPublic(TypedDict):
    username: str
    display_name: str
    role: str
    role_label: str
    unit_name: str
    enterprise_name: str


class UserRow(TypedDict):
    id: int
    username: str
    display_name: str
    role_label: str
    unit_name: str
    is_active: bool
    created_at: str


class UnitOption(TypedDict):
    id: str
    name: str
    kind: str
