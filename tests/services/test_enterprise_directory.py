"""Who may see which enterprise (issue #22's area rule) and the as-you-type lookup."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.core.db import session_scope
from portal.models.tables import Enterprise, User
from portal.services.base.errors import Forbidden, NotFound
from portal.services.enterprises import directory
from tests.services.test_lifecycle import actor


def _enterprise_of(username: str) -> Enterprise:
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == username)).one()
        return session.get(Enterprise, user.enterprise_id)


def test_centre_finds_by_name_or_code_prefix_and_town_handler_only_its_own(demo_accounts):
    qiye1, qiye2 = _enterprise_of("qiye1"), _enterprise_of("qiye2")
    assert qiye1.town_unit_id != qiye2.town_unit_id
    with session_scope() as session:
        centre = actor("zhongxin")
        by_name = directory.find_enterprises(session=session, actor=centre, query=qiye1.name[2:6])
        assert qiye1.id in {c["id"] for c in by_name}
        by_code = directory.find_enterprises(session=session, actor=centre, query=qiye2.credit_code[:8].lower())
        assert qiye2.id in {c["id"] for c in by_code}
        assert directory.find_enterprises(session=session, actor=centre, query="  %_ ") == []

        dongjie = actor("dongjie")
        own = qiye1 if qiye1.town_unit_id == dongjie.unit_id else qiye2
        other = qiye2 if own is qiye1 else qiye1
        found = {c["id"] for c in directory.find_enterprises(session=session, actor=dongjie, query="有限")}
        assert own.id in found and other.id not in found
        assert directory.visible_enterprise(session, dongjie, own.id).id == own.id
        with pytest.raises(NotFound):
            directory.visible_enterprise(session, dongjie, other.id)
        with pytest.raises(NotFound):
            directory.visible_enterprise(session, centre, "99999")


def test_enterprises_and_department_handlers_outside_their_field_see_nothing(demo_accounts):
    with session_scope() as session:
        with pytest.raises(Forbidden):
            directory.find_enterprises(session=session, actor=actor("qiye1"), query="有限")
        # 市自然资源和规划局 is 行业主管部门 of no demo enterprise.
        assert directory.find_enterprises(session=session, actor=actor("ziguiju"), query="有限") == []
