"""Records the supervision board, the reports page and the bulletins expose."""

from __future__ import annotations

from typing import TypedDict


class UnitFigures(TypedDict):
    """One unit's figures for a period (DESIGN §4; rates are shown as text, "—" when undefined)."""

    rank: int
    unit_id: int
    unit: str
    received: int
    signed_on_time: int
    closed: int
    closed_on_time: int
    overdue: int
    returned: int
    promised_days: str
    avg_days: str
    max_days: int
    rated: int
    satisfied: int
    sign_rate: str
    close_rate: str
    satisfaction_rate: str
    yellow: int
    red: int
    consultations: str  # a 镇街's 征询 (visits + meetings) in the period; "—" for other units (issue #22)
    # 好差评 (issue #23, services/supervision/rating_figures.py)
    bad: int
    bad_rate: str
    excluded: int  # ratings whose appeal was upheld (申诉成立), out of the rates
    default_good: int  # 默认好评, reported apart
    score_time: str
    score_result: str
    score_attitude: str
    rectifications: int
    rectified: int
    rectify_due: int
    rectified_on_time: int
    rectify_rate: str  # 整改按期率
    revisited: int
    revisit_rate: str  # 差评回访率
    appeals: int
    appeals_upheld: int


class BoardUnit(TypedDict):
    unit_id: int
    unit: str
    kind: str
    color: str  # 绿牌 | 黄牌 | 红牌
    yellow: int
    red: int
    interviews: int
    overdue: int
    pending: int


class OverdueRow(TypedDict):
    order_id: int
    demand_id: int
    code: str
    title: str
    unit: str
    order_role: str
    due_at: str
    days_overdue: int
    urged: int
    urged_this_workday: bool  # 催办 is once per order per working day


class SupervisionNoticeRow(TypedDict):
    notice_id: int
    at: str
    unit: str
    kind: str
    code: str
    title: str
    demand_id: int
    message: str
    read: bool


class CardRow(TypedDict):
    card_id: int
    unit: str
    month: str
    color: str
    reason: str
    at: str
    revoked: bool
    revoke_reason: str


class SuspectRow(TypedDict):
    order_id: int
    demand_id: int
    code: str
    title: str
    unit: str
    feedback_at: str


class BulletinRow(TypedDict):
    period: str
    units: int
    taken_at: str


class PeriodSummary(TypedDict):
    """The public figures of a period (home page). Rates are numbers without their "%" and "—" when
    undefined, so a tile can show the number big and the unit beside it."""

    label: str  # 本月 | 本年
    period: str  # 2026年3月 | 2026年
    received: int
    closed: int
    close_rate: str
    satisfaction_rate: str
    avg_days: str
    rectify_rate: str  # 差评整改率: 差评整改 cases fed back / cases


class MonthPoint(TypedDict):
    month: str
    received: int
    closed: int


class CountPoint(TypedDict):
    """Demands received in a period under one name (a topic class, a topic, a channel), and how many of
    them are closed."""

    name: str
    received: int
    closed: int


class LimitPromise(TypedDict):
    """One line of the public time-limit promise (办理时限): what, and within how long."""

    what: str
    limit: str
