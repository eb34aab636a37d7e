"""Records of the /admin sections: units, the 派单目录 and its history, time-limit rules, the calendar's
years, the audit log."""

from __future__ import annotations

from typing import TypedDict


class AuditRow(TypedDict):
    at: str
    who: str
    section: str
    target: str
    detail: str


class RuleRow(TypedDict):
    """One editable rule under /admin 时限规则."""

    key: str
    label: str
    value: int
    unit: str
    low: int
    high: int


class YearStatus(TypedDict):
    year: int
    official: bool
    holidays: int
    workdays: int
    note: str


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
