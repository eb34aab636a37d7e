"""每月一题 in public (issue #26): an anonymous visitor reads this month's theme, its problems, the units' tasks
with their due dates and progress, and no enterprise's name; the centre's progress update shows there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_anonymous_visitor_sees_the_month_theme_and_tasks(new_page):
    page = new_page()
    page.goto("/monthly")
    expect(page.get_by_role("heading", name="每月一题", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="园区企业用工保障")).to_be_visible()
    expect(page.get_by_text("高新区企业技术工人招聘难")).to_be_visible()  # a problem drawn from a class
    tasks = page.get_by_role("region", name="任务进度")
    expect(tasks.get_by_role("cell", name="举办高新区专场招聘会")).to_be_visible()
    expect(tasks.get_by_role("cell", name="市人力资源和社会保障局").first).to_be_visible()
    expect(tasks.get_by_text("已完成")).to_be_visible()
    expect(tasks.get_by_text("已确定招聘会场地和参会企业", exact=False)).to_be_visible()
    body = page.locator("main").inner_text()
    assert "有限公司" not in body and "泰安示例" not in body  # no enterprise data


def test_a_progress_update_shows_in_public(new_page):
    page = new_page()
    login(page, "zhongxin")
    page.goto("/staff/monthly")
    row = page.get_by_role("row").filter(has_text="开展园区技能人才订单式培训")
    row.get_by_label("完成进度(%)").fill("30")
    row.get_by_label("进展情况").fill("已与两所职业院校签订培训协议")
    row.get_by_role("button", name="更新进度").click()
    expect(page.get_by_text("进度已更新").first).to_be_visible()

    visitor = new_page()
    visitor.goto("/monthly")
    expect(visitor.get_by_text("已与两所职业院校签订培训协议", exact=False)).to_be_visible()


def test_a_unit_reports_progress_on_its_own_task_only(new_page):
    page = new_page()
    login(page, "dongjie")
    page.goto("/staff/monthly")
    expect(page.get_by_role("button", name="更新进度")).to_have_count(1)  # the other units' tasks are read-only
    expect(page.get_by_role("button", name="新增任务")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="组织辖区企业参加专场招聘会")
    row.get_by_label("完成进度(%)").fill("120")
    row.get_by_label("进展情况").fill("已通知辖区企业")
    row.get_by_role("button", name="更新进度").click()
    expect(page.get_by_text("请填写0至100之间的整数").first).to_be_visible()
    row.get_by_label("完成进度(%)").fill("50")
    row.get_by_label("进展情况").fill("已通知辖区28家企业报名")
    row.get_by_role("button", name="更新进度").click()
    expect(page.get_by_text("进度已更新").first).to_be_visible()
    expect(row.get_by_text("50%", exact=True)).to_be_visible()
