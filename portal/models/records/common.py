"""Records every area shares: navigation, the inbox, counters, a page of a server-paged list, unit choices."""

from __future__ import annotations

from typing import TypedDict


class NavItem(TypedDict):
    route: str
    label: str
    icon: str


class NotificationRow(TypedDict):
    id: int
    title: str
    body: str
    link: str
    at: str
    unread: bool
    kind: str


class Counter(TypedDict):
    label: str
    value: int
    link: str
    alert: bool


class Page(TypedDict):
    """One page of a server-paged list; ``total_label`` shows capped counts as "1000+"."""

    rows: list
    total: int
    total_label: str
    page: int
    pages: int


class UnitOption(TypedDict):
    id: str
    name: str
    kind: str
