"""一类问题 in the browser (issue #26): the centre opens the demo's candidate group (four enterprises of 东街街道
reporting the 园区 power cuts), confirms it with a 牵头单位 and a 类问题答复 and sends it; qiye1 finds the answer
as a public event on its own demand; a handler calling the send handler directly is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from portal import routes
from portal.state.classes.problem_classes import ClassDetailState, ClassesState
from tests.e2e.conftest import login
from tests.e2e.test_hostile_demands import _session_client

pytestmark = pytest.mark.e2e
ANSWER = "已协调供电公司对东街工业园区线路全面排查,本月底前完成老旧线路改造,计划停电提前三天通知企业。"


def _scalar(database_url: str, sql: str):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        value = connection.execute(text(sql)).scalar()
    engine.dispose()
    return value


def _answers(database_url: str) -> int:
    return _scalar(database_url, "SELECT count(*) FROM timeline_event WHERE action = '一类问题答复'")


def test_centre_confirms_a_group_and_its_answer_reaches_the_enterprise(new_page, portal_server):
    before = _answers(portal_server.database_url)
    page = new_page()
    login(page, "zhongxin")
    page.goto("/staff/classes")
    expect(page.get_by_text("按成员数从多到少")).to_be_visible()
    page.get_by_role("link", name="东街工业园区突然停电影响生产").click()
    expect(page.get_by_role("heading", name="成员诉求")).to_be_visible()
    members = page.get_by_role("region", name="成员诉求")
    expect(members.get_by_role("row")).to_have_count(5)  # the header and four demands
    page.get_by_role("button", name="确认为一类问题").click()
    expect(page.locator("#answer-error")).to_contain_text("请填写类问题答复")  # nothing saved
    page.get_by_label("名称").fill("东街工业园区频繁停电")
    page.get_by_label("牵头单位").select_option(label="东街街道")
    page.get_by_label("类问题答复").fill(ANSWER)
    page.get_by_role("button", name="确认为一类问题").click()
    expect(page.get_by_text("已确认为一类问题").first).to_be_visible()
    page.get_by_role("button", name="发送答复").click()
    expect(page.get_by_text(re.compile("已向4件诉求发送答复")).first).to_be_visible()
    expect(members.get_by_text("已发送", exact=True)).to_have_count(4)
    page.get_by_role("button", name="发送答复").click()  # a second press sends nothing again
    expect(page.get_by_text(re.compile("已向0件诉求发送答复,4件此前已收到")).first).to_be_visible()
    assert _answers(portal_server.database_url) == before + 4

    page.goto("/staff/classes")
    page.get_by_role("tab", name="已确认").click()
    expect(page.get_by_role("link", name="东街工业园区频繁停电")).to_be_visible()

    visitor = new_page()
    login(visitor, "qiye1")
    # By its address: other e2e tests add demands for qiye1 and can push this one off 我的诉求's first page.
    outage = _scalar(portal_server.database_url, "SELECT id FROM demand WHERE title = '东街工业园区突然停电影响生产'")
    visitor.goto(routes.my_demand(outage))
    expect(visitor.get_by_role("heading", name="东街工业园区突然停电影响生产")).to_be_visible()
    expect(visitor.get_by_text(re.compile("已归入一类问题“东街工业园区频繁停电”"))).to_be_visible()
    expect(visitor.get_by_text(re.compile("本月底前完成老旧线路改造"))).to_be_visible()


def test_a_handler_sees_only_the_classes_its_unit_leads(new_page):
    page = new_page()
    login(page, "ziguiju")
    page.goto("/staff/classes")
    expect(page.get_by_text("暂无分组")).to_be_visible()
    expect(page.get_by_role("button", name="重新分析")).to_have_count(0)


@pytest.mark.parametrize("who", ["dongjie", "qiye2", "lingdao"])
def test_raw_events_from_others_change_nothing_and_show_nothing(portal_server, who):
    url = portal_server.database_url
    hiring = _scalar(url, "SELECT id FROM problem_class WHERE name = '高新区企业技术工人招聘难'")
    member = _scalar(url, f"SELECT id FROM problem_class_member WHERE class_id = {hiring}")
    counts = "SELECT (SELECT count(*) FROM problem_class) * 1000 + (SELECT count(*) FROM timeline_event)"
    before = (_scalar(url, counts), _scalar(url, "SELECT count(*) FROM problem_class_member WHERE removed_at IS NULL"))
    detail, listing = ClassDetailState.get_full_name(), ClassesState.get_full_name()
    path = f"/staff/classes/{hiring}"
    client = _session_client(portal_server, who)
    try:
        client.send(f"{detail}.load", {}, path=path)
        form = {"name": "越权", "lead_unit_id": "1", "answer": "越权写入的类问题答复内容。"}
        client.send(f"{detail}.confirm", {"form": form}, path=path)
        client.send(f"{detail}.remove", {"member_id": member}, path=path)
        client.send(f"{detail}.add", {"form": {"code": "QS000"}}, path=path)
        client.send(f"{detail}.send", {}, path=path)
        client.send(f"{listing}.regroup", {}, path="/staff/classes")
    finally:
        client.close()
    received = client.text()
    assert ("泰山高新电子有限公司" in received) == (who == "lingdao")  # only a leader reads the class's members
    assert "无权执行此操作" in received and "越权" not in received
    after = (_scalar(url, counts), _scalar(url, "SELECT count(*) FROM problem_class_member WHERE removed_at IS NULL"))
    assert after == before
