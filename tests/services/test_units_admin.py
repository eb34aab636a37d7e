"""部门 (issue #12): the unit tree keeps names and codes unique, refuses cycles, deactivates units out of
the dispatch choices and deletes only units nothing refers to; every change is audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.core.db import session_scope
from portal.models.tables import AuditEntry
from portal.services.admin import units as units_admin
from portal.services.admin.units import UnitForm
from portal.services.base.errors import Conflict, Forbidden, ValidationFailed
from portal.services.demands import dispatching, form_options, intake
from tests.services.test_lifecycle import actor, form, unit_id


def test_create_edit_cycle_deactivate_delete(demo_accounts):
    admin = actor("admin")
    with pytest.raises(Forbidden):
        units_admin.save_unit(actor=actor("zhongxin"), form=UnitForm(name="新区管委会", code="U900", kind="园区"))
    park = units_admin.save_unit(actor=admin, form=UnitForm(name="新区管委会", code="U900", kind="园区"))
    office = units_admin.save_unit(
        actor=admin,
        form=UnitForm(name="新区企业服务办", code="U901", kind="园区", parent_id=str(park), contact_name="李主任"),
    )
    for bad, field in [
        (UnitForm(name="新区管委会", code="U902", kind="园区"), "name"),
        (UnitForm(name="另一个单位", code="U900", kind="园区"), "code"),
        (UnitForm(name="另一个单位", code="编码!", kind="园区"), "code"),
        (UnitForm(name="另一个单位", code="U903", kind="不存在"), "kind"),
        (UnitForm(name="另一个单位", code="U904", kind="园区", parent_id="99999"), "parent_id"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            units_admin.save_unit(actor=admin, form=bad)
        assert field in refused.value.errors
    with pytest.raises(ValidationFailed) as cycle:
        units_admin.save_unit(
            actor=admin, unit_id=park, form=UnitForm(name="新区管委会", code="U900", kind="园区", parent_id=str(office))
        )
    assert "循环" in cycle.value.errors["parent_id"]
    rows = units_admin.list_units(actor=admin)
    assert [r["depth"] for r in rows if r["name"] in ("新区管委会", "新区企业服务办")] == [0, 1]

    units_admin.set_unit_active(actor=admin, unit_id=office, active=False)
    assert "新区企业服务办" not in [u["name"] for u in form_options.unit_options()]
    with pytest.raises(Conflict):
        units_admin.delete_unit(actor=admin, unit_id=park)  # it has a child
    units_admin.delete_unit(actor=admin, unit_id=office)
    units_admin.delete_unit(actor=admin, unit_id=park)
    with session_scope() as session:
        details = [e.detail for e in session.exec(select(AuditEntry).where(AuditEntry.action == "部门"))]
    assert details[0].startswith("新建:") and "已停用" in details[2] and details[-1] == "删除"


def test_a_unit_with_open_orders_is_only_deactivated(demo_accounts):
    demand_id = intake.submit_demand(actor=actor("qiye1"), form=form())
    dispatching.dispatch(actor=actor("zhongxin"), demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
    with pytest.raises(Conflict) as refused:
        units_admin.delete_unit(actor=actor("admin"), unit_id=unit_id("东街街道"))
    assert "只能停用" in refused.value.message
    with pytest.raises(Conflict):
        units_admin.set_unit_active(actor=actor("admin"), unit_id=unit_id("市政府事务推进中心"), active=False)
