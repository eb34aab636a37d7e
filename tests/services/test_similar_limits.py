"""The per-person bounds of 类似诉求 and 关注 (issue #26's review), on SQLite and PostgreSQL: the lookup's
budget per minute is shared by all of a person's tabs and workers; two tabs following at once cannot pass
the 50-follow cap."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.models.tables import Demand, DemandFollow
from portal.services.base.errors import ServiceError
from portal.services.classes import follows, suggestions
from tests.services.test_lifecycle import SH, actor, topic_id
from tests.services.test_similar_demands import look, submit

MOMENT = datetime(2026, 11, 20, 10, 0, 5, tzinfo=SH)


def test_lookups_over_the_minutes_budget_look_nothing_up_until_the_next_minute(demo_accounts):
    theirs = submit("qiye2")
    with use_clock(fixed(MOMENT)):
        answers = [look("qiye1") for _ in range(suggestions.LOOKUPS_PER_MINUTE)]
        over = look("qiye1")
        other_person = look("zhongxin")  # staff: their own budget
    assert all(a.demand_ids == [theirs] and not a.throttled for a in answers)
    assert over.throttled and over.records == [] and over.demand_ids == []
    assert other_person.demand_ids == [theirs] and not other_person.throttled
    with use_clock(fixed(MOMENT + timedelta(minutes=1))):
        assert look("qiye1").demand_ids == [theirs]


def test_too_little_text_spends_nothing(demo_accounts):
    with use_clock(fixed(MOMENT)):
        for _ in range(suggestions.LOOKUPS_PER_MINUTE + 5):
            assert not look("qiye1", title="", content="您好").throttled
        assert not look("qiye1").throttled


def _followed_up_to_one_short_of_the_cap(who: str, owner: str) -> list[int]:
    """``who`` follows MAX_FOLLOWS - 1 of ``owner``'s demands; returns two more it may follow."""
    follower, author, topic = actor(who), actor(owner), topic_id("用地规划")
    ids = []
    with session_scope() as session:
        for i in range(follows.MAX_FOLLOWS + 1):
            demand = Demand(code=f"QL{i:08d}", enterprise_id=author.enterprise_id, kind="求助", topic_id=topic,
                            title="x", content="x", contact_name="x", contact_phone="x", status="待受理")  # fmt: skip
            session.add(demand)
            session.flush()
            ids.append(demand.id)
        for demand_id in ids[: follows.MAX_FOLLOWS - 1]:
            session.add(
                DemandFollow(demand_id=demand_id, enterprise_id=follower.enterprise_id, user_id=follower.user_id)
            )
    return ids[follows.MAX_FOLLOWS - 1 :]


def test_two_tabs_following_at_once_cannot_pass_the_cap(demo_accounts, monkeypatch, request):
    """Both transactions count at the same moment unless one waits at the enterprise's lock: without it,
    PostgreSQL let both count 49 and write the 50th and 51st follow."""
    if request.node.callspec.params.get("db") != "postgresql":
        pytest.skip("SQLite lets one writer in at a time; the race is PostgreSQL's")
    last, beyond = _followed_up_to_one_short_of_the_cap("qiye1", "qiye2")
    barrier, counted = threading.Barrier(2), follows.follow_count

    def count_together(session, enterprise_id):
        try:  # both count at once — unless one is held at the enterprise lock
            barrier.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        return counted(session, enterprise_id)

    monkeypatch.setattr(follows, "follow_count", count_together)
    outcomes: list[object] = []

    def follow(demand_id):
        try:
            outcomes.append(follows.follow_demand(actor=actor("qiye1"), demand_id=demand_id))
        except ServiceError as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=follow, args=(d,)) for d in (last, beyond)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes)) == sorted(["True", f"最多关注{follows.MAX_FOLLOWS}件诉求,请先取消关注不再需要的"])
    with session_scope() as session:
        assert follows.follow_count(session, actor("qiye1").enterprise_id) == follows.MAX_FOLLOWS
