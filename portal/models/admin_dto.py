"""Records of the /admin sections (issue #12): what the admin's states show of units, the 派单目录 and
enterprise accounts. Like ``portal.models.dto``, plain TypedDicts that never carry a secret."""

from __future__ import annotations

from typing import TypedDict


class UnitAdminRow(TypedDict):
    """One unit in /admin 部门, in tree order (``depth`` indents it under its parent)."""

    id: int
    name: str
    code: str
    kind: str
    depth: int
    parent: str
    parent_id: str
    contact_name: str
    contact_phone: str
    active: bool
    open_orders: int


class CatalogueTopicRow(TypedDict):
    """One topic of the 派单目录 in /admin, with its routing (unit ids as strings, co-units joined by ",")."""

    id: int
    name: str
    topic_class: str
    lead_id: str
    lead: str
    co_ids: str
    co: str
    level: str
    keywords: str
    active: bool


class CatalogueChangeRow(TypedDict):
    """One saved change of a topic: 第N版, when, who, and each changed field old → new."""

    version: int
    at: str
    who: str
    changes: str


class EnterpriseAccountAdminRow(TypedDict):
    """An enterprise account in /admin 用户, with its enterprise."""

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
