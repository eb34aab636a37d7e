"""账号认领 in the browser: the 推进中心 finds a squatted credit code, hands the real enterprise a new
account, the squatter is locked out at once and the new owner logs in with the password shown once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, path_is

pytestmark = pytest.mark.e2e


def test_the_centre_reassigns_a_squatted_enterprise(new_page, on_portal_db):
    from portal.core.security import credit_code_check_char
    from portal.services.accounts import enterprise_accounts

    first17 = "91370900MA3C0QT01"
    code = first17 + credit_code_check_char(first17)
    with on_portal_db():
        enterprise_accounts.register_enterprise(
            form=enterprise_accounts.EnterpriseRegistration(
                enterprise_name="被抢注示例有限公司",
                credit_code=code,
                contact_name="冒名者",
                contact_phone="13805380077",
                username="squatter01",
                password="Squat-Harbour-61",
                password_confirm="Squat-Harbour-61",
                industry="制造业",
                scale="小型",
            )
        )
    squatter = new_page()
    login(squatter, "squatter01", "Squat-Harbour-61")

    centre = new_page()
    login(centre, "zhongxin")
    centre.goto("/staff/enterprises/claims")
    expect(centre.get_by_role("heading", name="企业账号认领")).to_be_visible()
    centre.get_by_label("统一社会信用代码").fill(code.lower())
    centre.get_by_role("button", name="查询", exact=True).click()
    expect(centre.get_by_text("被抢注示例有限公司")).to_be_visible()
    expect(centre.get_by_role("cell", name="squatter01")).to_be_visible()
    centre.get_by_role("button", name="确认认领").click()
    expect(centre.get_by_text("请写明核验了哪些材料")).to_be_visible()  # nothing happens without evidence
    centre.get_by_label("新联系人").fill("真老板")
    centre.get_by_label("联系电话").fill("13805389999")
    centre.get_by_label("新用户名").fill("realowner01")
    centre.get_by_label("核验材料").fill("营业执照原件、法定代表人身份证")
    centre.get_by_role("button", name="确认认领").click()
    notice = centre.get_by_role("status").filter(has_text="初始密码")
    expect(notice).to_be_visible()
    password = re.search(r"初始密码:(\w+)", notice.inner_text()).group(1)
    expect(centre.get_by_role("cell", name="realowner01")).to_be_visible()
    expect(centre.get_by_role("row").filter(has_text="squatter01")).to_contain_text("已停用")
    expect(centre.get_by_role("row").filter(has_text="realowner01")).to_contain_text("正常")

    # The squatter's open session is dead: the next page load sends them to 登录.
    squatter.goto("/my/demands")
    expect(squatter).to_have_url(path_is("/login"))
    owner = new_page()
    login(owner, "realowner01", password, expect_success=False)
    # The centre saw the initial password: the owner replaces it before anything else (issue #20).
    expect(owner).to_have_url(path_is("/my/password"))
    owner.get_by_label("当前密码").fill(password)
    owner.get_by_label("新密码", exact=True).fill("Real-Owner-Kite-92")
    owner.get_by_label("确认新密码").fill("Real-Owner-Kite-92")
    owner.get_by_role("button", name="修改密码").click()
    expect(owner).to_have_url(path_is("/my"))

    # A handler may not open the claims page; the 企业台账 it may open has no claim form.
    handler = new_page()
    login(handler, "dongjie")
    handler.goto("/staff/enterprises/claims")
    expect(handler).to_have_url(path_is("/staff"))
    handler.goto("/staff/enterprises")
    expect(handler.get_by_role("heading", name="企业台账")).to_be_visible()
    expect(handler.get_by_role("heading", name="企业账号认领")).to_have_count(0)
