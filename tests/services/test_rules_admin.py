"""时限规则 (issue #12): a changed limit applies to orders dispatched after it, never to running ones (not
even when a calendar change recounts them); out-of-range values are refused with nothing written."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.models.tables import AuditEntry, WorkOrder
from portal.services.base.errors import Forbidden, ValidationFailed
from portal.services.calendar import admin as calendar_admin
from portal.services.demands import dispatching, intake
from portal.services.supervision import rules
from tests.services.test_lifecycle import SH, actor, form, unit_id

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=SH)


def dispatch_one(title: str) -> WorkOrder:
    with use_clock(fixed(MONDAY)):
        demand_id = intake.submit_demand(actor=actor("qiye1"), form=form(title=title))
        dispatching.dispatch(
            actor=actor("zhongxin"), demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般"
        )
    with session_scope() as session:
        return session.exec(select(WorkOrder).where(WorkOrder.demand_id == demand_id)).one()


def test_a_new_limit_applies_from_the_next_dispatch(demo_accounts):
    admin = actor("admin")
    before = dispatch_one("改规则前派发的诉求")
    assert before.limit_days == 5 and before.due_at.astimezone(SH).day == 9
    for bad in ("0", "61", "七", "", "5; DROP TABLE"):
        with pytest.raises(ValidationFailed):
            rules.update_rule(actor=admin, key="一般", value=bad)
    with pytest.raises(ValidationFailed):
        rules.update_rule(actor=admin, key="即时", value="1")
    with pytest.raises(Forbidden):
        rules.update_rule(actor=actor("zhongxin"), key="一般", value="7")
    rules.update_rule(actor=admin, key="一般", value="7")
    rules.update_rule(actor=admin, key="yellow_per_red", value="3")
    after = dispatch_one("改规则后派发的诉求")
    assert after.limit_days == 7 and after.due_at.astimezone(SH).day == 11
    values = {r["key"]: r["value"] for r in rules.list_rules(actor=admin)}
    assert values["一般"] == 7 and values["yellow_per_red"] == 3

    # A calendar change recounts the running order with its own 5 days, not the new 7.
    calendar_admin.set_day(actor=admin, day=datetime(2026, 11, 4).date(), is_workday=False, name="测试假日")
    with session_scope() as session:
        recounted = session.get(WorkOrder, before.id)
        audit = [e.detail for e in session.exec(select(AuditEntry).where(AuditEntry.action == "时限规则"))]
    assert recounted.due_at.astimezone(SH).day == 10  # 3, 5, 6, 9, 10 November
    assert audit[0] == "5个工作日 → 7个工作日(此后派发的工单适用)"
