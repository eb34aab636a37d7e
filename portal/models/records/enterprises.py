"""Records of the enterprise file and of demands gathered by people (issue #22)."""

from __future__ import annotations

from typing import TypedDict


class EnterpriseChoice(TypedDict):
    """One line of the as-you-type enterprise lookup (代企业登记诉求, 新增走访, 新增会议)."""

    id: int
    name: str
    credit_code: str
    town_name: str
