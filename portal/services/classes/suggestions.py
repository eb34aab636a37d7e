"""类似诉求 while a demand is written (issue #26; seeds 000, 003, 004): up to five open or recent demands of
the same 诉求事项 whose text is alike (``similarity``), those of the same 镇街 first, shown before the
demand is sent. A suggestion never blocks: the form is sent whatever the panel says.

What a viewer learns of a suggested demand is what it may know anyway: its own demand (for staff, one
their role may open: ``demands/detail.visible``) with its code, title and link; another enterprise's
demand only by its 诉求事项, status and public progress (the last public step's name and date, never that
step's words, which are written to the demand's enterprise). ``THRESHOLD`` was chosen on the labelled
pairs of ``bench/data/similar_pairs.jsonl`` (README § 类似诉求)."""

from __future__ import annotations

from typing import NamedTuple

from sqlmodel import Session, select

from portal import routes
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_id
from portal.models.enums import Role
from portal.models.records.similar import SimilarDemand
from portal.models.tables import Demand, DemandFollow, Enterprise, Topic
from portal.services.accounts.actor import Actor
from portal.services.accounts.throttle import spend_in_minute
from portal.services.base.access import require_role
from portal.services.base.text import clean_text
from portal.services.classes.candidates import Candidate, candidates, ordered_tokens
from portal.services.classes.follows import public_progress
from portal.services.classes.similarity import token_similarity
from portal.services.demands.detail import visible

THRESHOLD = 0.16  # precision 0.915, recall 0.75 on the 200 labelled pairs (bench/bench_similar.py)
HIGH_LIKENESS = 0.4
MAX_SUGGESTIONS = 5
MIN_TOKENS = 3  # fewer distinctive words than this say nothing about the problem yet
ROLES = (Role.ENTERPRISE, Role.DISPATCHER, Role.HANDLER)
# A person leaves a field a few times a minute; a script looping the lookup (each one reads up to a few
# thousand candidates) is held to this across all of the person's tabs and workers.
LOOKUPS_PER_MINUTE = 60


class Suggestions(NamedTuple):
    records: list[SimilarDemand]  # what the panel shows
    demand_ids: list[int]  # the same demands' ids, for the state's backend vars only (关注 by position)
    throttled: bool = False  # over ``LOOKUPS_PER_MINUTE``: nothing was looked up, the panel stays as it was


def similar_demands(
    *, actor: Actor, topic_id, title, content, town_id=None, enterprise_id=None, limit: int = MAX_SUGGESTIONS
) -> Suggestions:
    """The demands like the one being written, best first (same 镇街 before others). Staff registering for
    an enterprise name it (``enterprise_id``: its 镇街 is used) or its 镇街 (``town_id``, a new enterprise);
    an enterprise sees its own demands first, then the most alike: another enterprise's 镇街 is not its to
    learn, neither by a badge nor by the order (staff rank by the 镇街 they register in)."""
    require_role(actor, *ROLES)
    topic = parse_id(topic_id)
    tokens = ordered_tokens(f"{clean_text(title, limit=50)} {clean_text(content, limit=2000)}")
    if topic is None or len(tokens) < MIN_TOKENS:
        return Suggestions([], [])
    limit = max(1, min(limit if isinstance(limit, int) else MAX_SUGGESTIONS, MAX_SUGGESTIONS))
    with session_scope() as session:
        moment = now()
        if spend_in_minute(session, "similar-lookup", f"user:{actor.user_id}", LOOKUPS_PER_MINUTE, moment):
            return Suggestions([], [], throttled=True)
        town = _viewer_town(session, actor, town_id, enterprise_id)
        found = candidates(session, tokens=tokens, topic_id=topic, moment=moment)
        ranked = rank(frozenset(tokens), found, town, own_enterprise=actor.enterprise_id)
        ranked = ranked[:limit]
        return Suggestions(_records(session, actor, ranked, town), [c.id for _, c in ranked])


def rank(
    query: frozenset[str], found: list[Candidate], town: int | None, own_enterprise: int | None = None
) -> list[tuple[float, Candidate]]:
    """Those at or above ``THRESHOLD``: the viewer's 镇街 first (an enterprise: its own demands first), then the
    most alike, then the newest."""
    scored = [(token_similarity(query, c.tokens), c) for c in found]
    kept = [(score, c) for score, c in scored if score >= THRESHOLD]

    def first(c: Candidate) -> bool:
        return c.enterprise_id == own_enterprise if own_enterprise else town is not None and c.town_unit_id == town

    kept.sort(key=lambda sc: (not first(sc[1]), -sc[0], -sc[1].id))
    return kept


def _viewer_town(session: Session, actor: Actor, town_id, enterprise_id) -> int | None:
    if actor.role == Role.ENTERPRISE:
        return None  # its own demands come first instead (``rank``): another's 镇街 is never shown
    named = parse_id(enterprise_id)
    if named:
        enterprise = session.get(Enterprise, named)
        return enterprise.town_unit_id if enterprise else None
    return parse_id(town_id)


def _records(session: Session, actor: Actor, ranked: list[tuple[float, Candidate]], town) -> list[SimilarDemand]:
    ids = [c.id for _, c in ranked]
    demands = {d.id: d for d in session.exec(select(Demand).where(Demand.id.in_(ids or [-1]))).all()}
    topics = dict(session.exec(select(Topic.id, Topic.name)).all())
    progress = public_progress(session, ids)
    followed = set()
    if actor.role == Role.ENTERPRISE and ids:
        followed = set(
            session.exec(
                select(DemandFollow.demand_id).where(
                    DemandFollow.enterprise_id == actor.enterprise_id, DemandFollow.demand_id.in_(ids)
                )
            ).all()
        )
    records, enterprise = [], actor.role == Role.ENTERPRISE
    for position, (score, candidate) in enumerate(ranked):
        demand = demands[candidate.id]
        mine = visible(session, actor, demand)
        step, step_at = progress.get(demand.id, ("已提交", format_instant(demand.created_at)))
        link = routes.my_demand(demand.id) if enterprise else routes.staff_demand(demand.id)
        records.append(
            SimilarDemand(
                key=str(position),
                mine=mine,
                code=demand.code if mine else "",
                title=demand.title if mine else "",
                link=link if mine else "",
                topic=topics.get(demand.topic_id, ""),
                status=demand.status,
                progress=step,
                progress_at=step_at,
                same_town=mine if enterprise else town is not None and candidate.town_unit_id == town,
                likeness="高度相似" if score >= HIGH_LIKENESS else "相似",
                followed=demand.id in followed,
            )
        )
    return records
