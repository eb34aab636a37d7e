"""Text as it is stored (issue #20): what a person types or pastes — Word's vertical-tab line break, NUL
and other control characters, Windows line breaks, a decomposed accent — is stored cleaned at every way
in, and a ledger export covering a row stored dirty the old way still succeeds. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import text
from sqlmodel import select

from portal.core.db import get_engine, session_scope
from portal.models.tables import (
    AuditEntry,
    Demand,
    Holiday,
    Policy,
    PolicyTag,
    Rating,
    SupervisionNotice,
    TimelineEvent,
    Unit,
    User,
    WorkOrder,
)
from portal.services.accounts import staff_accounts
from portal.services.admin import units as units_admin
from portal.services.base.fulltext import cjk_bigrams
from portal.services.base.text import clean_text
from portal.services.calendar import admin as calendar_admin
from portal.services.demands import dispatching, handling, intake, rating, timeline
from portal.services.ledgers import imports
from portal.services.policies import editing
from portal.services.supervision import urging
from tests.services.test_ledger_import import _credit_code, _filled
from tests.services.test_ledgers import _export, _sheet_rows
from tests.services.test_lifecycle import actor, form, orders, unit_id

# Pasted from Word and worse: a vertical tab, NUL and other C0 controls, DEL, CR LF, a lone CR, U+2028,
# a form feed, a lone surrogate and a decomposed é.
DIRTY = "厂房施工\x0b许可办理\x00进度\x01慢\x1f\x7f,\r\n请协调\r加快\u2028办理\x0c\ud800 cafe\u0301 "
CLEAN = "厂房施工\n许可办理进度慢,\n请协调\n加快\n办理\n café"
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def test_clean_text_normalises_breaks_controls_and_composition():
    assert clean_text(DIRTY, limit=100) == CLEAN
    assert clean_text("\t缩进\t", limit=10) == "缩进" and clean_text("a\tb", limit=10) == "a\tb"
    assert clean_text("x" * 30, limit=20) == "x" * 21  # one past the limit: the caller can tell
    assert clean_text(None, limit=5) == "" and clean_text(["列表"], limit=5) == ""


def test_a_demand_and_its_handling_are_stored_clean(demo_accounts):
    ent, centre, zhujian = actor("qiye1"), actor("zhongxin"), actor("zhujianju")
    demand_id = intake.submit_demand(
        actor=ent, form=form(title="施工许可\x0b办理\x00", content=DIRTY, contact_name="王\x0b经理")
    )
    dispatching.dispatch(actor=centre, demand_id=demand_id, lead_unit_id=unit_id("市住房和城乡建设局"), level="一般")
    (order,) = orders(demand_id)
    urging.urge(actor=centre, order_id=order.id, message="请\x0b尽快\r\n反馈")
    handling.sign(actor=zhujian, order_id=order.id)
    handling.submit_feedback(actor=zhujian, order_id=order.id, reply=DIRTY, method="现场\x00指导", solved=True)
    rating.rate(actor=ent, demand_id=demand_id, satisfaction="基本满意", contacted=True, comment=DIRTY)
    with session_scope() as session:
        demand = session.get(Demand, demand_id)
        assert (demand.title, demand.content, demand.contact_name) == ("施工许可\n办理", CLEAN, "王\n经理")
        assert demand.search_tokens == cjk_bigrams(f"{demand.title} {demand.content}")
        order = session.get(WorkOrder, order.id)
        assert (order.reply_content, order.solve_method) == (CLEAN, "现场指导")
        assert session.exec(select(Rating.comment).where(Rating.demand_id == demand_id)).one() == CLEAN
        assert session.exec(select(SupervisionNotice.message)).one().endswith("请\n尽快\n反馈")
        events = session.exec(select(TimelineEvent).where(TimelineEvent.demand_id == demand_id)).all()
        assert not any(_UNWANTED.search(e.detail + e.public_detail) for e in events)
        assert timeline.verify_demand(session, demand_id).ok
    for ledger in ("problems", "transfers", "feedback", "satisfaction"):
        path, _, record = _export(centre, ledger)
        assert record["done"] == 1
    _, rows = _sheet_rows(path)
    (row,) = [r for r in rows if isinstance(r[0], int)]
    assert row[1] == f"施工许可\n办理:{CLEAN}" and row[5] == CLEAN


def test_admin_and_account_text_is_stored_clean(demo_accounts):
    admin, centre = actor("admin"), actor("zhongxin")
    unit = units_admin.save_unit(
        actor=admin,
        form=units_admin.UnitForm(name="新区\x0b管委会\x00", code="U900", kind="园区", contact_name="李\x01主任"),
    )
    user_id = staff_accounts.create_staff_user(
        actor=admin, username="clean01", display_name="张\x0b三\u2028", role="leader", password="Clean1234x"
    )
    policy_id = editing.save_policy(
        actor=centre,
        form=editing.PolicyForm(
            title="设备更新\x0b贴息办法",
            issuer="市工业\x00和信息化局",
            summary="摘要\r\n第二行",
            body="# 正文\r\n\r\n第一段\x0b续行",
            industries="制造业\x0b小型\x00",
        ),
    )
    calendar_admin.set_day(actor=admin, day=date(2030, 5, 6), is_workday=False, name="劳动节\x0b补休")
    with session_scope() as session:
        assert (session.get(Unit, unit).name, session.get(Unit, unit).contact_name) == ("新区\n管委会", "李主任")
        assert session.get(User, user_id).display_name == "张\n三"
        policy = session.get(Policy, policy_id)
        assert (policy.title, policy.issuer, policy.summary) == (
            "设备更新\n贴息办法",
            "市工业和信息化局",
            "摘要\n第二行",
        )
        assert policy.body == "# 正文\n\n第一段\n续行"
        tags = session.exec(select(PolicyTag.value).where(PolicyTag.policy_id == policy_id)).all()
        assert set(tags) == {"小型", "制造业"}
        assert session.get(Holiday, date(2030, 5, 6)).name == "劳动节\n补休"
        audit = session.exec(select(AuditEntry)).all()
        assert audit and not any(_UNWANTED.search(e.target + e.detail) for e in audit)


def test_imported_ledger_cells_are_stored_clean_and_the_reporter_is_named(demo_accounts):
    """A spreadsheet cell holds Windows line breaks, U+2028 and decomposed letters (it cannot hold a
    vertical tab: openpyxl refuses to write one). The first timeline event names the reporting unit."""
    centre = actor("zhongxin")
    described = "厂区道路\r\n破损严重\u2028货车通行困难,cafe\u0301门口需要维修。"
    row = ["泰山示例建设工程有限公司", described, "", "李主任\r\n13805381111", "", "", _credit_code("qiye2"), ""]
    assert imports.import_ledger(actor=centre, content=_filled([row]), filename="周报.xlsx") == (1, 0)
    with session_scope() as session:
        demand = session.exec(select(Demand).where(Demand.channel == "台账导入")).one()
        assert demand.content == "厂区道路\n破损严重\n货车通行困难,café门口需要维修。"
        assert (demand.contact_name, demand.contact_phone) == ("李主任", "13805381111")
        (event,) = session.exec(select(TimelineEvent).where(TimelineEvent.demand_id == demand.id)).all()
        assert event.public_detail.startswith("台账导入·提报单位:东街街道;") and "ImportRow" not in event.detail
    # The same file again is recognised (the fingerprint is of the cells as typed).
    assert imports.import_ledger(actor=centre, content=_filled([row]), filename="周报.xlsx") == (0, 1)


def test_an_export_covering_a_row_stored_dirty_the_old_way_succeeds(demo_accounts):
    centre = actor("zhongxin")
    demand_id = intake.submit_demand(actor=actor("qiye1"), form=form(title="施工许可办理"))
    dirty = "旧数据\x0b换行\x01\x1f\x08结束"  # PostgreSQL text cannot hold NUL at all
    with get_engine().begin() as connection:
        connection.execute(
            text("UPDATE demand SET content = :c, contact_name = :n WHERE id = :i"),
            {"c": dirty, "n": "王\x0b经理", "i": demand_id},
        )
        connection.execute(
            text("UPDATE enterprise SET name = :n WHERE id = (SELECT enterprise_id FROM demand WHERE id = :i)"),
            {"n": "旧企业\x0c名称", "i": demand_id},
        )
    for file_format in ("xlsx", "csv"):
        path, _, record = _export(centre, "problems", file_format)
        assert record["done"] == 1
    _, rows = _sheet_rows(_export(centre, "problems")[0])
    (row,) = [r for r in rows if isinstance(r[0], int)]
    assert row[1:3] == ["旧企业名称", "施工许可办理:旧数据换行结束"] and row[4] == "王经理 13805380001"
