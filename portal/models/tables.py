"""All tables of the domain (DESIGN §2–§6).

Conventions: integer surrogate keys; every instant is an aware UTC ``UTCDateTime``; status columns hold
the Chinese words of ``portal.models.enums``; rows that several people may change at once carry a
``version`` used for compare-and-set updates; rows the scheduler sweeps carry an indexed
``next_check_at``. These classes never leave the server: states expose the DTOs in ``portal.models.dto``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.core.clock import now
from portal.models.types import UTCDateTime


def _ts(*, index: bool = False, nullable: bool = True, default: bool = False):
    if default:
        return Field(default_factory=now, sa_type=UTCDateTime, nullable=False, index=index)
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


# ── organisation and accounts ────────────────────────────────────────────────────────────────


class Unit(SQLModel, table=True):
    """A 承办单位 or the 推进中心: 市直部门, 镇街, 园区, 推进中心, 兜底办 (flagged ``is_fallback``)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    kind: str = Field(max_length=20, index=True)
    parent_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    is_fallback: bool = Field(default=False)
    active: bool = Field(default=True)
    sort_order: int = Field(default=0)
    contact_phone: str = Field(default="", max_length=30)
    created_at: datetime = _ts(default=True)


class Enterprise(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    credit_code: str = Field(max_length=18, unique=True)
    # An admin may accept an early pilot code that fails the GB 32100-2015 check (DESIGN §9).
    credit_code_override: bool = Field(default=False)
    industry: str = Field(default="其他", max_length=50, index=True)
    scale: str = Field(default="小型", max_length=10)
    town_unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    address: str = Field(default="", max_length=200)
    contact_name: str = Field(max_length=50)
    contact_phone: str = Field(max_length=30)
    created_at: datetime = _ts(default=True)


class User(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(max_length=50, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20, index=True)
    display_name: str = Field(max_length=50)
    phone: str = Field(default="", max_length=30)
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    enterprise_id: Optional[int] = Field(default=None, foreign_key="enterprise.id", index=True)
    is_active: bool = Field(default=True)
    last_login_at: Optional[datetime] = _ts()
    created_at: datetime = _ts(default=True)


class UserSession(SQLModel, table=True):
    """A login. Only the SHA-256 of the random token is stored, so a leaked table opens nothing."""

    __tablename__ = "user_session"
    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = _ts(default=True)
    expires_at: datetime = _ts(nullable=False, index=True)
    last_seen_at: datetime = _ts(default=True)
    revoked_at: Optional[datetime] = _ts()
    user_agent: str = Field(default="", max_length=200)


class LoginThrottle(SQLModel, table=True):
    """Failed logins per typed username, kept whether or not the account exists, so that the lockout
    message (5 failures → 15 minutes) cannot be used to find out which usernames are real."""

    __tablename__ = "login_throttle"
    username: str = Field(primary_key=True, max_length=64)
    failures: int = Field(default=0)
    locked_until: Optional[datetime] = _ts()
    updated_at: datetime = _ts(default=True)


# ── catalogue, rules, calendar ──────────────────────────────────────────────────────────────


class Topic(SQLModel, table=True):
    """诉求事项 of the catalogue, grouped in 政策咨询类 / 业务办理类 / 要素保障类."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, unique=True)
    topic_class: str = Field(max_length=20)
    active: bool = Field(default=True)
    sort_order: int = Field(default=0)


class DispatchRule(SQLModel, table=True):
    """派单目录: topic → default lead unit, co-units, time-limit level, keywords."""

    __tablename__ = "dispatch_rule"
    id: Optional[int] = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", unique=True)
    lead_unit_id: int = Field(foreign_key="unit.id")
    co_unit_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    level: str = Field(default="一般", max_length=10)
    keywords: str = Field(default="", max_length=500)


class TimeLimitRule(SQLModel, table=True):
    """Working days per level (即时 counts 0: end of the same working day)."""

    __tablename__ = "time_limit_rule"
    id: Optional[int] = Field(default=None, primary_key=True)
    level: str = Field(max_length=10, unique=True)
    working_days: int
    description: str = Field(default="", max_length=200)


class Holiday(SQLModel, table=True):
    """One day that differs from the Mon–Fri rule: a holiday (``is_workday`` false) or a 调休 workday."""

    day: date = Field(primary_key=True)
    year: int = Field(index=True)
    is_workday: bool
    name: str = Field(default="", max_length=50)
    source: str = Field(default="chinesecalendar", max_length=20)  # chinesecalendar | admin
    updated_at: datetime = _ts(default=True)


class CalendarYear(SQLModel, table=True):
    """Whether a year's holiday arrangement is official (seeded or entered) or only estimated."""

    __tablename__ = "calendar_year"
    year: int = Field(primary_key=True)
    official: bool = Field(default=False)
    source: str = Field(default="", max_length=20)
    updated_at: datetime = _ts(default=True)


# ── demands and their handling ─────────────────────────────────────────────────────────────


class DemandCodeSequence(SQLModel, table=True):
    """Daily counter for demand codes (QS + yyyymmdd + 4 digits), bumped with a conditional UPDATE."""

    __tablename__ = "demand_code_sequence"
    day: str = Field(primary_key=True, max_length=8)
    last_value: int = Field(default=0)


class Demand(SQLModel, table=True):
    __table_args__ = (
        # Lists order by (created_at, id): with id in the index a page is read straight off it, no sort.
        Index("ix_demand_status_created", "status", "created_at", "id"),
        Index("ix_demand_enterprise_created", "enterprise_id", "created_at", "id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    enterprise_id: int = Field(foreign_key="enterprise.id")
    submitted_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    channel: str = Field(default="线上提交", max_length=20)
    kind: str = Field(max_length=10)
    topic_id: Optional[int] = Field(default=None, foreign_key="topic.id")
    title: str = Field(max_length=50)
    content: str = Field(sa_column=Column(Text, nullable=False))
    suggested_unit_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    contact_name: str = Field(max_length=50)
    contact_phone: str = Field(max_length=30)
    status: str = Field(max_length=10, index=True)
    round: int = Field(default=1)
    lead_unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    level: Optional[str] = Field(default=None, max_length=10)
    due_at: Optional[datetime] = _ts(index=True)
    reject_reason: str = Field(default="", max_length=500)
    instant_answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    rate_due_at: Optional[datetime] = _ts()
    closed_unrated: bool = Field(default=False)
    created_at: datetime = _ts(default=True)
    updated_at: datetime = _ts(default=True)
    closed_at: Optional[datetime] = _ts()
    # Bigram tokens of title + content for full-text search (DESIGN §9).
    search_tokens: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    version: int = Field(default=1)


class WorkOrder(SQLModel, table=True):
    """One per unit per round. The lead (主办) replies; co-units (协办) give an opinion to the lead."""

    __tablename__ = "work_order"
    # Not unique per (demand, unit, round): a unit that returned an order may get the demand again
    # after the dispatcher re-routes it; the demand's version check keeps one live order per unit.
    __table_args__ = (Index("ix_work_order_unit_status", "unit_id", "status"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    order_role: str = Field(max_length=10)  # 主办 | 协办
    round: int = Field(default=1)
    status: str = Field(max_length=10)
    level: str = Field(max_length=10)
    dispatched_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    dispatched_at: datetime = _ts(default=True)
    sign_due_at: datetime = _ts(nullable=False)
    signed_at: Optional[datetime] = _ts()
    signed_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    due_at: datetime = _ts(nullable=False)
    original_due_at: datetime = _ts(nullable=False)
    due_reason: str = Field(default="", max_length=100)
    returned_at: Optional[datetime] = _ts()
    return_kind: str = Field(default="", max_length=20)
    return_reason: str = Field(default="", max_length=500)
    feedback_at: Optional[datetime] = _ts()
    reply_content: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    solve_method: str = Field(default="", max_length=200)
    solved: Optional[bool] = Field(default=None)
    co_opinion: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    suspected_false_feedback: bool = Field(default=False)
    next_check_at: Optional[datetime] = _ts(index=True)
    version: int = Field(default=1)


class ExtensionRequest(SQLModel, table=True):
    __tablename__ = "extension_request"
    id: Optional[int] = Field(default=None, primary_key=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    requested_by_id: int = Field(foreign_key="user.id")
    reason: str = Field(max_length=500)
    requested_due_at: datetime = _ts(nullable=False)
    status: str = Field(default="待审批", max_length=10, index=True)
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_at: Optional[datetime] = _ts()
    decision_note: str = Field(default="", max_length=500)
    created_at: datetime = _ts(default=True)


class TimelineEvent(SQLModel, table=True):
    """Every action on a demand, hash-chained per demand so an edited row is detectable."""

    __tablename__ = "timeline_event"
    __table_args__ = (UniqueConstraint("demand_id", "seq", name="uq_timeline_demand_seq"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id")
    seq: int
    actor_id: Optional[int] = Field(default=None, foreign_key="user.id")
    actor_label: str = Field(default="", max_length=100)
    action: str = Field(max_length=30)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts(default=True)
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(max_length=64)


class Attachment(SQLModel, table=True):
    """A private file. Bytes live under PORTAL_PRIVATE_UPLOAD_DIR, served only by an authorised route."""

    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: Optional[int] = Field(default=None, foreign_key="demand.id", index=True)
    work_order_id: Optional[int] = Field(default=None, foreign_key="work_order.id", index=True)
    purpose: str = Field(default="诉求附件", max_length=20)  # 诉求附件 | 办理附件 | 审核反馈表
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=100, unique=True)
    created_at: datetime = _ts(default=True)


class Rating(SQLModel, table=True):
    """满意度评价, one per demand per round (一事一评)."""

    __table_args__ = (UniqueConstraint("demand_id", "round", name="uq_rating_demand_round"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    round: int
    satisfaction: str = Field(max_length=10)
    contacted: bool
    comment: str = Field(default="", max_length=1000)
    source: str = Field(default="线上评价", max_length=10)  # 线上评价 | 电话回访
    rated_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    lead_unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    created_at: datetime = _ts(default=True)


class RevisitTask(SQLModel, table=True):
    __tablename__ = "revisit_task"
    __table_args__ = (UniqueConstraint("demand_id", "round", name="uq_revisit_demand_round"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id")
    round: int
    status: str = Field(default="待回访", max_length=10, index=True)
    attempts: int = Field(default=0)
    last_attempt_note: str = Field(default="", max_length=500)
    created_at: datetime = _ts(default=True)
    completed_at: Optional[datetime] = _ts()


class Verification(SQLModel, table=True):
    """办结核查 after the second 不满意: the unit's signed form, then the 专班's opinion."""

    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    round: int
    form_attachment_id: Optional[int] = Field(default=None, foreign_key="attachment.id")
    unit_note: str = Field(default="", max_length=1000)
    opinion: str = Field(default="", max_length=1000)
    decision: str = Field(default="", max_length=10)  # '' | 核查办结 | 重办
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_at: Optional[datetime] = _ts()
    created_at: datetime = _ts(default=True)


class Notification(SQLModel, table=True):
    """In-app message to one user, or to every user of a unit. ``unique_key`` makes sending idempotent."""

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: Optional[int] = Field(default=None, foreign_key="user.id")
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    kind: str = Field(max_length=20)
    title: str = Field(max_length=100)
    body: str = Field(default="", max_length=1000)
    link: str = Field(default="", max_length=200)
    unique_key: str = Field(max_length=120, unique=True)
    created_at: datetime = _ts(default=True)
    read_at: Optional[datetime] = _ts()


# ── supervision ─────────────────────────────────────────────────────────────────────────────


class SupervisionNotice(SQLModel, table=True):
    """预警 / 超期催办 / 签收超时 / 协办超时 / manual 催办, once per (work order, kind, round)."""

    __tablename__ = "supervision_notice"
    id: Optional[int] = Field(default=None, primary_key=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=20)
    round: int
    message: str = Field(default="", max_length=500)
    unique_key: str = Field(max_length=120, unique=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = _ts(default=True)


class Card(SQLModel, table=True):
    """黄牌/红牌 of a unit in a month (seed 001's ladder: every 2nd yellow → red, every 2nd red → 约谈)."""

    __table_args__ = (Index("ix_card_unit_month", "unit_id", "month"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    month: str = Field(max_length=7)  # YYYY-MM in the configured zone
    color: str = Field(max_length=10)
    reason: str = Field(default="", max_length=500)
    work_order_id: Optional[int] = Field(default=None, foreign_key="work_order.id")
    unique_key: str = Field(max_length=120, unique=True)
    created_at: datetime = _ts(default=True)


class BulletinSnapshot(SQLModel, table=True):
    """一月一通报: the figures of every unit for a closed period, frozen when the month ends."""

    __tablename__ = "bulletin_snapshot"
    __table_args__ = (UniqueConstraint("period", "unit_id", name="uq_bulletin_period_unit"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    period: str = Field(max_length=10)
    unit_id: int = Field(foreign_key="unit.id")
    figures: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts(default=True)


# ── policies and visits ─────────────────────────────────────────────────────────────────────


class Policy(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    doc_number: str = Field(default="", max_length=100)
    issuer: str = Field(default="", max_length=100)
    published_on: Optional[date] = Field(default=None, index=True)
    effective_from: Optional[date] = Field(default=None)
    effective_to: Optional[date] = Field(default=None, index=True)
    summary: str = Field(default="", max_length=1000)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    interpretation: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    guide: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    status: str = Field(default="草稿", max_length=10, index=True)
    search_tokens: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = _ts(default=True)
    updated_at: datetime = _ts(default=True)


class PolicyTag(SQLModel, table=True):
    __tablename__ = "policy_tag"
    __table_args__ = (
        UniqueConstraint("policy_id", "kind", "value", name="uq_policy_tag"),
        Index("ix_policy_tag_kind_value", "kind", "value"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    policy_id: int = Field(foreign_key="policy.id", index=True)
    kind: str = Field(max_length=10)  # 行业 | 规模 | 区域 | 主题
    value: str = Field(max_length=50)


class DemandPolicy(SQLModel, table=True):
    """Policies cited by an instant answer."""

    __tablename__ = "demand_policy"
    demand_id: int = Field(foreign_key="demand.id", primary_key=True)
    policy_id: int = Field(foreign_key="policy.id", primary_key=True)


class Visit(SQLModel, table=True):
    """走访记录: a visit to an enterprise by the 专班 or a unit."""

    id: Optional[int] = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    visitor_id: Optional[int] = Field(default=None, foreign_key="user.id")
    channel: str = Field(default="走访征询", max_length=20)
    visited_on: date
    summary: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _ts(default=True)
