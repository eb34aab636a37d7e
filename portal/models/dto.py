"""What the UI may see (DESIGN §8). Services return these records and states declare their vars with
them; table rows never leave the server. Every field is display-ready (dates already formatted)."""

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


# ── people and navigation ───────────────────────────────────────────────────────────────────


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
    is_active: bool
    locked: bool
    created_at: str


class NavItem(TypedDict):
    route: str
    label: str
    icon: str


class ProfileField(TypedDict):
    label: str
    value: str


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


class YearStatus(TypedDict):
    year: int
    official: bool
    holidays: int
    workdays: int
    note: str


# ── form options ────────────────────────────────────────────────────────────────────────────


class UnitOption(TypedDict):
    id: str
    name: str
    kind: str


class TopicOption(TypedDict):
    """A catalogue topic with the dispatch suggestion of the 派单目录 (unit ids as strings, co-units joined by ",")."""

    id: str
    name: str
    topic_class: str
    lead: str
    co: str
    level: str


class FormOptions(TypedDict):
    topics: list[TopicOption]
    units: list[UnitOption]


class DispatchSuggestion(TypedDict):
    lead: str
    co: str
    level: str


class KeywordSuggestion(TypedDict):
    """A topic whose 派单目录 keywords match the demand's text better than the topic the enterprise chose."""

    topic_id: str
    topic: str
    lead: str
    lead_name: str
    co: str
    level: str
    matched: str  # the matched keywords, joined by "、"


class UnitChoice(TypedDict):
    """A unit in the dispatch form, with whether the catalogue suggests it as a co-unit."""

    id: str
    name: str
    kind: str
    suggested_co: bool


# ── lists ───────────────────────────────────────────────────────────────────────────────────


class DemandRow(TypedDict):
    id: int
    code: str
    title: str
    kind: str
    topic: str
    status: str
    enterprise_name: str
    lead_unit: str
    created_at: str
    due_at: str
    days_left: str
    overdue: bool


class OrderRow(TypedDict):
    order_id: int
    demand_id: int
    code: str
    title: str
    enterprise_name: str
    order_role: str
    status: str
    level: str
    sign_due_at: str
    due_at: str
    days_left: str
    overdue: bool


class Page(TypedDict):
    """One page of a server-paged list; ``total_label`` shows capped counts as "1000+"."""

    rows: list
    total: int
    total_label: str
    page: int
    pages: int


class ExtensionRow(TypedDict):
    request_id: int
    demand_id: int
    code: str
    title: str
    unit: str
    reason: str
    current_due: str
    requested_due: str
    created_at: str


class RevisitRow(TypedDict):
    task_id: int
    demand_id: int
    code: str
    title: str
    enterprise_name: str
    contact: str
    attempts: int
    created_at: str


class VerificationRow(TypedDict):
    demand_id: int
    code: str
    title: str
    unit: str
    form_uploaded: bool
    created_at: str


# ── one demand ──────────────────────────────────────────────────────────────────────────────


class DemandInfo(TypedDict):
    id: int
    code: str
    title: str
    content: str
    kind: str
    topic: str
    topic_id: str
    status: str
    round: int
    channel: str
    enterprise_name: str
    contact: str
    suggested_unit: str
    lead_unit: str
    level: str
    created_at: str
    due_at: str
    days_left: str
    overdue: bool
    instant_answer: str
    reject_reason: str
    closed_unrated: bool


class TimelineRow(TypedDict):
    seq: int
    at: str
    who: str
    action: str
    detail: str


class OrderCard(TypedDict):
    order_id: int
    round: int
    unit: str
    order_role: str
    status: str
    level: str
    due_at: str
    original_due_at: str
    due_reason: str
    days_left: str
    overdue: bool
    reply: str
    method: str
    solved: str
    co_opinion: str
    return_reason: str
    false_flag: bool


class AttachmentRow(TypedDict):
    id: int
    filename: str
    purpose: str
    size: str
    url: str


class RatingRow(TypedDict):
    round: int
    satisfaction: str
    contacted: str
    comment: str
    source: str
    at: str


class ExtensionCard(TypedDict):
    request_id: int
    reason: str
    requested_due: str
    status: str
    note: str
    unit: str


class VerificationInfo(TypedDict):
    exists: bool
    form_uploaded: bool
    opinion: str
    unit_note: str


class CitedPolicy(TypedDict):
    """A policy an instant answer cited (a link to its public page)."""

    id: int
    title: str


class DemandDetail(TypedDict):
    """Everything the detail page shows, plus the ids its actions need (kept server-side by the state)."""

    demand: DemandInfo
    timeline: list[TimelineRow]
    orders: list[OrderCard]
    attachments: list[AttachmentRow]
    ratings: list[RatingRow]
    extensions: list[ExtensionCard]
    verification: VerificationInfo
    policies: list[CitedPolicy]
    actions: list[str]
    my_order_id: int
    pending_extension_id: int
    revisit_task_id: int


class EnterpriseAccountRow(TypedDict):
    username: str
    display_name: str
    is_active: bool


class ClaimableEnterprise(TypedDict):
    """An enterprise found by its 统一社会信用代码 for 账号认领 (staff only)."""

    name: str
    credit_code: str
    contact_name: str
    accounts: list[EnterpriseAccountRow]


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
