"""What a person notices (issue #21) in the browser: the words people type find policies, an export is
named in Beijing time, 长者模式 enlarges labels and tap targets, the 导入台账 picker says what it takes,
即时答复's 查找政策 comes before its button and 不予受理 asks before it acts, the toast region is Chinese."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.e2e.test_demand_lifecycle import _open, _status, _submit

pytestmark = pytest.mark.e2e
BEIJING = ZoneInfo("Asia/Shanghai")


def _search(page, words: str) -> None:
    page.get_by_label("关键词").fill(words)
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("status").filter(has_text=f"“{words}”:共")).to_be_visible()


def test_industry_topic_and_year_words_find_policies(new_page):
    page = new_page()
    page.goto("/policies")
    _search(page, "制造业")
    expect(page.get_by_role("link", name="市级工业企业技术改造专项资金管理办法")).to_be_visible()
    _search(page, "税费")
    expect(page.get_by_role("link", name="增值税留抵退税政策操作指引")).to_be_visible()
    year = (datetime.now(BEIJING) - timedelta(days=20)).year  # the newest demo policy's year
    _search(page, f"{year}年")
    expect(page.get_by_text("没有找到符合条件的政策")).to_have_count(0)
    expect(page.locator("main h2").first).to_be_visible()


def test_an_export_is_named_in_beijing_time(new_page):
    disp = new_page()
    login(disp, "zhongxin")
    disp.goto("/staff/reports")
    disp.get_by_label("台账", exact=True).select_option(label="企业发展、项目建设问题台账")
    disp.get_by_label("文件格式").select_option("csv")
    before = datetime.now(BEIJING).replace(second=0, microsecond=0)
    with disp.expect_download(timeout=60_000) as download:
        disp.get_by_role("button", name="导出", exact=True).click()
    after = datetime.now(BEIJING)
    stamp = re.search(r"_(\d{12})\.csv$", download.value.suggested_filename)
    assert stamp, download.value.suggested_filename
    named = datetime.strptime(stamp[1], "%Y%m%d%H%M").replace(tzinfo=BEIJING)
    assert before <= named <= after, (named, before, after)


def _px(locator, prop: str) -> float:
    return float(locator.evaluate(f"el => parseFloat(getComputedStyle(el).{prop})"))


def test_elder_mode_enlarges_labels_and_tap_targets(new_page):
    page = new_page()
    page.goto("/login")
    label = page.locator("label[for='f-username']")
    button = page.get_by_role("button", name="登录")
    expect(label).to_be_visible()
    normal_label = _px(label, "fontSize")
    page.get_by_role("button", name="长者模式").click()
    expect(page.locator("html")).to_have_attribute("data-elder", "on")
    assert _px(label, "fontSize") >= 18 > normal_label
    assert button.bounding_box()["height"] >= 60
    assert page.get_by_label("用户名").bounding_box()["height"] >= 60
    assert _px(label, "lineHeight") / _px(label, "fontSize") >= 1.3
    login(page, "zhongxin")  # a staff form: its labels and table cells grow as well
    page.goto("/staff/reports")
    expect(page.get_by_label("文件格式")).to_be_visible()
    assert _px(page.locator("label[for='f-file_format']"), "fontSize") >= 18
    assert page.get_by_role("button", name="导出", exact=True).bounding_box()["height"] >= 60


def test_the_import_picker_says_it_takes_one_xlsx(new_page):
    disp = new_page()
    login(disp, "zhongxin")
    disp.goto("/staff/reports")
    picker = disp.get_by_label(re.compile("^问题台账文件"))
    expect(picker).to_have_attribute("aria-label", re.compile(r"一个 \.xlsx.*5MB"))
    expect(picker).not_to_have_attribute("multiple", "")
    card = disp.get_by_role("heading", name="导入台账").locator("..")
    expect(card.get_by_text("最多5个")).to_have_count(0)
    expect(card.get_by_text(re.compile(r"一个 \.xlsx 问题台账"))).to_be_visible()


def test_instant_answer_finder_first_and_refusal_asks_first(new_page):
    ent, disp = new_page(), new_page()
    login(ent, "qiye1")
    login(disp, "zhongxin")
    demand_id = _submit(ent, "请求撤销已生效的行政处罚")
    _open(disp, demand_id)
    finder = disp.get_by_label("查找政策")
    answer_button = disp.get_by_role("button", name="即时答复")
    assert finder.bounding_box()["y"] < answer_button.bounding_box()["y"]
    dispatch_bg = disp.get_by_role("button", name="派单", exact=True).evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    refuse = disp.get_by_role("button", name="不予受理")
    assert refuse.evaluate("el => getComputedStyle(el).backgroundColor") != dispatch_bg

    disp.get_by_label("不予受理理由").fill("属于行政复议事项,请依法申请复议")
    refuse.click()
    dialog = disp.get_by_role("alertdialog")
    expect(dialog.get_by_text("确认不予受理?")).to_be_visible()
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    _status(disp, "待受理")  # nothing happened

    refuse.click()
    disp.get_by_role("alertdialog").get_by_role("button", name="确认不予受理").click()
    _status(disp, "不予受理")
    region = disp.locator("section[aria-label]")
    expect(region.first).to_have_attribute("aria-label", re.compile("^通知"))
    assert "Notifications" not in (region.first.get_attribute("aria-label") or "")
