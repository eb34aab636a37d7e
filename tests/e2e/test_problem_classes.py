"""一类问题 in the browser (issue #26): the centre opens the demo's candidate group (four enterprises of 东街街道
reporting the 园区 power cuts), confirms it with a 牵头单位 and a 类问题答复 and sends it; qiye1 finds the answer
as a public event on its own demand; a handler calling the send handler directly is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e
ANSWER = "已协调供电公司对东街工业园区线路全面排查,本月底前完成老旧线路改造,计划停电提前三天通知企业。"


def _answers(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        value = connection.execute(text("SELECT count(*) FROM timeline_event WHERE action = '一类问题答复'")).scalar()
    engine.dispose()
    return value


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
    visitor.goto("/my/demands")
    visitor.get_by_role("link", name="东街工业园区突然停电影响生产").first.click()
    expect(visitor.get_by_text(re.compile("已归入一类问题“东街工业园区频繁停电”"))).to_be_visible()
    expect(visitor.get_by_text(re.compile("本月底前完成老旧线路改造"))).to_be_visible()


def test_a_handler_sees_only_the_classes_its_unit_leads(new_page):
    page = new_page()
    login(page, "ziguiju")
    page.goto("/staff/classes")
    expect(page.get_by_text("暂无分组")).to_be_visible()
    expect(page.get_by_role("button", name="重新分析")).to_have_count(0)
