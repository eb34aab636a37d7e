"""Candidate groups of similar demands (一类问题, issue #26): demands of one 诉求事项 from enterprises of one
镇街, submitted within 90 days of each other, whose texts are alike (``similarity.token_similarity``).

A run takes a set of *new* demands (not yet in any group) and compares each only with the demands of its own
(topic, 镇街) bucket of the last 90 days, read through ``ix_demand_topic_created``: the cost follows the new
demands and their buckets, never the whole table. Alike demands are linked; a linked set that touches a
demand already in a group joins that group (a confirmed class gains members the dispatcher may remove, an
ignored group swallows its look-alikes quietly); a set of at least ``MIN_GROUP`` demands from at least
``MIN_ENTERPRISES`` enterprises otherwise becomes a new 候选 group.

Two ways in: the nightly job (``group_new_demands``: the demands created since the last run, the window
claimed by a compare-and-set on ``grouping_cursor`` in the same transaction as the groups it writes, so two
schedulers never group the same window twice) and 重新分析 on ``/staff/classes`` (``regroup_recent``: the
ungrouped demands of the last 30 days, at most ``RESCAN_LIMIT``, for a dispatcher)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import ClassStatus, DemandStatus, Role
from portal.models.records.classes import GroupingSummary
from portal.models.tables import Demand, Enterprise, GroupingCursor, ProblemClass, ProblemClassMember
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role, transactional
from portal.services.base.errors import Conflict
from portal.services.classes.similarity import text_tokens, token_similarity

WINDOW = timedelta(days=90)  # how far back a new demand looks for its look-alikes
RESCAN_WINDOW = timedelta(days=30)  # 重新分析, and the job's first run
RESCAN_LIMIT = 2000  # the most demands one 重新分析 groups
SETTLE = timedelta(minutes=5)  # the job leaves the last minutes to the next run (transactions still open)
THRESHOLD = 0.5  # token_similarity at which two demands are alike
MIN_GROUP = 3  # demands that make a new candidate group …
MIN_ENTERPRISES = 2  # … from at least this many enterprises (one enterprise repeating itself is not a class)
EXCLUDED = (DemandStatus.REJECTED, DemandStatus.WITHDRAWN)
REMOVED = -1  # a demand the dispatcher took out of its group: neither grouped again nor a way into a group


@dataclass
class _Item:
    id: int
    enterprise_id: int
    bucket: tuple[int, int | None]
    created_at: datetime
    tokens: frozenset[str]
    class_id: int | None


def _items(session: Session, query) -> list[_Item]:
    rows = session.exec(
        query.add_columns(Enterprise.town_unit_id, ProblemClassMember.class_id, ProblemClassMember.removed_at)
        .join(Enterprise, Enterprise.id == Demand.enterprise_id)
        .join(ProblemClassMember, ProblemClassMember.demand_id == Demand.id, isouter=True)
        .where(Demand.topic_id.is_not(None), Demand.status.not_in(EXCLUDED))
    ).all()
    return [
        _Item(
            id=i,
            enterprise_id=enterprise,
            bucket=(topic, town),
            created_at=at,
            tokens=text_tokens(f"{title} {content}"),
            class_id=REMOVED if removed else cls,
        )
        for i, enterprise, topic, at, title, content, town, cls, removed in rows
    ]


def _columns():
    return select(Demand.id, Demand.enterprise_id, Demand.topic_id, Demand.created_at, Demand.title, Demand.content)


def _history(session: Session, new: list[_Item]) -> dict[tuple, list[_Item]]:
    """The demands of the new ones' buckets within ``WINDOW`` before the oldest new one, by bucket."""
    if not new:
        return {}
    since = min(i.created_at for i in new) - WINDOW
    topics = sorted({i.bucket[0] for i in new})
    rows = _items(session, _columns().where(Demand.topic_id.in_(topics), Demand.created_at >= since))
    buckets: dict[tuple, list[_Item]] = defaultdict(list)
    wanted = {i.bucket for i in new}
    for item in rows:
        if item.bucket in wanted:
            buckets[item.bucket].append(item)
    return buckets


class _Links:
    """Union-find over ungrouped demands, remembering the best existing group each set touches."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.best: dict[int, tuple[float, int]] = {}  # root → (similarity, class id)

    def root(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: int, b: int) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[rb] = ra
            if rb in self.best:
                self.best[ra] = max(self.best.get(ra, (0.0, 0)), self.best.pop(rb))

    def touch(self, a: int, score: float, class_id: int) -> None:
        ra = self.root(a)
        self.best[ra] = max(self.best.get(ra, (0.0, 0)), (score, class_id))


def _link(new: list[_Item], buckets: dict[tuple, list[_Item]]) -> tuple[_Links, dict[int, float]]:
    """Compare every new demand with its bucket; returns the links and each linked demand's best score."""
    links, scores = _Links(), {}
    for item in new:
        links.root(item.id)
        for other in buckets.get(item.bucket, ()):
            if other.id == item.id or other.class_id == REMOVED or abs(other.created_at - item.created_at) > WINDOW:
                continue
            score = token_similarity(item.tokens, other.tokens)
            if score < THRESHOLD:
                continue
            scores[item.id] = max(scores.get(item.id, 0.0), score)
            if other.class_id is not None:
                links.touch(item.id, score, other.class_id)
            else:
                scores[other.id] = max(scores.get(other.id, 0.0), score)
                links.join(item.id, other.id)
    return links, scores


def _write(session: Session, new: list[_Item], buckets, source: str) -> tuple[int, int]:
    """Group the new demands; returns (new groups, demands that joined an existing group)."""
    links, scores = _link(new, buckets)
    sets: dict[int, list[int]] = defaultdict(list)
    for member in list(links.parent):
        sets[links.root(member)].append(member)
    known = {i.id: i for items in buckets.values() for i in items} | {i.id: i for i in new}
    groups = joined = 0
    moment = now()
    for root, members in sets.items():
        if root in links.best:
            class_id = links.best[root][1]
            joined += len(members)
        elif len(members) >= MIN_GROUP and len({known[m].enterprise_id for m in members}) >= MIN_ENTERPRISES:
            topic, town = known[root].bucket
            group = ProblemClass(status=ClassStatus.CANDIDATE, topic_id=topic, town_unit_id=town, source=source)
            session.add(group)
            session.flush()
            class_id, groups = group.id, groups + 1
        else:
            continue
        session.add_all(
            ProblemClassMember(
                class_id=class_id, demand_id=d, similarity=scores.get(d, 0.0), added_by="分析", created_at=moment
            )
            for d in members
        )
    session.flush()
    return groups, joined


def _ungrouped(query):
    return query.where(Demand.id.not_in(select(ProblemClassMember.demand_id)))


def group_new_demands(*, up_to: datetime | None = None) -> GroupingSummary | None:
    """The nightly job: group the demands created since the last run. The window (last ``up_to``, new
    ``up_to``] is claimed with a compare-and-set on the cursor in the same transaction as the groups, so a
    second scheduler, or a run racing this one, groups nothing (returns None)."""
    try:
        return _group_window(up_to or (now() - SETTLE))
    except Conflict:
        return None  # a racing run claimed the window (or a dispatcher's 加入 took a demand): the next run goes on


@transactional
def _group_window(up_to: datetime) -> GroupingSummary | None:
    started = time.monotonic()
    with session_scope() as session:
        cursor = session.get(GroupingCursor, 1)
        if cursor is None:
            since = up_to - RESCAN_WINDOW
            session.add(GroupingCursor(id=1, up_to=up_to, updated_at=now()))
            session.flush()  # a racing first run fails here (primary key)
        else:
            since = cursor.up_to
            if since >= up_to:
                return None  # nothing new since the last run (or a clock behind it)
            claimed = session.exec(
                update(GroupingCursor)
                .where(GroupingCursor.id == 1, GroupingCursor.up_to == since)
                .values(up_to=up_to, updated_at=now())
            )
            if claimed.rowcount != 1:
                return None
        new = _items(session, _ungrouped(_columns().where(Demand.created_at > since, Demand.created_at <= up_to)))
        groups, joined = _write(session, new, _history(session, new), "夜间分析")
        session.exec(update(GroupingCursor).where(GroupingCursor.id == 1).values(last_new=len(new), last_groups=groups))
    return GroupingSummary(
        new_demands=len(new), groups=groups, joined=joined, seconds=round(time.monotonic() - started, 2)
    )


@transactional
def regroup_recent(*, actor: Actor) -> GroupingSummary:
    """重新分析: the ungrouped demands of the last 30 days (the newest ``RESCAN_LIMIT``) against 90 days."""
    require_role(actor, Role.DISPATCHER)
    started = time.monotonic()
    with session_scope() as session:
        query = _ungrouped(_columns().where(Demand.created_at >= now() - RESCAN_WINDOW))
        new = _items(session, query.order_by(Demand.created_at.desc()).limit(RESCAN_LIMIT))
        groups, joined = _write(session, new, _history(session, new), "重新分析")
    return GroupingSummary(
        new_demands=len(new), groups=groups, joined=joined, seconds=round(time.monotonic() - started, 2)
    )
