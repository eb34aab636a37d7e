"""The demand lists run kept statements with bound values (issue #25 item 5): every filter, alone and
combined, for every staff role, gives the demands a plain reading of the table gives, newest first, on
SQLite and PostgreSQL — so a value bound to the wrong parameter or a shape kept for another shape fails."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import local_zone
from portal.models.tables import Demand, Enterprise, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.paging import PAGE_SIZE
from portal.services.demands import lists
from portal.services.demands.list_statements import LIVE_DEMAND_STATUSES
from tests.services.test_lifecycle import actor


def _expected(actor: Actor, filters: dict) -> list[int]:
    """The ids a search should list, read plainly from every demand."""
    with session_scope() as session:
        demands = session.exec(select(Demand)).all()
        names = dict(session.exec(select(Enterprise.id, Enterprise.name)).all())
        orders = session.exec(select(WorkOrder.demand_id, WorkOrder.unit_id)).all()
    on_unit = lambda unit: {d for d, u in orders if u == unit}  # noqa: E731
    zone, moment = local_zone(), now()
    kept = []
    for d in demands:
        created = d.created_at.astimezone(zone).date()
        checks = [
            not filters.get("code") or d.code.startswith(filters["code"].upper()),
            not filters.get("channel") or d.channel == filters["channel"],
            not filters.get("status") or d.status == filters["status"],
            not filters.get("unit_id") or d.id in on_unit(int(filters["unit_id"])),
            not filters.get("date_from") or created >= datetime.fromisoformat(filters["date_from"]).date(),
            not filters.get("date_to") or created <= datetime.fromisoformat(filters["date_to"]).date(),
            not filters.get("overdue_only")
            or (d.status in LIVE_DEMAND_STATUSES and d.due_at is not None and d.due_at < moment),
            not filters.get("enterprise") or filters["enterprise"] in names.get(d.enterprise_id, ""),
            actor.role != "handler" or d.id in on_unit(actor.unit_id),
        ]
        if all(checks):
            kept.append(d)
    kept.sort(key=lambda d: (d.created_at, d.id), reverse=True)
    return [d.id for d in kept]


def _listed(actor: Actor, filters: dict) -> tuple[list[int], int]:
    ids, page = [], 1
    while True:
        result = lists.search_demands(actor=actor, filters=filters, page=page)
        ids += [row["id"] for row in result["rows"]]
        if page >= result["pages"]:
            beyond = lists.search_demands(actor=actor, filters=filters, page=page + 1)
            assert (beyond["rows"], beyond["total"]) == ([], result["total"])  # an empty page keeps its count
            return ids, result["total"]
        page += 1


def test_every_filter_lists_what_the_table_holds(demo):
    with session_scope() as session:
        sample = session.exec(select(Demand).where(Demand.lead_unit_id.is_not(None))).first()
        enterprise = session.get(Enterprise, sample.enterprise_id).name
    today = now().astimezone(local_zone()).date()
    filter_sets = [
        {},
        {"code": sample.code.lower()},
        {"channel": sample.channel},
        {"status": sample.status},
        {"unit_id": str(sample.lead_unit_id)},
        {"date_from": str(today - timedelta(days=7))},
        {"date_to": str(today - timedelta(days=7))},
        {"overdue_only": True},
        {"enterprise": enterprise[1:3]},
        {"status": sample.status, "unit_id": str(sample.lead_unit_id), "enterprise": enterprise},
        {"channel": sample.channel, "date_from": str(today - timedelta(days=30)), "date_to": str(today)},
    ]
    found_any = 0
    for username in ("zhongxin", "lingdao", "ziguiju", "dongjie"):
        viewer = actor(username)
        for filters in filter_sets:
            expected = _expected(viewer, filters)
            assert _listed(viewer, filters) == (expected, len(expected)), (username, filters)
            found_any += bool(expected)
    assert found_any >= 20  # the filters do select something in the demo world


@pytest.mark.parametrize("status", ["", "办理中", "待评价"])
def test_the_enterprise_list_and_the_dispatch_queue(demo, status):
    owner = actor("qiye1")
    mine = lists.my_demands(actor=owner, status=status)
    with session_scope() as session:
        own = session.exec(select(Demand).where(Demand.enterprise_id == owner.enterprise_id)).all()
    expected = sorted((d for d in own if not status or d.status == status), key=lambda d: (d.created_at, d.id))
    assert [row["id"] for row in mine["rows"]] == [d.id for d in reversed(expected)][:PAGE_SIZE]
    assert mine["total"] == len(expected)
    queue = lists.dispatch_queue(actor=actor("zhongxin"), status="待受理")
    with session_scope() as session:
        waiting = session.exec(select(Demand).where(Demand.status == "待受理")).all()
    oldest_first = sorted(waiting, key=lambda d: (d.created_at, d.id))
    assert [row["id"] for row in queue["rows"]] == [d.id for d in oldest_first][:PAGE_SIZE]
    assert queue["total"] == len(waiting) > 0
