"""Demands and everything that happens to them: work orders, extensions, the timeline, files, ratings,
revisits, verifications and notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.enums import Channel
from portal.models.tables.base import timestamp_field

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
        # The unfiltered staff list (newest first): walked backwards, no sort of the whole table per page.
        Index("ix_demand_created", "created_at", "id"),
        # The revisit sweep: demands still 待评价 past their rating window.
        Index("ix_demand_status_rate_due", "status", "rate_due_at"),
        # The nightly grouping (一类问题): one topic's demands of the last 90 days.
        Index("ix_demand_topic_created", "topic_id", "created_at"),
        # 类似诉求 (migration 0023): PostgreSQL ANDs it with the full-text bitmap, so only the matches of one
        # 诉求事项 are read from the table.
        Index("ix_demand_topic", "topic_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    enterprise_id: int = Field(foreign_key="enterprise.id")
    submitted_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    channel: str = Field(default=Channel.ONLINE, max_length=20)
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
    # The 派单目录 version whose suggestion the dispatcher saw when dispatching (issue #12).
    catalogue_version: Optional[int] = Field(default=None)
    due_at: Optional[datetime] = timestamp_field(index=True)
    reject_reason: str = Field(default="", max_length=500)
    instant_answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    rate_due_at: Optional[datetime] = timestamp_field()
    closed_unrated: bool = Field(default=False)
    created_at: datetime = timestamp_field(default=True)
    updated_at: datetime = timestamp_field(default=True)
    closed_at: Optional[datetime] = timestamp_field()
    # Bigram tokens of title + content for full-text search (DESIGN §9).
    search_tokens: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # A 台账导入 row's fingerprint (portal.services.ledgers.imports): the same row imported twice is skipped.
    import_fingerprint: Optional[str] = Field(default=None, max_length=64, unique=True, index=True)
    # 需求计划台账 (seed 000): a demand from a visit or meeting may carry its horizon (``PlanHorizon``).
    plan_horizon: Optional[str] = Field(default=None, max_length=10, index=True)
    version: int = Field(default=1)


class WorkOrder(SQLModel, table=True):
    """One per unit per round. The lead (主办) replies; co-units (协办) give an opinion to the lead."""

    __tablename__ = "work_order"
    # Not unique per (demand, unit, round): a unit that returned an order may get the demand again
    # after the dispatcher re-routes it; the demand's version check keeps one live order per unit.
    __table_args__ = (
        Index("ix_work_order_unit_status", "unit_id", "status"),
        Index("ix_work_order_status_due", "status", "due_at"),  # the supervision board's overdue list
        Index("ix_work_order_dispatched", "dispatched_at"),  # figures per period
        # a demand's latest lead order, probed once per demand by the ledgers (migration 0030)
        Index("ix_work_order_demand_role", "demand_id", "order_role", "id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    order_role: str = Field(max_length=10)  # 主办 | 协办
    round: int = Field(default=1)
    status: str = Field(max_length=10)
    level: str = Field(max_length=10)
    dispatched_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    dispatched_at: datetime = timestamp_field(default=True)
    sign_due_at: datetime = timestamp_field(nullable=False)
    signed_at: Optional[datetime] = timestamp_field()
    signed_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    due_at: datetime = timestamp_field(nullable=False)
    original_due_at: datetime = timestamp_field(nullable=False)
    due_reason: str = Field(default="", max_length=100)
    returned_at: Optional[datetime] = timestamp_field()
    return_kind: str = Field(default="", max_length=20)
    return_reason: str = Field(default="", max_length=500)
    feedback_at: Optional[datetime] = timestamp_field()
    reply_content: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    solve_method: str = Field(default="", max_length=200)
    solved: Optional[bool] = Field(default=None)
    co_opinion: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    suspected_false_feedback: bool = Field(default=False)
    next_check_at: Optional[datetime] = timestamp_field(index=True)
    version: int = Field(default=1)
    # Working days from dispatch to feedback, fixed when the reply is given (figures: 实际用时).
    working_days_used: Optional[int] = Field(default=None)
    # The working days its deadline counts, fixed at dispatch: a later change of the rules never moves a
    # running order, and a calendar change recounts it with the limit it was given.
    limit_days: Optional[int] = Field(default=None)


class ExtensionRequest(SQLModel, table=True):
    __tablename__ = "extension_request"
    id: Optional[int] = Field(default=None, primary_key=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    requested_by_id: int = Field(foreign_key="user.id")
    reason: str = Field(max_length=500)
    requested_due_at: datetime = timestamp_field(nullable=False)
    status: str = Field(default="待审批", max_length=10, index=True)
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_at: Optional[datetime] = timestamp_field()
    decision_note: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field(default=True)


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
    # Decided by the service that writes the event: "public" events are shown to the enterprise with
    # ``public_detail`` (which may be a gentler wording than ``detail``); "staff" events only to staff.
    visibility: str = Field(default="staff", max_length=10)
    public_detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp_field(default=True)
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(max_length=64)


class Attachment(SQLModel, table=True):
    """A private file. Bytes live under PORTAL_PRIVATE_UPLOAD_DIR, served only by an authorised route."""

    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: Optional[int] = Field(default=None, foreign_key="demand.id", index=True)
    work_order_id: Optional[int] = Field(default=None, foreign_key="work_order.id", index=True)
    policy_id: Optional[int] = Field(default=None, foreign_key="policy.id", index=True)  # a policy's 原件
    purpose: str = Field(default="诉求附件", max_length=20)  # 诉求附件 | 办理附件 | 审核反馈表 | 申诉材料 | 政策原件
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=100, unique=True)
    created_at: datetime = timestamp_field(default=True)


class Rating(SQLModel, table=True):
    """满意度评价, one per demand per round (一事一评)."""

    __table_args__ = (
        UniqueConstraint("demand_id", "round", name="uq_rating_demand_round"),
        Index("ix_rating_created", "created_at"),  # the figures' roll-up reads a day's ratings
        Index("ix_rating_demand_latest", "demand_id", "id"),  # a demand's latest rating (ledgers, migration 0030)
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    round: int
    satisfaction: str = Field(max_length=10)
    contacted: bool
    comment: str = Field(default="", max_length=1000)
    source: str = Field(default="线上评价", max_length=10)  # 线上评价 | 电话回访 | 默认好评
    rated_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    lead_unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    created_at: datetime = timestamp_field(default=True)
    # Optional sub-scores 1–5 (办理时效, 办理结果, 服务态度), averaged in the reports.
    score_time: Optional[int] = Field(default=None)
    score_result: Optional[int] = Field(default=None)
    score_attitude: Optional[int] = Field(default=None)
    # 申诉成立: the rating stays visible but is left out of 满意率 and 差评率.
    excluded: bool = Field(default=False)


class Rectification(SQLModel, table=True):
    """差评整改: one case per demand's 差评 chain. The first 差评 opens it with a 重办 round (its 整改期限 is
    that round's due date); a later 差评 is the case's second round (办结核查). Closed after the centre's
    回访 once the demand is closed."""

    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    rating_id: int = Field(foreign_key="rating.id", unique=True)  # the 差评 that opened the case
    last_bad_rating_id: int = Field(foreign_key="rating.id")  # the latest 差评 of the case (the one appealed)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    status: str = Field(max_length=10, index=True)  # RectificationStatus
    case_round: int = Field(default=1)
    order_id: Optional[int] = Field(default=None, foreign_key="work_order.id")  # the current 重办 order
    due_at: datetime = timestamp_field(nullable=False)  # 整改期限
    report: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # 整改情况
    reported_at: Optional[datetime] = timestamp_field()
    on_time: Optional[bool] = Field(default=None)  # first 整改情况 by the 整改期限
    rerating: str = Field(default="", max_length=10)  # the enterprise's rating after the rectification
    revisit_note: str = Field(default="", max_length=1000)
    revisited_at: Optional[datetime] = timestamp_field()
    revisited_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = timestamp_field(default=True)
    closed_at: Optional[datetime] = timestamp_field()


class RatingAppeal(SQLModel, table=True):
    """申诉复核: the lead unit asks the centre to set aside a 差评 (one appeal per rating)."""

    __tablename__ = "rating_appeal"
    id: Optional[int] = Field(default=None, primary_key=True)
    rating_id: int = Field(foreign_key="rating.id", unique=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    reason: str = Field(max_length=1000)
    status: str = Field(default="待复核", max_length=10, index=True)  # AppealStatus
    opinion: str = Field(default="", max_length=1000)
    submitted_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = timestamp_field(default=True)
    decided_at: Optional[datetime] = timestamp_field()


class RevisitTask(SQLModel, table=True):
    __tablename__ = "revisit_task"
    __table_args__ = (UniqueConstraint("demand_id", "round", name="uq_revisit_demand_round"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id")
    round: int
    status: str = Field(default="待回访", max_length=10, index=True)
    attempts: int = Field(default=0)
    last_attempt_note: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field(default=True)
    completed_at: Optional[datetime] = timestamp_field()


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
    decided_at: Optional[datetime] = timestamp_field()
    created_at: datetime = timestamp_field(default=True)


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
    created_at: datetime = timestamp_field(default=True)
    read_at: Optional[datetime] = timestamp_field()
