"""Demands gathered by people in the browser (issue #22): a 镇街's visit with two problems becomes two
demands shown on the visit with their status; a tea party's suggestion becomes a demand for its department;
and a 镇街 handler cannot record a visit to another 镇街's enterprise by calling the handlers directly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from portal.state.enterprises.visits import VisitsState
from tests.e2e.conftest import login
from tests.e2e.test_hostile_demands import _session_client

pytestmark = pytest.mark.e2e
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def _scalar(database_url: str, sql: str, **params):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        value = connection.execute(text(sql), params).scalar()
    engine.dispose()
    return value


def _convert(page, row_text: str, topic: str) -> None:
    page.get_by_role("row").filter(has_text=row_text).get_by_role("button", name="转为诉求").click()
    form = page.locator("form").filter(has=page.get_by_label("诉求事项"))
    form.get_by_label("诉求类型").select_option("求助")
    form.get_by_label("诉求事项").select_option(label=topic)
    form.get_by_label("计划周期").select_option("近期开展")
    form.get_by_role("button", name="转为诉求").click()
    expect(page.get_by_text("已转为诉求").first).to_be_visible()


def test_a_visit_with_two_problems_yields_two_demands(new_page, portal_server):
    page = new_page()
    login(page, "dongjie")
    page.goto("/staff/visits")
    expect(page.get_by_role("heading", name="本周征询")).to_be_visible()
    page.get_by_label("走访企业").fill("泰安示例")
    page.get_by_role("button", name="泰安示例科技有限公司").click()
    page.get_by_label("走访日期").fill(YESTERDAY)
    page.get_by_label("走访人员").fill("张三、李四")
    page.get_by_role("button", name="保存走访").click()
    expect(page.locator("#summary-error")).to_contain_text("请填写走访情况")  # beside the field; nothing saved
    page.get_by_label("走访情况").fill("了解企业生产经营情况。")
    page.get_by_label("发现问题 1").fill("厂房施工许可办理进度慢,希望加快办理。")
    page.get_by_label("发现问题 2").fill("招工难,希望组织专场招聘会帮助企业招工。")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_role("heading", name="走访详情")).to_be_visible()

    _convert(page, "厂房施工许可", "项目建设")
    _convert(page, "招工难", "人才用工")
    problems = page.get_by_role("region", name="发现问题及其诉求")
    expect(problems.get_by_text("待受理")).to_have_count(2)
    expect(problems.get_by_role("button", name="转为诉求")).to_have_count(0)  # neither can be turned twice
    assert _scalar(portal_server.database_url, "SELECT count(*) FROM demand WHERE channel = '走访征询'") >= 2

    page.goto("/staff/plans")
    expect(page.get_by_role("cell", name="厂房施工许可办理进度慢,希望加快办理。")).to_be_visible()


def test_a_meeting_suggestion_becomes_a_demand_for_its_department(new_page, portal_server):
    page = new_page()
    login(page, "zhongxin")
    page.goto("/staff/meetings")
    page.get_by_label("参会企业").fill("泰山示例")
    page.get_by_role("button", name="泰山示例建设工程有限公司").click()
    page.get_by_role("checkbox", name="市住房和城乡建设局").click()
    page.get_by_label("会议类型").select_option("政企茶话会")
    page.get_by_label("会议主题").fill("建筑企业政企茶话会")
    page.get_by_label("会议日期").fill(YESTERDAY)
    page.get_by_label("意见建议 1", exact=True).fill("希望简化厂房竣工验收流程,缩短验收时间。")
    page.get_by_label("意见建议 1 的提出企业").select_option(label="泰山示例建设工程有限公司")
    page.get_by_label("意见建议 1 的解决部门").select_option(label="市住房和城乡建设局")
    page.get_by_role("button", name="保存会议").click()
    expect(page.get_by_role("heading", name="会议详情")).to_be_visible()
    _convert(page, "竣工验收", "项目建设")
    expect(page.get_by_role("region", name="意见建议及其诉求").get_by_text("待受理")).to_be_visible()
    suggested = _scalar(
        portal_server.database_url,
        "SELECT u.name FROM demand d JOIN unit u ON u.id = d.suggested_unit_id WHERE d.channel = '政企茶话会'",
    )
    assert suggested == "市住房和城乡建设局"


def test_a_town_handler_cannot_record_a_visit_for_another_towns_enterprise(portal_server):
    url = portal_server.database_url
    foreign = _scalar(url, "SELECT id FROM enterprise WHERE name = '泰山示例建设工程有限公司'")
    before = _scalar(url, "SELECT count(*) FROM visit WHERE enterprise_id = :e", e=foreign)
    state = VisitsState.get_full_name()
    client = _session_client(portal_server, "dongjie")
    try:
        client.send(f"{state}.load", {}, path="/staff/visits")
        client.send(f"{state}.find", {"query": "泰山示例"}, path="/staff/visits")
        client.send(f"{state}.choose", {"enterprise_id": foreign}, path="/staff/visits")
        form = {
            "visited_on": YESTERDAY,
            "enterprise_id": str(foreign),
            "visitors": "张三",
            "summary": "越界走访",
            "problem_0": "越界问题",
        }
        client.send(f"{state}.record", {"form": form}, path="/staff/visits")
    finally:
        client.close()
    assert "泰山示例建设工程有限公司" not in client.text()
    assert "请从企业台账中选择走访企业" in client.text()
    assert _scalar(url, "SELECT count(*) FROM visit WHERE enterprise_id = :e", e=foreign) == before
