"""Records of a demand's life: form options and dispatch suggestions, the lists and queues, one demand's detail."""

from __future__ import annotations

from typing import TypedDict

from portal.models.records.common import UnitOption


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


class DemandRow(TypedDict):
    id: int
    code: str
    title: str
    kind: str
    topic: str
    status: str
    channel: str  # 来源渠道
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
    scores: str  # the optional sub-scores, e.g. "办理时效5分 服务态度4分"
    appeal: str  # 申诉成立 (left out of the rates) | 申诉不成立 | 待复核 | ""


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


class RectificationRow(TypedDict):
    """One 差评整改 case on /staff/rectifications."""

    case_id: int
    demand_id: int
    code: str
    title: str
    unit: str
    satisfaction: str  # the 差评 that opened the case
    last_bad: str  # the latest 差评 of the case (the one a unit may appeal)
    status: str
    case_round: int
    due_at: str  # 整改期限
    overdue: bool
    report: str  # 整改情况
    reported_at: str
    on_time: str  # 按期 | 逾期 | ""
    rerating: str
    revisit: str  # 回访情况 (or "")
    appeal: str  # the appeal's status, or ""
    created_at: str


class RectificationPanel(TypedDict):
    """The selected case with what the viewer may do to it and its appeal."""

    row: RectificationRow
    actions: list[str]  # 提交整改情况 | 申诉复核 | 回访 | 复核申诉
    needs_rating: bool  # the 回访 records the re-rating too (the enterprise has not rated yet)
    appeal_deadline: str
    appeal_reason: str
    appeal_opinion: str
    appeal_files: list[AttachmentRow]
