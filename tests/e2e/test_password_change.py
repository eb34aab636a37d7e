"""修改密码 in the browser (issue #20 item 12): an enterprise changes its password from the header link,
weak and username-bearing passwords are refused beside the field, and its other device is logged out; a
staff account whose password an admin reset can open nothing but the change page until it is changed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, path_is

pytestmark = pytest.mark.e2e
FIRST = "Tide-Lantern-58"
NEW = "Quiet-Harbour-Kite-73"


def _change(page, current: str, new: str, confirm: str | None = None) -> None:
    page.get_by_label("当前密码").fill(current)
    page.get_by_label("新密码", exact=True).fill(new)
    page.get_by_label("确认新密码").fill(new if confirm is None else confirm)
    page.get_by_role("button", name="修改密码").click()


def test_an_enterprise_changes_its_password_and_its_other_device_is_logged_out(new_page, on_portal_db):
    from portal.core.security import credit_code_check_char
    from portal.services.accounts import enterprise_accounts

    first17 = "91370900MA3C0PW01"
    with on_portal_db():
        enterprise_accounts.register_enterprise(
            form=enterprise_accounts.EnterpriseRegistration(
                enterprise_name="改密测试有限公司",
                credit_code=first17 + credit_code_check_char(first17),
                contact_name="孙八",
                contact_phone="13805380066",
                username="pwchange01",
                password=FIRST,
                password_confirm=FIRST,
                industry="制造业",
                scale="小型",
            )
        )
    phone, page = new_page(width=390, height=844), new_page()
    login(phone, "pwchange01", FIRST)  # the other device
    login(page, "pwchange01", FIRST)
    page.get_by_role("link", name="修改密码").click()
    expect(page).to_have_url(path_is("/my/password"))
    expect(page.locator("#new_password-hint")).to_contain_text("不能包含用户名")  # the rules beside the field
    for weak, words in (("Passw0rd1", "常用密码"), ("pwchange01-Kite", "不能包含用户名")):
        _change(page, FIRST, weak)
        expect(page.locator("#new_password-error")).to_contain_text(words)
    _change(page, "Not-My-Password-1", NEW)
    expect(page.locator("#current_password-error")).to_contain_text("当前密码不正确")
    _change(page, FIRST, NEW, NEW + "x")
    expect(page.locator("#new_password_confirm-error")).to_contain_text("不一致")
    _change(page, FIRST, NEW)
    expect(page.get_by_text("密码已修改,其他设备上的登录已退出")).to_be_visible()
    expect(page).to_have_url(path_is("/my"))
    phone.goto("/my/demands")  # the other device's session has ended
    expect(phone).to_have_url(path_is("/login"))
    page.goto("/my/profile")  # this one goes on
    expect(page.get_by_text("改密测试有限公司").first).to_be_visible()
    again = new_page()
    login(again, "pwchange01", FIRST, expect_success=False)
    expect(again.get_by_role("alert")).to_contain_text("用户名或密码错误")
    login(again, "pwchange01", NEW)
    expect(again).to_have_url(path_is("/my"))


def test_after_an_admin_reset_every_page_leads_to_the_change_until_it_is_made(new_page, on_portal_db):
    from portal.services.accounts.staff_accounts import create_staff_user

    with on_portal_db():  # an account of its own (the demo passwords are shared by the other tests)
        create_staff_user(actor=None, username="pwreset01", display_name="改密领导", role="leader", password=FIRST)
    admin = new_page()
    login(admin, "admin")
    admin.goto("/admin")
    staff = admin.get_by_role("region", name="员工账号")
    staff.get_by_role("row").filter(has_text="pwreset01").get_by_role("button", name="重置密码").click()
    revealed = admin.locator("#revealed-password")
    expect(revealed).to_have_text(re.compile(r"^[A-Za-z0-9]{20}$"))
    handed_over = revealed.inner_text()

    leader = new_page()
    login(leader, "pwreset01", handed_over, expect_success=False)
    expect(leader).to_have_url(path_is("/staff/password"))
    expect(leader.get_by_text("您的密码由管理员设置或重置")).to_be_visible()
    for elsewhere in ("/staff", "/staff/reports", "/staff/supervision", "/"):
        leader.goto(elsewhere)
        expect(leader).to_have_url(path_is("/staff/password"))
    _change(leader, handed_over, NEW)
    expect(leader).to_have_url(path_is("/staff"))
    leader.goto("/staff/reports")
    expect(leader).to_have_url(path_is("/staff/reports"))
    leader.goto("/staff/password")  # the page stays open to every role, now without the notice
    expect(leader.get_by_role("heading", name="修改密码")).to_be_visible()
    expect(leader.get_by_text("您的密码由管理员设置或重置")).to_have_count(0)
