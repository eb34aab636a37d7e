"""审计日志 (issue #12): account and calendar changes are recorded with who and what, and only an admin
reads them, filtered by section, person and date."""

from __future__ import annotations

import pytest

from portal.services.accounts import staff_accounts
from portal.services.base import audit
from portal.services.base.errors import Forbidden
from portal.services.calendar import admin as calendar_admin
from tests.services.test_lifecycle import actor


def test_changes_are_logged_and_filtered(demo_accounts):
    admin = actor("admin")
    user_id = staff_accounts.create_staff_user(
        actor=admin, username="audit_one", display_name="审计一", role="leader", password="Audit@2026xyz", unit_id=None
    )
    staff_accounts.set_user_active(actor=admin, user_id=user_id, active=False)
    calendar_admin.apply_notice(actor=admin, year=2027, text="国庆节：10月1日至7日放假。")
    entries = audit.list_entries(actor=admin)
    assert [e["section"] for e in entries[:3]] == ["节假日", "用户", "用户"]
    assert entries[1]["detail"] == "正常 → 已停用" and entries[1]["target"] == "audit_one"
    assert all(e["section"] == "用户" for e in audit.list_entries(actor=admin, section="用户"))
    assert audit.list_entries(actor=admin, who="没有这个人") == []
    assert audit.list_entries(actor=admin, day_from="2000-01-01", day_to="2000-12-31") == []
    assert "节假日" in audit.audit_sections()
    with pytest.raises(Forbidden):
        audit.list_entries(actor=actor("zhongxin"))
