"""好差评 (issue #23) in the browser and against hostile clients: an enterprise rates 非常不满意, the case appears
on 差评整改 with its 整改期限, the unit feeds back, the centre's 回访 closes it; an upheld appeal changes the
unit's 满意率 on /staff/reports; foreign ids, wrong roles and bad sub-scores change nothing."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal.state.demands.actions import EnterpriseDemandActions
from portal.state.demands.rectifications import RectificationsState
from tests.e2e.conftest import login
from tests.e2e.test_hostile_demands import _actor, _row, _session_client, _unit

pytestmark = pytest.mark.e2e
RECT = RectificationsState.get_full_name()
ENTERPRISE = EnterpriseDemandActions.get_full_name()
REPLY = "已按要求办理完毕,详情已电话告知企业。"
CONTENT = "厂区道路积水严重,影响货车通行,请协调处理。"


def _answered(on_portal_db, unit: str, handler: str, title: str) -> int:
    """qiye1's demand dispatched to ``unit``, signed and answered: waiting for the rating."""
    from portal.core.db import session_scope
    from portal.models.tables import Topic, WorkOrder
    from portal.services.demands import dispatching, handling, intake

    with on_portal_db():
        with session_scope() as session:
            topic = session.exec(select(Topic.id).where(Topic.name == "项目建设")).one()
        demand_id = intake.submit_demand(
            actor=_actor("qiye1"),
            form=intake.DemandForm(kind="求助", topic_id=topic, title=title, content=CONTENT,
                                   contact_name="王经理", contact_phone="13805380001"),
        )  # fmt: skip
        dispatching.dispatch(actor=_actor("zhongxin"), demand_id=demand_id, lead_unit_id=_unit(unit), level="一般")
        with session_scope() as session:
            order_id = session.exec(select(WorkOrder.id).where(WorkOrder.demand_id == demand_id)).one()
        handling.sign(actor=_actor(handler), order_id=order_id)
        handling.submit_feedback(actor=_actor(handler), order_id=order_id, reply=REPLY, method="现场", solved=True)
    return demand_id


def _open_case(page, title: str):
    page.goto("/staff/rectifications")
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_be_visible()
    row.get_by_role("button", name="查看").click()
    return row


def test_a_very_bad_rating_is_rectified_and_called_back(new_page, on_portal_db):
    title = f"道路积水{uuid.uuid4().hex[:4]}"
    demand_id = _answered(on_portal_db, "市住房和城乡建设局", "zhujianju", title)
    ent = new_page()
    login(ent, "qiye1")
    ent.goto(f"/my/demands/{demand_id}")
    ent.get_by_label("非常不满意", exact=True).check()
    ent.get_by_label("是否已与您联系").select_option("是")
    ent.get_by_label("意见建议").fill("积水仍未处理")
    ent.get_by_label("办理时效评分(可选)").select_option("2")
    ent.get_by_role("button", name="提交评价").click()
    expect(ent.get_by_text("评价已提交")).to_be_visible()
    expect(ent.locator("#demand-status")).to_have_text("重办中")

    unit = new_page()
    login(unit, "zhujianju")
    row = _open_case(unit, title)
    expect(row.get_by_role("cell", name=re.compile(r"\d{4}-\d{2}-\d{2}"))).to_be_visible()  # 整改期限
    expect(row.get_by_role("cell", name="整改中")).to_be_visible()
    unit.get_by_label("整改情况").fill("已组织疏通排水管网,积水已排除。")
    unit.get_by_label("解决方式").fill("现场疏通")
    unit.get_by_label("是否解决").select_option("是")
    unit.get_by_role("button", name="提交整改情况").click()
    expect(unit.get_by_text("整改情况已提交")).to_be_visible()
    expect(row.get_by_role("cell", name="待回访")).to_be_visible()

    centre = new_page()
    login(centre, "zhongxin")
    row = _open_case(centre, title)
    centre.get_by_label("回访情况").fill("企业确认积水已排除")
    centre.get_by_label("满意", exact=True).check()
    centre.get_by_label("是否已与您联系").select_option("是")
    centre.get_by_role("button", name="登记回访").click()
    expect(centre.get_by_text("回访已登记")).to_be_visible()
    expect(row.get_by_role("cell", name="已办结")).to_be_visible()
    ent.goto(f"/my/demands/{demand_id}")
    expect(ent.locator("#demand-status")).to_have_text("已办结")


def _satisfaction(on_portal_db, unit: str) -> str:
    from portal.core.clock import now
    from portal.core.db import session_scope
    from portal.core.formatting import local_zone
    from portal.services.supervision import figures

    start, end, _ = figures.period_bounds("month", now().astimezone(local_zone()).date())
    with on_portal_db(), session_scope() as session:
        return next(r for r in figures.unit_figures(session, start, end) if r["unit"] == unit)["satisfaction_rate"]


def test_an_upheld_appeal_changes_the_units_satisfaction_on_reports(new_page, on_portal_db):
    from portal.services.demands import rating

    unit_name = "市自然资源和规划局"
    title = f"规划咨询{uuid.uuid4().hex[:4]}"
    demand_id = _answered(on_portal_db, unit_name, "ziguiju", title)
    pleased = _answered(on_portal_db, unit_name, "ziguiju", f"规划答复{uuid.uuid4().hex[:4]}")
    with on_portal_db():  # one 满意 besides the 差评, so leaving the 差评 out moves the rate whatever else it holds
        rating.rate(actor=_actor("qiye1"), demand_id=pleased, satisfaction="满意", contacted=True)
        rating.rate(actor=_actor("qiye1"), demand_id=demand_id, satisfaction="非常不满意", contacted=True,
                    comment="答复敷衍")  # fmt: skip
    before = _satisfaction(on_portal_db, unit_name)
    leader = new_page()
    login(leader, "lingdao")
    leader.goto("/staff/reports")
    figures_row = leader.get_by_role("row").filter(has_text=unit_name).first
    expect(figures_row.get_by_role("cell").nth(9)).to_have_text(before)

    unit = new_page()
    login(unit, "ziguiju")
    _open_case(unit, title)
    unit.get_by_label("申诉理由").fill("企业反映的问题不属于本单位职责,已如实答复")
    unit.get_by_role("button", name="提交申诉").click()
    expect(unit.get_by_text("申诉已提交,待推进中心复核")).to_be_visible()

    centre = new_page()
    login(centre, "zhongxin")
    row = _open_case(centre, title)
    centre.get_by_label("复核结果").select_option("uphold")
    centre.get_by_label("复核意见").fill("经核实,评价与事实不符,申诉成立")
    centre.get_by_role("button", name="提交复核").click()
    expect(centre.get_by_text("复核结果已登记")).to_be_visible()
    expect(row.get_by_role("cell", name="申诉成立")).to_be_visible()

    after = _satisfaction(on_portal_db, unit_name)
    assert after != before
    leader.goto("/staff/reports")
    figures_row = leader.get_by_role("row").filter(has_text=unit_name).first
    expect(figures_row.get_by_role("cell").nth(9)).to_have_text(after)


def _case_of(portal_server, demand_id: int):
    return _row(portal_server.database_url, "SELECT id, status FROM rectification WHERE demand_id=:d", d=demand_id)


def test_hostile_rating_and_appeal_calls_change_nothing(portal_server, on_portal_db):
    from portal.services.demands import rating

    demand_id = _answered(on_portal_db, "市住房和城乡建设局", "zhujianju", f"敌意测试{uuid.uuid4().hex[:4]}")
    path = f"/my/demands/{demand_id}"
    bad = {"satisfaction": "非常满意", "contacted": "是", "comment": ""}
    client = _session_client(portal_server, "qiye2")  # someone else's demand
    try:
        client.send(f"{ENTERPRISE}.rate", {"form": bad}, path=path)
    finally:
        client.close()
    client = _session_client(portal_server, "qiye1")  # sub-score out of range
    try:
        client.send(f"{ENTERPRISE}.rate", {"form": {**bad, "score_time": "9"}}, path=path)
    finally:
        client.close()
    count = "SELECT count(*) FROM rating WHERE demand_id=:d"
    assert _row(portal_server.database_url, count, d=demand_id)[0] == 0
    with on_portal_db():
        rating.rate(actor=_actor("qiye1"), demand_id=demand_id, satisfaction="不满意", contacted=True, comment="不行")
    case_id = _case_of(portal_server, demand_id)[0]
    client = _session_client(portal_server, "qiye1")  # a second rating
    try:
        client.send(f"{ENTERPRISE}.rate", {"form": bad}, path=path)
    finally:
        client.close()
    assert _row(portal_server.database_url, count, d=demand_id)[0] == 1
    client = _session_client(portal_server, "ziguiju")  # another unit appeals the case
    try:
        client.send(f"{RECT}.load", {}, path="/staff/rectifications")
        client.send(f"{RECT}.select_case", {"case_id": case_id}, path="/staff/rectifications")
        client.send(f"{RECT}.appeal", {"form": {"reason": "冒充住建局申诉"}}, path="/staff/rectifications")
    finally:
        client.close()
    appeals = "SELECT count(*) FROM rating_appeal WHERE demand_id=:d"
    assert _row(portal_server.database_url, appeals, d=demand_id)[0] == 0
    with on_portal_db():
        from portal.services.demands import appeals as appeal_service

        appeal_service.submit_appeal(actor=_actor("zhujianju"), case_id=case_id, reason="评价与事实不符")
    client = _session_client(portal_server, "zhujianju")  # the unit decides its own appeal
    try:
        client.send(f"{RECT}.load", {}, path="/staff/rectifications")
        client.send(f"{RECT}.select_case", {"case_id": case_id}, path="/staff/rectifications")
        client.send(f"{RECT}.decide", {"form": {"decision": "uphold", "opinion": "自己说了算"}},
                    path="/staff/rectifications")  # fmt: skip
    finally:
        client.close()
    assert "无权执行此操作" in client.text()
    status = "SELECT status FROM rating_appeal WHERE demand_id=:d"
    assert _row(portal_server.database_url, status, d=demand_id)[0] == "待复核"
    assert _row(portal_server.database_url, "SELECT excluded FROM rating WHERE demand_id=:d", d=demand_id)[0] in (
        0, False,
    )  # fmt: skip
