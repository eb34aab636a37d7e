"""Records of demands gathered by people (issue #22): 走访记录, 座谈会, their problems, 本周征询 and the
需求计划台账. Staff-only: none of them is ever given to an enterprise."""

from __future__ import annotations

from typing import TypedDict


class ProblemRow(TypedDict):
    """One 发现问题 of a visit or 意见建议 of a meeting, and the demand it became (``demand_id`` 0: not yet)."""

    id: int
    position: int
    text: str
    enterprise_id: int
    enterprise: str
    unit: str  # a meeting's suggestion: the department it is addressed to
    demand_id: int
    demand_code: str
    demand_status: str
    plan_horizon: str
    link: str


class VisitRow(TypedDict):
    id: int
    visited_on: str
    enterprise_id: int
    enterprise: str
    unit: str
    visitors: str
    summary: str
    problems: int
    demands: int


class MeetingRow(TypedDict):
    id: int
    kind: str
    title: str
    held_on: str
    unit: str
    enterprises: str
    departments: str
    summary: str
    problems: int
    demands: int


class ProblemPrefill(TypedDict):
    """转为诉求: the demand form filled from the problem and its enterprise."""

    problem_id: int
    channel: str
    title: str
    content: str
    contact_name: str
    contact_phone: str
    suggested_unit: str


class ConsultCount(TypedDict):
    """本周征询 of one 镇街: visits and meetings its people held in the week."""

    unit_id: int
    unit: str
    visits: int
    meetings: int
    total: int


class PlanRow(TypedDict):
    """One line of the 需求计划台账."""

    demand_id: int
    code: str
    title: str
    enterprise: str
    horizon: str
    channel: str
    status: str
    created: str
    link: str
