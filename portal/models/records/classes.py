"""Records of 一类问题 and 每月一题 (issue #26). Class rows and members are staff-only; the ``Public*``
records of 每月一题 carry no enterprise data (no names, no demand texts) and are shown to anyone."""

from __future__ import annotations

from typing import TypedDict


class ClassRow(TypedDict):
    """A candidate group or a class, as the list shows it, with its counts."""

    id: int
    status: str
    name: str  # a candidate: the title of its first demand
    topic: str
    town: str
    lead_unit: str
    size: int
    open: int
    closed: int
    unanswered: int  # members that have not received the current answer (0 before any answer)
    units: str  # the lead units of its members' work orders
    window: str  # first – last submission day
    created_at: str
    link: str


class MemberRow(TypedDict):
    id: int  # the member row
    demand_id: int
    code: str
    title: str
    enterprise: str
    status: str
    lead_unit: str
    created_at: str
    similarity: str
    added_by: str
    answered: bool
    link: str


class ClassDetail(TypedDict):
    id: int
    status: str
    name: str
    topic: str
    town: str
    lead_unit_id: int
    lead_unit: str
    answer: str
    answer_version: int
    confirmed_at: str
    version: int


class GroupingSummary(TypedDict):
    new_demands: int
    groups: int
    joined: int
    seconds: float


class ThemeCandidate(TypedDict):
    """A confirmed class proposed for 每月一题, by size."""

    class_id: int
    name: str
    size: int


class PublicMilestone(TypedDict):
    day: str
    progress: int
    note: str


class PublicTask(TypedDict):
    id: int
    problem_id: int
    unit: str
    unit_id: int
    title: str
    due_on: str
    progress: int
    status: str  # 进行中 | 已完成 | 已逾期
    milestones: list[PublicMilestone]


class PublicProblem(TypedDict):
    id: int
    position: int
    text: str


class PublicTheme(TypedDict):
    id: int
    month: str
    title: str
    summary: str
    published: bool
    progress: int  # the mean of its tasks' progress
    problems: list[PublicProblem]
    tasks: list[PublicTask]
