"""Records of the enterprise file and of demands gathered by people (issue #22)."""

from __future__ import annotations

from typing import TypedDict


class EnterpriseChoice(TypedDict):
    """One line of the as-you-type enterprise lookup (代企业登记诉求, 新增走访, 新增会议)."""

    id: int
    name: str
    credit_code: str
    town_name: str


class EnterpriseRow(TypedDict):
    """One line of 企业台账 (/staff/enterprises)."""

    id: int
    name: str
    credit_code: str
    town_name: str
    industry: str
    scale: str
    contact: str
    account: str  # 已注册 / 未注册


class FileDemandRow(TypedDict):
    """One of the enterprise's demands on its file: status and 来源渠道; ``linkable`` when the viewer may open it."""

    id: int
    code: str
    title: str
    status: str
    channel: str
    plan_horizon: str
    created_at: str
    linkable: bool


class FileVisitRow(TypedDict):
    visited_on: str
    unit: str
    visitors: str
    summary: str


class FileMeetingRow(TypedDict):
    held_on: str
    kind: str
    title: str
    unit: str


class EnterpriseFile(TypedDict):
    """企业档案: the profile, 1+1+X, the staff's notes and what was gathered about the enterprise."""

    id: int
    version: int
    name: str
    credit_code: str
    town_unit_id: str
    town_name: str
    industry: str
    scale: str
    address: str
    contact_name: str
    contact_phone: str
    industry_unit_id: str
    industry_unit_name: str
    service_user_id: str
    service_user_name: str
    operations: str
    difficulties: str
    development_plans: str
    account: str
    created_at: str
    updated_at: str
    can_edit: bool
    can_edit_town: bool
    demands: list[FileDemandRow]
    visits: list[FileVisitRow]
    meetings: list[FileMeetingRow]
    plans: list[FileDemandRow]


class StaffOption(TypedDict):
    """A staff account that may be named 服务专员: "单位·姓名"."""

    id: str
    name: str


class TrackEvent(TypedDict):
    at: str
    who: str
    action: str
    detail: str


class TrackResult(TypedDict):
    """What 进度查询 shows for a right pair: the status and the public timeline (units, never staff names)."""

    code: str
    title: str
    status: str
    channel: str
    created_at: str
    events: list[TrackEvent]
