"""The demand lifecycle in the browser, one browser context per party, each step checked on the other
parties' screens."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, path_is, workday_after

pytestmark = pytest.mark.e2e
FILES = Path(__file__).parent / "files"


def _status(page, status: str) -> None:
    expect(page.locator("#demand-status")).to_have_text(status, timeout=20_000)


def _submit(page, title: str, kind: str = "求助", topic: str = "项目建设", attach: Path | None = None) -> int:
    page.goto("/my/demands/new")
    page.get_by_label("诉求类型").select_option(kind)
    page.get_by_label("诉求事项").select_option(label=topic)
    page.get_by_label("标题").fill(title)
    page.get_by_label("诉求内容").fill(f"{title}:我公司遇到的具体问题说明如下,恳请相关部门协调解决,谢谢。")
    expect(page.get_by_label("联系电话")).to_have_value("13805380001")  # prefilled from the profile
    if attach:
        page.locator("#demand_files input[type=file]").set_input_files(str(attach))
        expect(page.get_by_text(attach.name)).to_be_visible()
    # By keyboard: leaving 诉求内容 may open the 类似诉求 panel and move the button under a mouse (a person
    # then clicks again); Enter on the focused button submits wherever it has moved.
    page.get_by_role("button", name="提交诉求").press("Enter")
    expect(page).to_have_url(re.compile(r"/my/demands/\d+/?$"))
    _status(page, "待受理")
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def _open(page, demand_id: int, staff: bool = True) -> None:
    page.goto(f"/staff/demands/{demand_id}" if staff else f"/my/demands/{demand_id}")
    expect(page.locator("#demand-status")).not_to_be_empty()


@pytest.fixture
def parties(new_page):
    pages = {}
    for name in ("qiye1", "zhongxin", "zhujianju", "ziguiju"):
        page = new_page()
        login(page, name)
        expect(page).not_to_have_url(path_is("/login"))
        pages[name] = page
    return pages


def test_full_loop_with_extension_redo_and_verification(parties):
    ent, disp, lead, co = parties["qiye1"], parties["zhongxin"], parties["zhujianju"], parties["ziguiju"]
    title = "新厂房施工许可迟迟未批"
    demand_id = _submit(ent, title, attach=FILES / "营业执照.pdf")

    # The dispatcher finds it in the queue; the catalogue's suggestion is preselected.
    disp.goto("/staff/dispatch")
    disp.get_by_role("link", name=title).click()
    _status(disp, "待受理")
    expect(disp.get_by_label("承办单位")).to_have_value(re.compile(r"\d+"))
    expect(disp.get_by_label("承办单位").locator("option:checked")).to_have_text("市住房和城乡建设局")
    expect(disp.get_by_label("市自然资源和规划局")).to_be_checked()
    expect(disp.get_by_role("link", name="营业执照.pdf")).to_be_visible()
    disp.get_by_label("时限等级").select_option("一般")
    disp.get_by_role("button", name="派单", exact=True).click()
    _status(disp, "待签收")
    _open(ent, demand_id, staff=False)
    _status(ent, "待签收")
    expect(ent.get_by_text("派单", exact=True).first).to_be_visible()

    # The lead unit signs from its order list; the co-unit signs and gives its opinion.
    lead.goto("/staff/orders")
    lead.get_by_role("link", name=title).click()
    lead.get_by_role("button", name="签收", exact=True).click()
    _status(lead, "办理中")
    _open(co, demand_id)
    co.get_by_role("button", name="签收", exact=True).click()
    co.get_by_label("协办意见").fill("用地规划手续齐全,建议住建部门加快审批。")
    co.get_by_role("button", name="提交协办意见").click()
    expect(co.get_by_text("协办意见:用地规划手续齐全")).to_be_visible()
    _open(lead, demand_id)
    expect(lead.get_by_text("协办意见:用地规划手续齐全")).to_be_visible()

    # Extension requested by the unit, approved by the centre; the original due date stays visible.
    new_due = workday_after(20).isoformat()
    lead.get_by_label("延期原因").fill("需要组织现场踏勘和专家论证")
    lead.get_by_label("延期至").fill(new_due)
    lead.get_by_role("button", name="申请延期").click()
    expect(lead.get_by_text("申请延期至")).to_be_visible()
    disp.goto("/staff/extensions")
    disp.get_by_role("link", name=title).click()
    disp.get_by_label("审批结果").select_option("approve")
    disp.get_by_role("button", name="提交审批").click()
    expect(disp.get_by_text("同意延期至").first).to_be_visible()
    _open(lead, demand_id)
    expect(lead.get_by_text(new_due).first).to_be_visible()
    expect(lead.get_by_text("原期限").first).to_be_visible()

    # Reply → 不满意 → 重办 → reply → 不满意 → 核查中.
    for round_no in (1, 2):
        lead.get_by_label("答复内容").fill(f"第{round_no}次答复:已安排专人对接,施工许可已进入审批流程。")
        lead.get_by_label("解决方式").fill("专人帮办")
        lead.get_by_label("是否解决").select_option("是")
        lead.get_by_role("button", name="提交办理结果").click()
        _status(lead, "待评价")
        _open(ent, demand_id, staff=False)
        _status(ent, "待评价")
        expect(ent.get_by_text(f"第{round_no}次答复").first).to_be_visible()
        ent.get_by_label("不满意", exact=True).check()
        ent.get_by_label("是否已与您联系").select_option("是")
        ent.get_by_label("意见建议").fill("许可证仍未拿到")
        ent.get_by_role("button", name="提交评价").click()
        _status(ent, "重办中" if round_no == 1 else "核查中")
        _open(lead, demand_id)

    # The unit uploads the review form; the centre verifies and closes.
    _status(lead, "核查中")
    lead.locator("#review_files input[type=file]").set_input_files(str(FILES / "不满意诉求审核反馈表.pdf"))
    expect(lead.get_by_text("不满意诉求审核反馈表.pdf")).to_be_visible()
    lead.get_by_label("情况说明").fill("已依法依规办理,企业诉求超出政策范围")
    lead.get_by_role("button", name="上传审核反馈表").click()
    expect(lead.get_by_text("上传审核反馈表", exact=True).first).to_be_visible()
    disp.goto("/staff/verifications")
    disp.get_by_role("link", name=title).click()
    disp.get_by_label("核查结论").select_option("close")
    disp.get_by_label("核查意见").fill("经核查,承办单位已依法依规办理")
    disp.get_by_role("button", name="核查办结").click()
    _status(disp, "已办结")
    _open(ent, demand_id, staff=False)
    _status(ent, "已办结")
    expect(ent.get_by_role("link", name="不满意诉求审核反馈表.pdf")).to_have_count(0)  # internal to staff


def test_instant_answer_then_very_satisfied(parties):
    ent, disp = parties["qiye1"], parties["zhongxin"]
    demand_id = _submit(ent, "高新技术企业认定奖励怎么申请", kind="咨询", topic="科技创新")
    _open(disp, demand_id)
    disp.get_by_label("答复内容").fill("请对照《高新技术企业认定奖励实施细则》准备材料,向市科学技术局申报。")
    disp.get_by_role("button", name="即时答复").click()
    _status(disp, "待评价")
    _open(ent, demand_id, staff=False)
    expect(ent.get_by_text("即时答复:请对照")).to_be_visible()
    ent.get_by_label("非常满意", exact=True).check()
    ent.get_by_label("是否已与您联系").select_option("是")
    ent.get_by_role("button", name="提交评价").click()
    _status(ent, "已办结")
    ent.goto("/my/notifications")
    expect(ent.get_by_text("已答复,请评价").first).to_be_visible()


def test_return_then_redispatch(parties, new_page):
    ent, disp = parties["qiye1"], parties["zhongxin"]
    town = new_page()
    login(town, "dongjie")
    demand_id = _submit(ent, "厂区门前道路积水严重")
    _open(disp, demand_id)
    disp.get_by_label("承办单位").select_option(label="东街街道")
    disp.get_by_label("市自然资源和规划局").uncheck()
    disp.get_by_role("button", name="派单", exact=True).click()
    _status(disp, "待签收")
    _open(town, demand_id)
    town.get_by_label("退回原因").select_option("申请提级")
    town.get_by_label("退回说明").fill("涉及市政道路改造,需市级部门统筹")
    town.get_by_role("button", name="退回").click()
    expect(town.get_by_text("退回原因:申请提级").first).to_be_visible()
    disp.goto("/staff/dispatch")
    disp.get_by_role("tab", name="退回待派").click()
    disp.get_by_role("link", name="厂区门前道路积水严重").click()
    _status(disp, "退回待派")
    disp.get_by_label("承办单位").select_option(label="市住房和城乡建设局")
    disp.get_by_role("button", name="派单", exact=True).click()
    _status(disp, "待签收")


def test_reject_and_withdraw(parties):
    ent, disp = parties["qiye1"], parties["zhongxin"]
    rejected = _submit(ent, "请求撤销法院判决")
    _open(disp, rejected)
    disp.get_by_label("不予受理理由").fill("属于司法审判事项,请通过法定途径解决")
    disp.get_by_role("button", name="不予受理").click()
    disp.get_by_role("alertdialog").get_by_role("button", name="确认不予受理").click()  # it asks first
    _status(disp, "不予受理")
    _open(ent, rejected, staff=False)
    expect(ent.get_by_text("不予受理理由:属于司法审判事项")).to_be_visible()

    _submit(ent, "提交错了的诉求")
    ent.get_by_role("button", name="撤回", exact=True).click()
    dialog = ent.get_by_role("alertdialog", name="确认撤回这件诉求?")
    dialog.get_by_role("button", name="取消").click()  # asked first: nothing happens on one tap
    expect(dialog).to_have_count(0)
    expect(ent.locator("#demand-status")).to_have_text("待受理")
    ent.get_by_role("button", name="撤回", exact=True).click()
    dialog.get_by_role("button", name="确认撤回").click()
    _status(ent, "已撤回")


def test_forged_attachment_is_refused_beside_the_field(parties):
    ent = parties["qiye1"]
    ent.goto("/my/demands/new")
    expect(ent.get_by_label("联系电话")).to_have_value("13805380001")  # the form has loaded
    ent.locator("#demand_files input[type=file]").set_input_files(str(FILES / "伪装图片.png"))
    expect(ent.locator("#files-error")).to_contain_text("内容与扩展名不符")


def test_phone_revisit_from_the_queue(new_page):
    disp = new_page()
    login(disp, "zhongxin")
    disp.goto("/staff/revisits")
    disp.get_by_role("link", name="小微企业贷款贴息政策咨询").click()
    _status(disp, "待评价")
    disp.get_by_role("button", name="记录未接通").click()
    expect(disp.get_by_text("第1次回访未接通")).to_be_visible()
    disp.get_by_label("基本满意", exact=True).check()
    disp.get_by_label("是否已与您联系").select_option("是")
    disp.get_by_role("button", name="登记回访").click()
    _status(disp, "已办结")
    disp.goto("/staff/revisits")
    expect(disp.get_by_role("link", name="小微企业贷款贴息政策咨询")).to_have_count(0)


def test_staff_search_and_unit_queue(new_page):
    disp = new_page()
    login(disp, "zhongxin")
    disp.goto("/staff/demands")
    disp.get_by_label("关键词").fill("停车")
    disp.get_by_role("button", name="搜索").click()
    expect(disp.get_by_role("link", name="社区周边停车位不足")).to_be_visible()
    expect(disp.get_by_text("共 1 条")).to_be_visible()
    disp.get_by_label("关键词").fill("")
    disp.get_by_label("只看超期").check()
    disp.get_by_role("button", name="搜索").click()
    expect(disp.get_by_role("link", name="厂房不动产权证办理")).to_be_visible()
    expect(disp.get_by_text(re.compile(r"超期\d+个工作日")).first).to_be_visible()
    # Dates are typed 年-月-日 (any browser language); one that cannot be read is named, not ignored.
    disp.get_by_label("只看超期").uncheck()
    since, until = date.today() - timedelta(days=400), date.today() + timedelta(days=1)
    disp.get_by_label("提交日期自").fill(f"{since.year}年{since.month}月{since.day}日")
    disp.get_by_label("提交日期至").fill(until.strftime("%m/%d/%Y"))
    disp.get_by_role("button", name="搜索").click()
    expect(disp.get_by_text("日期无法识别(格式:年-月-日,如 2026-12-01)")).to_be_visible()
    expect(disp.get_by_role("link", name="厂房不动产权证办理")).to_be_visible()  # the last results stay
    disp.get_by_label("提交日期至").fill(until.isoformat())
    disp.get_by_role("button", name="搜索").click()
    expect(disp.get_by_text("日期无法识别")).to_have_count(0)
    expect(disp.get_by_role("link", name="社区周边停车位不足")).to_be_visible()

    unit = new_page()
    login(unit, "ziguiju")
    unit.goto("/staff/orders")
    unit.get_by_role("tab", name=re.compile("^办理中")).click()
    expect(unit.get_by_role("link", name="厂房不动产权证办理")).to_be_visible()
    expect(unit.get_by_text(re.compile(r"超期\d+个工作日")).first).to_be_visible()
    unit.goto("/staff/demands")
    unit.get_by_role("button", name="搜索").click()
    expect(unit.get_by_role("link", name="社区周边停车位不足")).to_have_count(0)  # not this unit's


def test_enterprise_list_filters_by_status(new_page):
    ent = new_page()
    login(ent, "qiye1")
    ent.goto("/my/demands")
    expect(ent.get_by_role("link", name="企业开办全程网办咨询")).to_be_visible()
    ent.get_by_role("button", name="已办结").click()
    expect(ent.get_by_role("link", name="企业开办全程网办咨询")).to_be_visible()
    expect(ent.get_by_role("link", name="新建车间施工许可办理")).to_have_count(0)
    expect(ent.get_by_role("link", name="招聘技术工人补贴申请")).to_have_count(0)  # qiye2's


def test_workbench_counters_and_profile(new_page):
    disp = new_page()
    login(disp, "zhongxin")
    counters = disp.get_by_label("待办统计")
    expect(counters.get_by_text("待受理")).to_be_visible()
    expect(counters.get_by_text("超期未办结")).to_be_visible()
    ent = new_page()
    login(ent, "qiye1")
    ent.goto("/my/profile")
    expect(ent.get_by_text("91370900MA3C7K2L07")).to_be_visible()
    expect(ent.get_by_text("东街街道", exact=True)).to_be_visible()
