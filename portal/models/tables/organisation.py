"""Units, accounts and sessions; the dispatch catalogue, time-limit rules and the holiday calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from portal.models.tables.base import timestamp_field

# ── organisation and accounts ────────────────────────────────────────────────────────────────


class Unit(SQLModel, table=True):
    """A 承办单位 or the 推进中心: 市直部门, 镇街, 园区, 推进中心, 兜底办 (flagged ``is_fallback``)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    code: Optional[str] = Field(default=None, max_length=30, unique=True, index=True)
    kind: str = Field(max_length=20, index=True)
    parent_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    is_fallback: bool = Field(default=False)
    active: bool = Field(default=True)
    sort_order: int = Field(default=0)
    contact_phone: str = Field(default="", max_length=30)
    contact_name: str = Field(default="", max_length=50)
    created_at: datetime = timestamp_field(default=True)


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
    # 1+1+X (seed 003): its 镇街 is ``town_unit_id``; its 行业主管部门 and its named 服务专员 (a staff account).
    industry_unit_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    # ``use_alter``: user.enterprise_id points back here; the ALTER-added key keeps table ordering acyclic.
    service_user_id: Optional[int] = Field(
        default=None, sa_column=Column(sa.Integer, sa.ForeignKey("user.id", use_alter=True), nullable=True)
    )
    # The enterprise file (企业档案): 经营情况, 困难, 发展计划 as staff record them.
    operations: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    difficulties: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    development_plans: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # Set when staff created the record (新增企业) for an enterprise without an account.
    created_by_id: Optional[int] = Field(
        default=None, sa_column=Column(sa.Integer, sa.ForeignKey("user.id", use_alter=True), nullable=True)
    )
    created_at: datetime = timestamp_field(default=True)
    updated_at: Optional[datetime] = timestamp_field()
    version: int = Field(default=1)


class User(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(max_length=50, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20, index=True)
    display_name: str = Field(max_length=50)
    phone: str = Field(default="", max_length=30)
    # Where 邮件 notices go (issue #27, migration 0025); "" for none. Lower case, checked on entry.
    email: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    enterprise_id: Optional[int] = Field(default=None, foreign_key="enterprise.id", index=True)
    is_active: bool = Field(default=True)
    last_login_at: Optional[datetime] = timestamp_field()
    # A login lock on this account began at locked_at; an admin lifting it sets unlocked_at, and locks
    # counted before that no longer hold (portal.services.accounts.sessions.login).
    locked_at: Optional[datetime] = timestamp_field()
    unlocked_at: Optional[datetime] = timestamp_field()
    # Set when someone else made the password (an admin's reset, an admin-created staff account, 账号认领):
    # every page sends the user to 修改密码 until they choose their own (migration 0018).
    must_change_password: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = timestamp_field(default=True)


class UserSession(SQLModel, table=True):
    """A login. Only the SHA-256 of the random token is stored, so a leaked table opens nothing. A
    browser login first gets a one-time ticket (60 s), exchanged over HTTP for the HttpOnly cookie."""

    __tablename__ = "user_session"
    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = timestamp_field(default=True)
    expires_at: datetime = timestamp_field(nullable=False, index=True)
    last_seen_at: datetime = timestamp_field(default=True)
    revoked_at: Optional[datetime] = timestamp_field()
    user_agent: str = Field(default="", max_length=200)
    ticket_hash: Optional[str] = Field(default=None, max_length=64, unique=True)
    ticket_expires_at: Optional[datetime] = timestamp_field()


class Throttle(SQLModel, table=True):
    """Failure counters for login and registration (``portal.services.accounts.throttle``). The key is a kind
    and a hash of what is counted (a typed username, a client address, or both), so the table neither
    reveals which usernames are real nor keeps client addresses in clear."""

    __tablename__ = "throttle"
    key: str = Field(primary_key=True, max_length=64)
    failures: int = Field(default=0)
    locked_until: Optional[datetime] = timestamp_field()
    updated_at: datetime = timestamp_field(default=True, index=True)


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


class AdmittedCreditCode(SQLModel, table=True):
    """An early pilot 统一社会信用代码 that fails the GB 32100-2015 check, admitted by an admin (DESIGN §9):
    registration accepts exactly this code and marks the enterprise ``credit_code_override``."""

    __tablename__ = "admitted_credit_code"
    id: Optional[int] = Field(default=None, primary_key=True)
    credit_code: str = Field(max_length=18, unique=True)
    reason: str = Field(max_length=500)
    created_at: datetime = timestamp_field(default=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="user.id")


class CatalogueChange(SQLModel, table=True):
    """One version of the 派单目录: every saved topic change bumps the catalogue's version by one (the
    seeded catalogue is version 1). ``before``/``after`` hold the topic's labelled fields, so a topic's
    history reads who, when, old → new; a dispatch records the version that suggested it."""

    __tablename__ = "catalogue_change"
    id: Optional[int] = Field(default=None, primary_key=True)
    version: int = Field(unique=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)
    created_at: datetime = timestamp_field(default=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="user.id")
    actor_label: str = Field(default="", max_length=100)
    before: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    after: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


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
    updated_at: datetime = timestamp_field(default=True)


class CalendarYear(SQLModel, table=True):
    """Whether a year's holiday arrangement is official (seeded or entered) or only estimated."""

    __tablename__ = "calendar_year"
    year: int = Field(primary_key=True)
    official: bool = Field(default=False)
    source: str = Field(default="", max_length=20)
    updated_at: datetime = timestamp_field(default=True)


class AuditEntry(SQLModel, table=True):
    """Who did what to accounts and settings, outside any demand's timeline (an account reassigned to
    the real enterprise, and later every /admin change). Append-only; shown under /admin."""

    __tablename__ = "audit_entry"
    id: Optional[int] = Field(default=None, primary_key=True)
    created_at: datetime = timestamp_field(default=True, index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="user.id")
    actor_label: str = Field(default="", max_length=100)
    action: str = Field(max_length=40)
    target: str = Field(default="", max_length=200)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
