"""What a person notices first (issue #21 part A): the home page's figures as tiles on a desktop and a
phone, the enterprise's home /my (its guide the first time), a Chinese page for unknown addresses, page
titles, and the leader's 12-month chart whose labels no longer run together."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, path_is

pytestmark = pytest.mark.e2e

SITE = "企业诉求接诉即办服务平台"
TILES = ["本月受理", "按期办结率", "满意率", "平均办理用时"]


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None
    return box


def _disjoint(a: dict, b: dict) -> bool:
    return (
        a["x"] + a["width"] <= b["x"] + 0.5
        or b["x"] + b["width"] <= a["x"] + 0.5
        or a["y"] + a["height"] <= b["y"] + 0.5
        or b["y"] + b["height"] <= a["y"] + 0.5
    )


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_home_shows_each_figure_in_its_own_tile(new_page, width):
    page = new_page(width=width, height=900)
    page.goto("/")
    expect(page).to_have_title(f"首页 - {SITE}")
    figures = page.get_by_role("region", name="办理情况")
    tiles = [figures.get_by_role("group", name=name, exact=True).first for name in TILES]
    for tile in tiles:
        expect(tile).to_be_visible()
    # Each tile: its label, a number with its unit, and the period ("2026年3月").
    expect(tiles[0]).to_contain_text(re.compile(r"本月受理\d+件\d{4}年\d{1,2}月"))
    expect(tiles[3]).to_contain_text(re.compile(r"平均办理用时(\d+\.\d|—)"))
    year = figures.get_by_role("group", name="本年受理")
    expect(year).to_contain_text(re.compile(r"\d+件\d{4}年"))
    # The demo world's history: answered in some working days, mostly satisfied, not everything on time.
    avg = figures.get_by_role("group", name="平均办理用时").nth(1).inner_text()
    assert float(re.search(r"(\d+\.\d)", avg).group(1)) > 0, avg
    rate = figures.get_by_role("group", name="满意率").nth(1).inner_text()
    assert 60 <= float(re.search(r"(\d+\.\d)", rate).group(1)) <= 100, rate
    # Tiles never overlap; on a phone two side by side, and nothing scrolls sideways.
    boxes = [_box(t) for t in tiles]
    assert all(_disjoint(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2
    if width == 390:
        assert boxes[2]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1  # the second row
    else:
        assert abs(boxes[0]["y"] - boxes[3]["y"]) < 2  # one row of four
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The three entries, the newest policies and the promise.
    expect(page.get_by_role("link", name=re.compile("^进度查询"))).to_have_attribute("href", "/track")
    expect(page.get_by_role("link", name=re.compile("^提交诉求"))).to_have_attribute("href", "/my/demands/new")
    expect(page.get_by_role("link", name=re.compile("^政策一站查")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"按发布日期从新到旧,显示最新 5 条"))).to_be_visible()
    policy_links = page.locator("a[href^='/policies/']")
    expect(policy_links).to_have_count(5)
    policy_links.first.click()
    expect(page).to_have_url(re.compile(r"/policies/\d+/?$"))
    page.go_back()
    expect(page.get_by_role("link", name="进入政策一站查 →")).to_be_visible()
    expect(page.get_by_text("一般诉求", exact=True)).to_be_visible()
    expect(page.get_by_text("5个工作日内办结", exact=True)).to_be_visible()


def test_enterprise_lands_on_its_home_with_demands_messages_and_recommendations(new_page):
    page = new_page()
    login(page, "qiye1")
    expect(page).to_have_url(path_is("/my"))
    expect(page).to_have_title(f"企业首页 - {SITE}")
    expect(page.get_by_role("heading", name="企业首页", level=1)).to_be_visible()
    recent = page.get_by_role("region", name="最近诉求")
    expect(recent).to_contain_text(re.compile(r"共 \d+ 件,按提交时间从新到旧,显示最近 5 件"))
    expect(recent.get_by_role("listitem")).to_have_count(5)
    unread = page.get_by_role("region", name="未读消息")
    expect(unread).to_contain_text(re.compile(r"共 \d+ 条未读"))
    recommended = page.get_by_role("region", name="为您推荐")
    expect(recommended.locator("a[href^='/policies/']").first).to_be_visible()
    expect(recommended).to_contain_text("匹配:")
    # Not a first visit: the guide is folded away, still there to open.
    expect(page.get_by_role("region", name="办事指引")).to_be_hidden()
    page.get_by_text("办事指引与办理时限").click()
    expect(page.get_by_role("region", name="办事指引")).to_be_visible()
    # The header and the tabs lead back here.
    page.goto("/policies")
    page.get_by_role("banner").get_by_role("link", name="企业首页").click()
    expect(page).to_have_url(path_is("/my"))
    recent.get_by_role("link", name="查看全部诉求 →").click()
    expect(page).to_have_url(path_is("/my/demands"))
    expect(page).to_have_title(f"我的诉求 - {SITE}")


def test_a_first_time_enterprise_sees_the_guide_first(new_page, on_portal_db):
    from portal.core.security import CREDIT_CODE_CHARSET, credit_code_check_char
    from portal.services.accounts.enterprise_accounts import EnterpriseRegistration, register_enterprise

    first17 = "91370900MA3NH2021"
    code = first17 + credit_code_check_char(first17)
    assert set(code) <= set(CREDIT_CODE_CHARSET)
    with on_portal_db():
        register_enterprise(
            form=EnterpriseRegistration(
                enterprise_name="泰安初次使用有限公司",
                credit_code=code,
                contact_name="周七",
                contact_phone="13905380021",
                username="firsttime21",
                password="Lantern-Meadow-73",
                password_confirm="Lantern-Meadow-73",
            )
        )
    page = new_page(width=390, height=844)
    login(page, "firsttime21", "Lantern-Meadow-73")
    expect(page).to_have_url(path_is("/my"))
    guide = page.get_by_role("region", name="办事指引")
    expect(guide).to_be_visible()
    expect(guide).to_contain_text("提交诉求")
    expect(guide).to_contain_text("派单后1个工作日内")  # what happens next, and how soon
    expect(guide).to_contain_text("5个工作日内办结")
    expect(page.get_by_role("region", name="最近诉求")).to_contain_text("暂无诉求。")
    expect(page.get_by_role("region", name="未读消息")).to_contain_text("暂无未读消息。")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    guide.get_by_role("link", name="提交诉求").click()
    expect(page).to_have_url(path_is("/my/demands/new"))


def test_an_unknown_address_shows_a_chinese_page_with_the_header(new_page):
    page = new_page()
    page.goto("/no/such/page")
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page).to_have_title(f"页面不存在 - {SITE}")
    expect(page.get_by_text("404: Page not found")).to_have_count(0)
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name="政策一站查")).to_be_visible()
    expect(banner.get_by_role("link", name="登录")).to_be_visible()
    page.get_by_role("link", name="返回首页").click()
    expect(page).to_have_url(path_is("/"))

    login(page, "qiye1")
    page.goto("/my/nothing-here")
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="企业首页").click()
    expect(page).to_have_url(path_is("/my"))


def test_every_page_title_names_the_page(new_page):
    page = new_page()
    for route, title in (("/policies", "惠企政策一站查"), ("/login", "登录"), ("/register", "企业注册")):
        page.goto(route)
        expect(page).to_have_title(f"{title} - {SITE}")


def test_the_leaders_chart_labels_stand_apart_and_its_definition_is_said(new_page):
    page = new_page()
    login(page, "lingdao")
    expect(page).to_have_title(f"工作台 - {SITE}")
    expect(page.get_by_label("待办统计").get_by_text("已办结(已销号)")).to_be_visible()
    expect(page.get_by_text(re.compile("“办结”指承办单位已答复"))).to_be_visible()
    ticks = page.locator("svg text").filter(has_text=re.compile(r"^\d{4}-\d{2}$"))
    expect(ticks).to_have_count(12)
    boxes = [_box(ticks.nth(i)) for i in range(12)]
    overlapping = [(i, i + 1) for i in range(11) if not _disjoint(boxes[i], boxes[i + 1])]
    assert not overlapping, (overlapping, boxes)
