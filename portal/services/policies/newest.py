"""最新政策 on the home page: the policies in force, newest first (no login needed)."""

from __future__ import annotations

from sqlmodel import select

from portal.core.db import session_scope
from portal.models.records.policies import PolicyBrief
from portal.models.tables import Policy
from portal.services.policies.library import _visible

NEWEST_COUNT = 5


def newest_policies(*, limit: int = NEWEST_COUNT) -> list[PolicyBrief]:
    """The ``limit`` (at most 20) policies in force published last, newest first."""
    limit = max(1, min(int(limit), 20))
    with session_scope() as session:
        rows = session.exec(
            select(Policy.id, Policy.title, Policy.issuer, Policy.published_on)
            .where(_visible(False))
            .order_by(Policy.published_on.desc(), Policy.id.desc())
            .limit(limit)
        ).all()
    return [
        PolicyBrief(id=i, title=title, issuer=issuer, published_on=day.isoformat() if day else "")
        for i, title, issuer, day in rows
    ]
