"""A person registers, logs in and out, gets locked out, and each staff role sees its own console."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import login, path_is

pytestmark = pytest.mark.e2e


def test_register_with_valid_code_then_log_in(new_page):
    page = new_page()
    page.goto("/register")
    page.get_by_label("企业名称").fill("泰安新注册材料有限公司")
    page.get_by_label("统一社会信用代码").fill("91110108551385082Q")
    page.get_by_label("所属镇街").select_option(label="西城街道")
    page.get_by_label("所属行业").select_option(label="制造业")
    page.get_by_label("企业规模").select_option(label="小型")
    page.get_by_label("联系人").fill("赵六")
    page.get_by_label("联系电话").fill("13905380009")
    page.get_by_label("用户名").fill("newco2026")
    page.get_by_label("密码", exact=True).fill("Kite-Harbour-58")
    page.get_by_label("确认密码").fill("Kite-Harbour-58")
    page.get_by_role("button", name="注册").click()
    expect(page).to_have_url(path_is("/login"))
    login(page, "newco2026", "Kite-Harbour-58")
    expect(page).to_have_url(path_is("/my"))
    expect(page.get_by_text("泰安新注册材料有限公司")).to_be_visible()


def test_invalid_code_is_shown_beside_the_field(new_page, portal_server):
    page = new_page()
    page.goto("/register")
    page.get_by_label("企业名称").fill("校验失败测试有限公司")
    page.get_by_label("统一社会信用代码").fill("914403001922038217")
    page.get_by_label("所属行业").select_option(label="制造业")
    page.get_by_label("企业规模").select_option(label="小型")
    page.get_by_label("联系人").fill("钱七")
    page.get_by_label("联系电话").fill("13905380010")
    page.get_by_label("用户名").fill("badcode01")
    page.get_by_label("密码", exact=True).fill("Kite-Harbour-58")
    page.get_by_label("确认密码").fill("Kite-Harbour-58")
    page.get_by_role("button", name="注册").click()
    expect(page.locator("#credit_code-error")).to_contain_text("校验位不正确")
    expect(page).to_have_url(path_is("/register"))
    engine = create_engine(portal_server.database_url)
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT count(*) FROM enterprise WHERE name='校验失败测试有限公司'")).scalar() == 0
        )
    engine.dispose()


def test_five_wrong_passwords_lock_the_account(new_page, on_portal_db):
    from portal.services.accounts.staff_accounts import create_staff_user

    with on_portal_db():  # an account of its own, so the lock troubles no other test
        create_staff_user(
            actor=None, username="lockme01", display_name="锁定测试", role="leader", password="Lockme2026"
        )
    page = new_page()
    for attempt in range(5):
        login(page, "lockme01", "Wrong-pass-1", expect_success=False)
        expected = "15分钟" if attempt == 4 else "用户名或密码错误"
        expect(page.get_by_role("alert")).to_contain_text(expected)
    login(page, "lockme01", "Lockme2026", expect_success=False)  # the right password is refused while locked
    expect(page.get_by_role("alert")).to_contain_text("15分钟")
    expect(page).to_have_url(path_is("/login"))


@pytest.mark.parametrize(
    "username, role_label, present, absent",
    [
        ("zhongxin", "推进中心", ["受理派单", "延期审批", "回访", "办结核查", "督办"], ["部门工单", "系统管理"]),
        ("ziguiju", "承办单位", ["部门工单", "诉求查询"], ["受理派单", "督办", "系统管理"]),
        ("lingdao", "领导", ["督办", "统计通报"], ["受理派单", "部门工单", "系统管理"]),
        ("admin", "系统管理员", ["系统管理", "政策管理"], ["受理派单", "部门工单"]),
    ],
)
def test_each_staff_role_lands_on_its_own_console(new_page, username, role_label, present, absent):
    page = new_page()
    login(page, username)
    expect(page).to_have_url(path_is("/staff"))
    menu = page.get_by_role("navigation", name="工作台菜单")
    expect(page.get_by_text(role_label).first).to_be_visible()
    for label in present:
        expect(menu.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in absent:
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_count(0)


def test_enterprise_cannot_open_staff_pages(new_page):
    page = new_page()
    login(page, "qiye1")
    expect(page).to_have_url(path_is("/my"))
    page.goto("/staff/dispatch")
    expect(page).to_have_url(path_is("/my"))


def test_logout_ends_the_session_and_the_old_token_is_dead(new_page, browser, portal_server):
    page = new_page()
    login(page, "zhujianju")
    expect(page).to_have_url(path_is("/staff"))
    # The served page is static HTML until React takes over: wait for what only the live page shows (the
    # viewer's name), or the click on 退出 may land before any handler is attached and be lost.
    expect(page.get_by_role("main").get_by_text("住建局经办人")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "qs_session")
    token = cookie["value"]
    assert len(token) >= 40 and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find(token) == -1  # no script on the page can read it
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(path_is("/login"))
    # Replaying the old cookie in a fresh browser does not get in.
    replay = browser.new_context(base_url=portal_server.url)
    replay.add_cookies([{"name": "qs_session", "value": token, "url": portal_server.url}])
    other = replay.new_page()
    other.goto("/staff")
    expect(other).to_have_url(path_is("/login"))
    replay.close()


def test_protected_page_without_login_goes_to_login(new_page):
    page = new_page()
    page.goto("/admin")
    expect(page).to_have_url(path_is("/login"))


def test_phone_width_console_is_usable(new_page):
    page = new_page(width=390, height=844)
    login(page, "zhongxin")
    expect(page).to_have_url(path_is("/staff"))
    menu = page.get_by_role("navigation", name="工作台菜单")
    expect(menu.get_by_role("link", name="受理派单")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
