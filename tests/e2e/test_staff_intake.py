"""Issue #22 part C in the browser: a hotline demand registered by the 推进中心 reaches the dispatch queue with
its channel; an enterprise recorded on the spot later registers and finds its demand; the public 进度查询."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.conftest import login, path_is

pytestmark = pytest.mark.e2e


def _fill_demand(page, title: str) -> None:
    page.get_by_label("联系人", exact=True).fill("王经理")
    page.get_by_label("联系电话", exact=True).fill("13805380001")
    page.get_by_label("诉求类型").select_option("求助")
    page.get_by_label("诉求事项").select_option(label="项目建设")
    page.get_by_label("标题").fill(title)
    page.get_by_label("诉求内容").fill("来电反映厂房施工许可迟迟未批,希望推进中心协调相关部门尽快办理。")


def test_hotline_demand_reaches_the_dispatch_queue_with_its_channel(new_page):
    centre = new_page()
    login(centre, "zhongxin")
    centre.goto("/staff/intake")
    centre.get_by_label("来源渠道").select_option("服务热线")
    centre.get_by_label("企业", exact=True).fill("泰安示例")
    centre.get_by_role("button", name="选择 泰安示例科技有限公司").click()
    expect(centre.get_by_text("泰安示例科技有限公司")).to_be_visible()
    _fill_demand(centre, "热线来电施工许可协调")
    centre.get_by_label("联系电话", exact=True).fill("电话号码")
    centre.get_by_role("button", name="登记诉求").click()
    expect(centre.locator("#contact_phone-error")).to_contain_text("联系电话应为")  # beside the field
    centre.get_by_label("联系电话", exact=True).fill("13805380001")
    centre.get_by_role("button", name="登记诉求").click()
    # Straight on to the demand's page, where 派单 is offered.
    expect(centre).to_have_url(re.compile(r"/staff/demands/\d+$"))
    expect(centre.get_by_text("服务热线").first).to_be_visible()
    expect(centre.get_by_text("代企业登记(服务热线)")).to_be_visible()
    expect(centre.get_by_role("button", name="派单")).to_be_visible()
    centre.goto("/staff/dispatch")
    row = centre.get_by_role("row").filter(has_text="热线来电施工许可协调")
    expect(row).to_contain_text("服务热线")
    # The enterprise sees it in 我的诉求 with its channel, and was told.
    owner = new_page()
    login(owner, "qiye1")
    owner.goto("/my/demands")
    expect(owner.get_by_role("row").filter(has_text="热线来电施工许可协调")).to_contain_text("服务热线")


def test_new_record_later_registers_and_finds_its_demand(new_page, on_portal_db):
    from portal.core.security import credit_code_check_char

    first17 = "91370900MA3C1WQ02"
    code = first17 + credit_code_check_char(first17)
    centre = new_page()
    login(centre, "zhongxin")
    centre.goto("/staff/intake")
    centre.get_by_label("来源渠道").select_option("办不成事窗口")
    centre.get_by_role("button", name="新增企业").click()
    centre.get_by_label("企业名称").fill("窗口来访示例商贸有限公司")
    centre.get_by_label("统一社会信用代码").fill(code[:-1] + ("0" if code[-1] != "0" else "1"))
    centre.get_by_label("所属镇街").select_option(label="东街街道")
    centre.get_by_label("所属行业").select_option("批发和零售业")
    centre.get_by_label("企业规模").select_option("微型")
    _fill_demand(centre, "窗口反映营业执照变更难")
    centre.get_by_role("button", name="登记诉求").click()
    expect(centre.locator("#new_credit_code-error")).to_contain_text("校验位")
    centre.get_by_label("统一社会信用代码").fill(code)
    centre.get_by_role("button", name="登记诉求").click()
    expect(centre).to_have_url(re.compile(r"/staff/demands/\d+$"))
    expect(centre.get_by_text("办不成事窗口").first).to_be_visible()
    # On 企业台账 as 未注册, with the demand on its file.
    centre.goto("/staff/enterprises")
    centre.get_by_label("统一社会信用代码").fill(code)
    centre.get_by_role("button", name="搜索").click()
    expect(centre.get_by_text("共 1 家,按企业名称排序")).to_be_visible()
    expect(centre.get_by_role("row").filter(has_text="窗口来访示例商贸有限公司")).to_contain_text("未注册")
    centre.get_by_role("link", name="窗口来访示例商贸有限公司").click()
    expect(centre.get_by_role("row").filter(has_text="窗口反映营业执照变更难")).to_contain_text("办不成事窗口")
    expect(centre.get_by_text("暂无走访记录")).to_be_visible()

    visitor = new_page()
    visitor.goto("/register")
    visitor.get_by_label("企业名称").fill("窗口来访示例商贸有限公司")
    visitor.get_by_label("统一社会信用代码").fill(code)
    visitor.get_by_label("所属镇街").select_option(label="东街街道")
    visitor.get_by_label("所属行业").select_option("批发和零售业")
    visitor.get_by_label("企业规模").select_option("微型")
    visitor.get_by_label("联系人").fill("钱老板")
    visitor.get_by_label("联系电话").fill("13805380001")  # the phone staff recorded: a stranger's is refused
    visitor.get_by_label("用户名").fill("chuangkou01")
    visitor.get_by_label("密码", exact=True).fill("Window-Trade-Lark-38")
    visitor.get_by_label("确认密码").fill("Window-Trade-Lark-38")
    visitor.get_by_role("button", name="注册").click()
    expect(visitor).to_have_url(path_is("/login"))
    login(visitor, "chuangkou01", "Window-Trade-Lark-38")
    visitor.goto("/my/demands")
    expect(visitor.get_by_role("row").filter(has_text="窗口反映营业执照变更难")).to_contain_text("办不成事窗口")
    with on_portal_db():
        from portal.core.db import session_scope
        from portal.models.tables import Enterprise

        with session_scope() as session:
            assert len(session.exec(select(Enterprise).where(Enterprise.credit_code == code)).all()) == 1


def test_public_lookup_refuses_a_wrong_phone_and_shows_no_staff_names(new_page, on_portal_db):
    from portal.core.db import session_scope
    from portal.models.tables import Demand, Enterprise, User
    from portal.services.accounts.actor import Actor
    from portal.services.demands.intake import DemandForm
    from portal.services.enterprises import intake

    with on_portal_db(), session_scope() as session:
        centre = session.exec(select(User).where(User.username == "zhongxin")).one()
        enterprise_id = session.exec(select(Enterprise.id).where(Enterprise.name == "泰安示例科技有限公司")).one()
        actor = Actor(
            user_id=centre.id,
            username=centre.username,
            role=centre.role,
            display_name=centre.display_name,
            unit_id=centre.unit_id,
            enterprise_id=None,
        )
        from portal.models.tables import Topic

        topic = session.exec(select(Topic.id).where(Topic.name == "项目建设")).one()
    with on_portal_db():
        demand_id, _ = intake.register_for_enterprise(
            actor=actor,
            form=intake.IntakeForm(
                channel="服务热线",
                enterprise_id=enterprise_id,
                demand=DemandForm(
                    kind="咨询",
                    topic_id=topic,
                    title="进度查询示例诉求",
                    content="咨询厂房用地手续需要准备哪些材料。",
                    contact_name="王经理",
                    contact_phone="0538-8227788",
                ),
            ),
        )
        with session_scope() as session:
            code = session.get(Demand, demand_id).code
    page = new_page()
    page.goto("/track")
    page.get_by_label("诉求编号").fill(code)
    page.get_by_label("联系电话后四位").fill("1234")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("status").filter(has_text="未找到")).to_be_visible()
    expect(page.get_by_text("进度查询示例诉求")).to_have_count(0)
    page.get_by_label("联系电话后四位").fill("7788")
    page.get_by_role("button", name="查询").click()
    result = page.get_by_role("region", name="查询结果")
    expect(result).to_contain_text("待受理")
    expect(result).to_contain_text("代企业登记(服务热线)")
    expect(result).not_to_contain_text("推进中心值班员")
