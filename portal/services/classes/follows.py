"""关注 (issue #26): instead of sending a demand that another already sent, an enterprise follows that one
and hears of its public progress. FixMyStreet's “follow this report” and CONSUL's supporters do the same.

Which demand may be followed: one that could have been suggested to anyone writing about the same
problem (``classes/suggestions``): open, or closed within ``RECENT_DAYS``; never 已撤回 or 不予受理, and
never the enterprise's own (it follows those anyway). Following one reveals nothing a suggestion does
not: its 诉求事项, status and the names and dates of its public steps, never its words. Each public step
becomes one notice to the person who pressed 关注 (keyed by follow and step: sent once, whatever retries).
An enterprise follows at most ``MAX_FOLLOWS`` demands."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from portal import routes
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_id
from portal.models.enums import DemandStatus as S
from portal.models.enums import Role
from portal.models.records.similar import FollowedDemand
from portal.models.tables import Demand, DemandFollow, Enterprise, TimelineEvent, Topic
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role, transactional
from portal.services.base.errors import NotFound, ServiceError
from portal.services.base.notices import notify
from portal.services.classes.candidates import OPEN_STATUSES, RECENT_DAYS

MAX_FOLLOWS = 50
NOT_FOLLOWABLE = "该诉求不存在或已结束,无法关注"


def followable(demand: Demand | None) -> bool:
    """Open, or closed within ``RECENT_DAYS`` (what a suggestion may show)."""
    if demand is None:
        return False
    if demand.status in OPEN_STATUSES:
        return True
    recent = demand.closed_at is not None and demand.closed_at >= now() - timedelta(days=RECENT_DAYS)
    return demand.status == S.CLOSED and recent


@transactional
def follow_demand(*, actor: Actor, demand_id) -> bool:
    """关注. Returns False when the enterprise already follows it (nothing written)."""
    require_role(actor, Role.ENTERPRISE)
    with session_scope() as session:
        row_id = parse_id(demand_id)
        demand = session.get(Demand, row_id) if row_id else None
        if not followable(demand):
            raise NotFound(NOT_FOLLOWABLE)
        if demand.enterprise_id == actor.enterprise_id:
            raise ServiceError("这是本企业自己的诉求,可在“我的诉求”中查看进展")
        # The enterprise's row locked first (PostgreSQL; SQLite serialises writers anyway): two tabs following
        # at once count one after the other, so the cap holds. FOR NO KEY UPDATE lets demands referencing
        # the enterprise be written meanwhile.
        session.exec(select(Enterprise.id).where(Enterprise.id == actor.enterprise_id).with_for_update(key_share=True))
        mine = DemandFollow.enterprise_id == actor.enterprise_id
        if session.exec(select(DemandFollow.id).where(mine, DemandFollow.demand_id == demand.id)).first():
            return False
        if follow_count(session, actor.enterprise_id) >= MAX_FOLLOWS:
            raise ServiceError(f"最多关注{MAX_FOLLOWS}件诉求,请先取消关注不再需要的")
        session.add(DemandFollow(demand_id=demand.id, enterprise_id=actor.enterprise_id, user_id=actor.user_id))
        return True


def follow_count(session: Session, enterprise_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(DemandFollow).where(DemandFollow.enterprise_id == enterprise_id)
    ).one()


@transactional
def unfollow(*, actor: Actor, follow_id) -> None:
    """取消关注 (only the enterprise's own follow; another's id reads as not found)."""
    require_role(actor, Role.ENTERPRISE)
    with session_scope() as session:
        row_id = parse_id(follow_id)
        row = session.get(DemandFollow, row_id) if row_id else None
        if row is None or row.enterprise_id != actor.enterprise_id:
            raise NotFound()
        session.delete(row)


def public_progress(session: Session, demand_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each demand's last public step: (its name, its local time)."""
    if not demand_ids:
        return {}
    rows = session.exec(
        select(TimelineEvent.demand_id, TimelineEvent.action, TimelineEvent.created_at)
        .where(TimelineEvent.demand_id.in_(demand_ids), TimelineEvent.visibility == "public")
        .order_by(TimelineEvent.demand_id, TimelineEvent.seq.desc())
    ).all()
    progress: dict[int, tuple[str, str]] = {}
    for demand_id, action, moment in rows:
        progress.setdefault(demand_id, (action, format_instant(moment)))
    return progress


def followed_demands(*, actor: Actor) -> list[FollowedDemand]:
    """我关注的诉求, newest follow first (at most ``MAX_FOLLOWS``): public fields only."""
    require_role(actor, Role.ENTERPRISE)
    with session_scope() as session:
        rows = session.exec(
            select(DemandFollow.id, DemandFollow.created_at, Demand.id, Demand.status, Demand.created_at, Topic.name)
            .join(Demand, Demand.id == DemandFollow.demand_id)
            .outerjoin(Topic, Topic.id == Demand.topic_id)
            .where(DemandFollow.enterprise_id == actor.enterprise_id)
            .order_by(DemandFollow.created_at.desc(), DemandFollow.id.desc())
            .limit(MAX_FOLLOWS)
        ).all()
        progress = public_progress(session, [r[2] for r in rows])
    records = []
    for follow_id, followed_at, demand_id, status, created_at, topic in rows:
        step, step_at = progress.get(demand_id, ("已提交", format_instant(created_at)))
        records.append(
            FollowedDemand(
                id=follow_id,
                topic=topic or "",
                status=status,
                progress=step,
                progress_at=step_at,
                followed_at=format_instant(followed_at),
            )
        )
    return records


def notify_followers(session: Session, demand: Demand, event: TimelineEvent) -> None:
    """A public step of ``demand``: one notice to each follower, keyed by follow and step (sent once)."""
    follows = session.exec(
        select(DemandFollow.id, DemandFollow.user_id).where(DemandFollow.demand_id == demand.id)
    ).all()
    if not follows:
        return
    topic = session.get(Topic, demand.topic_id) if demand.topic_id else None
    about = f"您关注的{topic.name if topic else ''}诉求"
    for follow_id, user_id in follows:
        notify(
            session,
            key=f"follow{follow_id}:{event.seq}",
            kind="关注进展",
            title=f"{about}有新进展:{event.action}",
            body=f"当前状态:{demand.status}。{about}的进展见“我的诉求”页的“我关注的诉求”。",
            link=routes.MY_DEMANDS,
            user_id=user_id,
        )
