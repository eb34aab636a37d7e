"""The admin keeps next year's calendar current (issue #12): pastes the State Council's notice, sees what
it says, saves it, and the year turns official. (Only an October arrangement is pasted here, so the
other browser tests' deadlines, which fall within weeks of today, are not moved.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _create_staff(admin, username: str, name: str, role: str, password: str, *, unit: str = "") -> None:
    """创建账号 on /admin, the way the admin fills the form."""
    admin.get_by_label("用户名").fill(username)
    admin.get_by_label("姓名").fill(name)
    admin.get_by_label("角色").select_option(role)
    if unit:
        admin.get_by_label("所属单位").select_option(label=unit)
    admin.get_by_label("初始密码").fill(password)
    admin.get_by_role("button", name="创建账号").click()
    expect(admin.get_by_text("账号已创建")).to_be_visible()


NOTICE = "七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。"


def test_admin_pastes_next_years_notice_and_the_year_turns_official(new_page):
    admin = new_page()
    login(admin, "admin")
    admin.goto("/admin")
    expect(admin.get_by_text("2027年节假日安排尚未录入", exact=False)).to_be_visible()
    admin.get_by_label("年份").fill("2027")
    admin.get_by_label("通知全文").fill("七、国庆节：10月1日至10月40日放假。")
    admin.get_by_role("button", name="预览").click()
    expect(admin.get_by_role("alert").filter(has_text="第1行(国庆节)")).to_be_visible()
    expect(admin.get_by_role("button", name="保存通知")).to_have_count(0)

    admin.get_by_label("通知全文").fill(NOTICE)
    admin.get_by_role("button", name="预览").click()
    preview = admin.get_by_role("region", name="通知解析结果")
    expect(preview.get_by_role("row")).to_have_count(1 + 7 + 2)
    expect(preview.get_by_role("row").filter(has_text="2027-10-09").get_by_text("调休上班", exact=True)).to_be_visible()
    admin.get_by_role("button", name="保存通知").click()
    expect(admin.get_by_text("已保存2027年节假日安排")).to_be_visible()
    expect(admin.get_by_text("2027年:已录入官方节假日安排", exact=False)).to_be_visible()


def test_the_audit_log_shows_the_changes_and_filters(new_page):
    admin = new_page()
    login(admin, "admin")
    admin.goto("/admin")
    _create_staff(admin, "shenji_test", "审计测试", "leader", "Audit@2026xyz")
    admin.reload()
    log = admin.get_by_role("region", name="审计日志")
    expect(log.get_by_role("row").filter(has_text="shenji_test").filter(has_text="创建账号")).to_be_visible()
    admin.get_by_label("分类", exact=True).select_option("用户")
    admin.get_by_label("操作人").fill("不存在的人")
    admin.get_by_role("button", name="筛选").click()
    expect(admin.get_by_text("没有符合条件的记录")).to_be_visible()


def test_the_admin_changes_a_rule_and_out_of_range_is_refused(new_page):
    admin = new_page()
    login(admin, "admin")
    admin.goto("/admin")
    table = admin.get_by_role("region", name="时限规则表")
    admin.get_by_label("规则", exact=True).select_option(label="预警提前")
    admin.get_by_label("新值").fill("99")
    admin.get_by_role("button", name="保存规则").click()
    expect(admin.get_by_text("预警提前须为1–10个工作日").first).to_be_visible()
    admin.get_by_label("新值").fill("2")
    admin.get_by_role("button", name="保存规则").click()
    expect(admin.get_by_text("规则已保存,此后派发的工单适用")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="预警提前").get_by_role("cell").nth(1)).to_have_text("2个工作日")
    admin.get_by_label("新值").fill("1")  # as the other tests expect
    admin.get_by_role("button", name="保存规则").click()
    expect(table.get_by_role("row").filter(has_text="预警提前").get_by_role("cell").nth(1)).to_have_text("1个工作日")


def test_admin_adds_a_unit_and_its_handler_and_the_centre_can_route_to_it(new_page):
    admin = new_page()
    login(admin, "admin")
    admin.goto("/admin")
    admin.get_by_label("单位名称").fill("高新区企业服务中心")
    admin.get_by_label("单位编码").fill("U950")
    admin.get_by_label("单位类型").select_option("园区")
    admin.get_by_label("联系人").fill("周主任")
    admin.get_by_role("button", name="保存单位").click()
    expect(admin.get_by_text("单位已保存")).to_be_visible()
    expect(admin.get_by_role("region", name="部门列表").get_by_text("高新区企业服务中心")).to_be_visible()

    admin.reload()
    _create_staff(admin, "gaoxin_handler", "高新区经办人", "handler", "Gaoxin@2026xyz", unit="高新区企业服务中心")

    disp = new_page()
    login(disp, "zhongxin")
    disp.goto("/staff/dispatch")
    disp.locator("main table a").first.click()
    expect(disp.get_by_label("承办单位").locator("option", has_text="高新区企业服务中心")).to_have_count(1)

    # 派单目录: a topic routing to the new unit, with keywords.
    admin.reload()
    admin.get_by_label("事项名称").fill("跨境电商服务")
    admin.get_by_label("事项分类").select_option("要素保障类")
    admin.get_by_label("承办单位").select_option(label="高新区企业服务中心")
    admin.get_by_label("默认时限等级").select_option("一般")
    admin.get_by_label("关键词").fill("跨境 海外仓 报关")
    admin.get_by_role("button", name="保存事项").click()
    expect(admin.get_by_text("派单目录已保存")).to_be_visible()
    catalogue = admin.get_by_role("region", name="派单目录")
    expect(catalogue.get_by_text("跨境电商服务")).to_be_visible()
    catalogue.get_by_role("row").filter(has_text="跨境电商服务").get_by_role("button", name="历史").click()
    expect(admin.get_by_role("region", name="事项修改历史").get_by_text("新建:事项 跨境电商服务")).to_be_visible()

    # The enterprise picks 其他, but its words are the new topic's keywords: the dispatcher is told.
    ent = new_page()
    login(ent, "qiye1")
    ent.goto("/my/demands/new")
    ent.get_by_label("诉求类型").select_option("求助")
    expect(ent.get_by_label("诉求事项").locator("option", has_text="跨境电商服务")).to_have_count(1)
    ent.get_by_label("诉求事项").select_option(label="其他")
    ent.get_by_label("标题").fill("海外仓货物报关受阻")
    ent.get_by_label("诉求内容").fill("我公司开展跨境业务,海外仓回流货物报关受阻,恳请协调解决。")
    ent.get_by_role("button", name="提交诉求").click()
    expect(ent).to_have_url(re.compile(r"/my/demands/\d+/?$"))
    demand_id = int(ent.url.rstrip("/").rsplit("/", 1)[-1])

    disp.goto(f"/staff/demands/{demand_id}")
    expect(disp.get_by_text("按关键词更接近事项「跨境电商服务」")).to_be_visible()
    expect(disp.get_by_text("跨境、海外仓、报关")).to_be_visible()
    disp.get_by_role("button", name="采用此建议").click()
    expect(disp.get_by_label("承办单位").locator("option:checked")).to_have_text("高新区企业服务中心")
    disp.get_by_role("button", name="派单", exact=True).click()
    expect(disp.get_by_text("已派单")).to_be_visible()
    expect(disp.locator("#demand-status")).to_have_text("待签收", timeout=20_000)


def test_admin_resets_a_password_shown_once_and_finds_enterprise_accounts(new_page):
    admin = new_page()
    login(admin, "admin")
    admin.goto("/admin")
    accounts = admin.get_by_role("region", name="企业账号")
    expect(accounts.get_by_text("qiye2")).to_be_visible()
    admin.get_by_label("查找企业账号").fill("91370902MA94R6T3XJ")
    admin.get_by_role("button", name="查询").first.click()
    expect(accounts.get_by_text("qiye1", exact=True)).to_have_count(0)
    expect(accounts.get_by_text("qiye2", exact=True)).to_be_visible()

    # A staff account of this test's own (the demo accounts' passwords are shared by the other tests).
    _create_staff(admin, "reset_me", "重置测试", "leader", "Reset@2026xyz")
    staff = admin.get_by_role("region", name="员工账号")
    staff.get_by_role("row").filter(has_text="reset_me").get_by_role("button", name="重置密码").click()
    password = admin.locator("#revealed-password")
    expect(password).to_have_text(re.compile(r"^[A-Za-z0-9]{20}$"))
    new_password = password.inner_text()
    admin.get_by_role("button", name="我已记下").click()
    expect(password).to_have_count(0)

    leader = new_page()
    login(leader, "reset_me", new_password)
    expect(leader).to_have_url(re.compile(r"/staff"))


def test_the_admin_page_lists_its_sections_and_jumps_to_one(new_page):
    admin = new_page(width=390, height=844)
    login(admin, "admin")
    admin.goto("/admin")
    contents = admin.get_by_role("navigation", name="本页目录")
    for name in ("节假日", "用户", "部门", "派单目录", "时限规则", "审计日志", "消息发送", "接口密钥"):
        expect(contents.get_by_role("link", name=name, exact=True)).to_be_visible()
    contents.get_by_role("link", name="审计日志", exact=True).click()
    expect(admin).to_have_url(re.compile(r"/admin/?#admin-audit$"))
    expect(admin.get_by_role("heading", name="审计日志")).to_be_in_viewport()
