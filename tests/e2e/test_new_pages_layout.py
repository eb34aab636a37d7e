"""What a person noticed walking through this session's new pages (通知设置, 消息发送, 接口密钥, 类似诉求) at
1280 px and 390 px: cards that touched, a heading said twice, a category repeated as its own hint, tables
whose last columns ran out of sight, and a hint pointing at a button by a name it does not have."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

# True when the element's content fits its width (no column hidden behind a sideways scroll).
FITS = "el => el.scrollWidth <= el.clientWidth + 1"


def _gap_between(upper, lower) -> float:
    above, below = upper.bounding_box(), lower.bounding_box()
    return below["y"] - (above["y"] + above["height"])


def test_the_notice_card_stands_apart_from_the_enterprise_card(new_page):
    page = new_page()
    login(page, "qiye1")
    page.goto("/my/profile")
    button = page.get_by_role("button", name="保存通知设置")
    expect(button).to_be_visible()
    info_card = page.get_by_text("企业信息如需变更", exact=False).locator("..")
    notice_card = page.get_by_role("heading", name="通知设置").locator("..")
    assert _gap_between(info_card, notice_card) >= 12


def test_the_staff_notice_page_says_its_title_once_and_no_category_twice(new_page):
    page = new_page()
    login(page, "zhongxin")
    page.goto("/staff/profile")
    expect(page.get_by_role("button", name="保存通知设置")).to_be_visible()
    expect(page.get_by_role("heading", name="通知设置")).to_have_count(1)
    # 新工单 is one kind of notice: its label is the word alone, not "新工单 新工单".
    label = page.locator("label").filter(has=page.get_by_role("checkbox", name=re.compile("^新工单")))
    expect(label).to_have_text("新工单")
    expect(page.locator("label").filter(has_text="督办预警")).to_contain_text("预警、签收超时")


def test_the_outbox_channels_fit_a_phone(new_page):
    page = new_page(width=390)
    login(page, "admin")
    page.goto("/admin/outbox")
    channels = page.get_by_role("region", name="发送渠道")
    expect(channels).to_contain_text("PORTAL_SMTP_HOST")
    # The address links in messages start with, said as such (it read "链接地址 已开通", as if a channel).
    expect(channels.get_by_role("row").filter(has_text="通知中的链接")).to_contain_text("办理链接以此开头")
    assert channels.evaluate(FITS)


def test_the_key_list_fits_the_page_after_a_key_is_made_and_revoked(new_page):
    page = new_page()
    login(page, "admin")
    page.goto("/admin/api-keys")
    intro = page.get_by_text("每个接入系统", exact=False)
    expect(intro).to_be_visible()
    assert _gap_between(intro, page.get_by_text("接入系统名称", exact=True)) >= 4
    page.get_by_label("接入系统名称").fill("园区服务热线(排版)")
    page.get_by_role("button", name="生成密钥").click()
    expect(page.locator("#new-api-key")).to_be_visible()
    page.get_by_role("button", name="我已保存").click()
    row = page.get_by_role("row").filter(has_text="园区服务热线(排版)")
    row.get_by_role("button", name="停用 园区服务热线(排版)").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("确认停用“园区服务热线(排版)”的密钥?")
    dialog.get_by_role("button", name="取消").click()  # a slip of the hand changes nothing
    expect(dialog).to_have_count(0)
    expect(row).to_contain_text("启用中")
    row.get_by_role("button", name="停用 园区服务热线(排版)").click()
    dialog.get_by_role("button", name="确认停用").click()
    expect(row).to_contain_text("已停用")
    keys = page.get_by_role("region", name="接口密钥列表")
    assert keys.evaluate(FITS)
    expect(row.get_by_text("已停用", exact=False)).to_be_in_viewport()


def test_the_similar_hint_names_the_button_it_means(new_page):
    page = new_page(width=390)
    login(page, "dongjie")
    page.goto("/staff/intake")
    page.get_by_label("诉求事项").select_option(label="用地规划")
    page.get_by_label("标题").fill("申请调整厂区用地规划条件")
    page.get_by_label("诉求内容").fill("企业厂区地块的规划条件容积率偏低,新建车间无法满足生产需要,希望调整规划条件。")
    page.get_by_label("诉求内容").press("Tab")
    panel = page.get_by_role("region", name="类似诉求")
    expect(panel).to_contain_text("仍可点击下方“登记诉求”")
    # It appeared when 诉求内容 was left: a polite live region (there before it) tells a screen reader so.
    expect(panel.locator("xpath=..")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("button", name="登记诉求", exact=True)).to_be_visible()
    assert panel.evaluate(FITS)


def test_a_key_made_on_a_phone_is_brought_into_view_copied_and_closed_by_keyboard(new_page):
    page = new_page(width=390)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(page, "admin")
    page.goto("/admin/api-keys")
    page.get_by_label("接入系统名称").fill("园区服务热线(手机)")
    page.get_by_role("button", name="生成密钥").click()
    # The key appears at the top of the page, far above the button: the view and the focus go to it.
    copy = page.get_by_role("button", name="复制密钥")
    expect(copy).to_be_focused()
    expect(page.locator("#new-api-key")).to_be_in_viewport()
    key = page.locator("#new-api-key").inner_text().strip()
    page.keyboard.press("Enter")
    expect(page.get_by_text("密钥已复制到剪贴板")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    page.get_by_role("button", name="我已保存").click()
    expect(page.locator("#new-api-key")).to_have_count(0)
    expect(page.get_by_label("接入系统名称")).to_be_focused()  # not lost to the page's start


def test_an_e_mail_address_is_read_whole_in_elder_mode(new_page):
    page = new_page()
    login(page, "ziguiju")
    page.goto("/staff/profile")
    email = page.get_by_label("电子邮箱")
    expect(email).to_have_value("ziguiju@example.gov.cn")
    page.get_by_role("button", name="长者模式").click()
    expect(page.locator("html")).to_have_attribute("data-elder", "on")
    assert email.evaluate(FITS)
