"""A capped count PostgreSQL's planner is sure exceeds the cap is not run (issue #25, 10 M demands): the
page's rows are the same, and the total reads "1000+" as the count would have. Elsewhere, and for counts
not capped, the count is always run."""

from __future__ import annotations

from sqlmodel import select

from portal.services.base import paging


def _people():
    from portal.core.db import session_scope
    from portal.models.tables import User
    from portal.services.accounts.sessions import actor_of

    with session_scope() as session:
        return {u.username: actor_of(u) for u in session.exec(select(User))}


def test_planner_rows_is_an_estimate_on_postgresql_only(demo):
    from portal.core.db import session_scope
    from portal.models.tables import Demand

    with session_scope() as session:
        expected = session.exec(select(Demand.id)).all()
        rows = paging.planner_rows(session, select(Demand.id).order_by(Demand.id).limit(5).offset(5))
    if demo.startswith("postgresql"):
        assert rows > 0 and expected
    else:
        assert rows is None


def test_a_trusted_estimate_skips_the_count_and_keeps_the_rows(demo, monkeypatch):
    from portal.services.demands import lists

    centre = _people()["zhongxin"]
    searches = [{}, {"status": "待受理"}, {"keyword": "企业"}]
    exact = [lists.search_demands(actor=centre, filters=f) for f in searches]
    queue = lists.dispatch_queue(actor=centre, status="待受理")
    assert all(page["total"] <= paging.COUNT_CAP for page in exact)
    assert any(page["rows"] for page in exact)

    monkeypatch.setattr(paging, "TRUSTED_ESTIMATE", -1)  # the planner always expects more
    skipped = [lists.search_demands(actor=centre, filters=f) for f in searches]
    skipped_queue = lists.dispatch_queue(actor=centre, status="待受理")
    for search, before, after in zip([*searches, "queue"], [*exact, queue], [*skipped, skipped_queue], strict=True):
        assert after["rows"] == before["rows"]
        # Only a full-text match asks the planner first; the other lists' capped counts walk an index.
        if demo.startswith("postgresql") and "keyword" in search:
            assert (after["total"], after["total_label"]) == (paging.COUNT_CAP + 1, f"{paging.COUNT_CAP}+")
            assert after["pages"] == paging.COUNT_CAP // paging.PAGE_SIZE
        else:
            assert after == before


def test_an_uncapped_count_is_always_run(demo, monkeypatch):
    from portal.services.demands import lists

    handler = next(a for a in _people().values() if a.role == "handler" and a.unit_id)
    before = {tab: lists.unit_orders(actor=handler, tab=tab) for tab in lists.ORDER_TABS}
    monkeypatch.setattr(paging, "TRUSTED_ESTIMATE", -1)
    assert {tab: lists.unit_orders(actor=handler, tab=tab) for tab in lists.ORDER_TABS} == before
