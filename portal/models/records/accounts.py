"""Records of people and accounts: who a user is for display, staff and enterprise account rows, 账号认领."""

from __future__ import annotations

from typing import TypedDict


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
    role: str
    role_label: str
    unit_id: str
    unit_name: str
    phone: str
    email: str
    is_active: bool
    locked: bool
    created_at: str


class ProfileField(TypedDict):
    label: str
    value: str


class EnterpriseAccountRow(TypedDict):
    """An enterprise account with its enterprise (/admin 用户 and 账号认领)."""

    id: int
    username: str
    display_name: str
    enterprise: str
    credit_code: str
    industry: str
    scale: str
    town: str
    contact: str
    last_login: str
    is_active: bool
    locked: bool


class ClaimableEnterprise(TypedDict):
    """An enterprise found by its 统一社会信用代码 for 账号认领 (staff only)."""

    name: str
    credit_code: str
    contact_name: str
    accounts: list[EnterpriseAccountRow]
