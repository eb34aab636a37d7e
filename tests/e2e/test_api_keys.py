"""接口密钥 in the browser, then the key over HTTP against the running portal (issue #27): the admin makes a key
for the hotline (shown once), the hotline posts a demand with it and reads the public timeline, the admin
revokes it and the next call is refused."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

BODY = {
    "service_code": "",
    "description": "我公司厂区门前道路破损严重,货车进出困难,希望协调尽快修复。",
    "last_name": "王",
    "first_name": "经理",
    "phone": "13805380001",
    "attribute[credit_code]": "91370900MA3C7K2L07",
    "attribute[enterprise_name]": "泰安示例科技有限公司",
}


def test_admin_makes_a_key_the_hotline_uses_it_then_it_is_revoked(new_page, portal_server):
    api = portal_server.url + "/api/open311/v2"
    page = new_page()
    login(page, "admin")
    page.goto("/admin/api-keys")
    expect(page.get_by_role("heading", name="新建密钥")).to_be_visible()
    page.get_by_label("接入系统名称").fill("12345热线(测试)")
    page.get_by_label("每分钟调用上限").fill("30")
    page.get_by_role("checkbox", name="东街街道").click()
    page.get_by_role("button", name="生成密钥").click()
    notice = page.get_by_role("status").filter(has_text="只显示这一次")
    expect(notice).to_be_visible()
    key = page.locator("#new-api-key").inner_text().strip()
    assert key.startswith("qs311_")
    row = page.get_by_role("row").filter(has_text="12345热线(测试)")
    expect(row).to_contain_text("东街街道")
    expect(row).to_contain_text("启用中")
    page.get_by_role("button", name="我已保存").click()
    expect(notice).to_have_count(0)
    page.reload()
    expect(page.get_by_role("row").filter(has_text="12345热线(测试)")).to_be_visible()
    assert key not in page.content()  # shown once: never again

    services = httpx.get(f"{api}/services.json").json()
    body = {**BODY, "service_code": next(s["service_code"] for s in services if s["service_name"] == "项目建设")}
    posted = httpx.post(f"{api}/requests.json", data=body, headers={"X-Api-Key": key, "Idempotency-Key": "e2e-1"})
    assert posted.status_code == 201, posted.text
    code = posted.json()[0]["service_request_id"]
    updates = httpx.get(f"{api}/requests/{code}/updates.json", headers={"X-Api-Key": key}).json()
    assert [u["description"] for u in updates] == ["代企业登记(接口)"] and updates[0]["notes"]
    public = httpx.get(f"{api}/requests/{code}.json").json()[0]
    assert public["status"] == "open" and public["description"] is None

    page.reload()
    row = page.get_by_role("row").filter(has_text="12345热线(测试)")
    expect(row).to_contain_text("2 / 0")  # two calls with the key, none refused
    row.get_by_role("button", name="停用 12345热线(测试)").click()
    page.get_by_role("alertdialog").get_by_role("button", name="确认停用").click()
    expect(row).to_contain_text("已停用")
    refused = httpx.post(f"{api}/requests.json", data=body, headers={"X-Api-Key": key, "Idempotency-Key": "e2e-2"})
    assert refused.status_code == 403
    assert refused.json() == [{"code": 403, "description": "api_key 已停用"}]
