"""Records the policy pages expose: search rows with marked words, facets, a policy's page, the editors' list."""

from __future__ import annotations

from typing import TypedDict


class TextPart(TypedDict):
    """A piece of a title or summary; ``hit`` marks a matched word (drawn highlighted)."""

    text: str
    hit: bool


class PolicyRow(TypedDict):
    id: int
    title: str
    title_parts: list[TextPart]
    summary_parts: list[TextPart]
    issuer: str
    doc_number: str
    published_on: str
    status: str
    tags: str


class PolicyPage(TypedDict):
    rows: list[PolicyRow]
    total: int
    page: int
    pages: int
    suggestions: list[str]


class PolicyFacets(TypedDict):
    issuers: list[str]
    industries: list[str]
    scales: list[str]
    topics: list[str]


class PolicyDetail(TypedDict):
    id: int
    title: str
    doc_number: str
    issuer: str
    published_on: str
    effective: str
    status: str
    summary: str
    body: str
    interpretation: str
    guide: str
    tags: str


class PolicyLink(TypedDict):
    id: int
    title: str
    reason: str


class PolicyAdminRow(TypedDict):
    id: int
    title: str
    issuer: str
    status: str
    published_on: str
    updated_at: str


class PolicyFile(TypedDict):
    id: int
    name: str
    size_kb: int


class PolicyBrief(TypedDict):
    """A policy in the home page's 最新政策: title, 发布部门, 发布日期."""

    id: int
    title: str
    issuer: str
    published_on: str
