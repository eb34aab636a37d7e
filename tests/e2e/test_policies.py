"""惠企政策一站查 in the browser (issue #11): a visitor searches and reads a policy, a hostile policy body
cannot run anything, the 推进中心 writes and publishes a policy and the matching enterprise is told and
sees it recommended."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

FILES = Path(__file__).parent / "files"

pytestmark = pytest.mark.e2e


def test_visitor_searches_a_two_character_word_and_reads_the_guide(new_page):
    page = new_page()
    page.goto("/")
    figures = page.get_by_role("heading", name="本月办理情况").locator("..")
    expect(figures.get_by_text("按期办结率")).to_be_visible()  # public figures, no login
    page.goto("/policies")
    page.get_by_label("关键词").fill("融资")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("status").filter(has_text="“融资”:共")).to_be_visible()
    first = page.locator("main h2 mark").first
    expect(first).to_have_text("融资")  # the matched word is marked
    page.get_by_role("link", name="政府性融资担保降费奖补办法").click()
    expect(page).to_have_url(re.compile(r"/policies/\d+/?$"))
    expect(page.get_by_role("heading", name="政府性融资担保降费奖补办法", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="申兑指南")).to_be_visible()
    expect(page).to_have_title(re.compile("^政府性融资担保降费奖补办法"))
    expect(page.get_by_role("heading", name="相关政策")).to_be_visible()

    # Nothing found: said plainly, with words to try.
    page.goto("/policies")
    page.get_by_label("关键词").fill("火星移民")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_text("没有找到符合条件的政策")).to_be_visible()
    page.get_by_role("button", name="人才").click()
    expect(page.get_by_role("status").filter(has_text="“人才”:共")).to_be_visible()
    expect(page.get_by_role("link", name="高层次人才引进和安居保障办法")).to_be_visible()


def _png() -> bytes:
    """A real 1×1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x33\x66\x99")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_a_hostile_policy_body_is_shown_not_run(new_page, on_portal_db):
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Attachment, User
    from portal.services.accounts.actor import Actor
    from portal.services.demands.intake import UploadedFile
    from portal.services.policies import editing

    def hostile(body: str = "") -> editing.PolicyForm:
        return editing.PolicyForm(
            title="恶意正文测试政策", issuer="市测试局", summary="用于验证正文不会执行脚本。", body=body
        )

    with on_portal_db():
        with session_scope() as session:
            u = session.exec(select(User).where(User.username == "zhongxin")).one()
            centre = Actor(
                user_id=u.id, username=u.username, role=u.role, display_name=u.display_name, unit_id=u.unit_id
            )
        policy_id = editing.save_policy(actor=centre, form=hostile(), files_in=[UploadedFile("示意图.png", _png())])
        with session_scope() as session:
            own = session.exec(select(Attachment.id).where(Attachment.policy_id == policy_id)).one()
        editing.save_policy(
            actor=centre,
            policy_id=policy_id,
            form=hostile(
                '正文<script>window.__xss = "script"</script>\n\n<img src=x onerror="window.__xss = \'img\'">\n\n'
                "[点我](javascript:window.__xss='link')\n\n**加粗**\n\n"
                f"![示意图](/api/policy-files/{own})\n\n![像素](https://evil.example/p.gif)"
            ),
        )
        editing.publish(actor=centre, policy_id=policy_id)
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"/policies/{policy_id}")
    expect(page.get_by_role("heading", name="恶意正文测试政策", level=1)).to_be_visible()
    expect(page.locator("main strong").filter(has_text="加粗")).to_be_visible()  # Markdown still works
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert page.locator("main script").count() == 0
    assert page.locator("main img[onerror]").count() == 0
    assert page.locator('main a[href^="javascript"]').count() == 0
    # No tracking pixel: the foreign image is a plain link, nothing was fetched from its site; the
    # policy's own file is still an image.
    assert page.locator('main img[src*="evil.example"]').count() == 0
    expect(page.locator("main a", has_text="像素")).to_have_attribute("href", "https://evil.example/p.gif")
    expect(page.locator(f'main img[src="/api/policy-files/{own}"]')).to_have_count(1)
    assert not [url for url in requested if "evil.example" in url]


def test_centre_publishes_a_policy_and_the_matching_enterprise_hears_of_it(new_page):
    disp = new_page()
    login(disp, "zhongxin")
    disp.goto("/staff/policies")
    disp.get_by_label("政策标题").fill("小型制造企业设备更新贴息办法")
    disp.get_by_label("发布部门").fill("市工业和信息化局")
    disp.get_by_label("有效期止").fill("2029年12月31日")
    disp.get_by_label("政策摘要").fill("对小型制造企业购置先进设备的贷款给予贴息。")
    disp.get_by_label("申兑指南(Markdown)").fill("1. 网上申报;2. 提交贷款合同。")
    disp.get_by_label("行业标签").fill("制造业")
    disp.get_by_label("企业规模标签").fill("小型")
    disp.locator("#policy_files input[type=file]").set_input_files(str(FILES / "营业执照.pdf"))
    expect(disp.get_by_text("营业执照.pdf")).to_be_visible()
    disp.get_by_role("button", name="保存", exact=True).click()
    expect(disp.get_by_text("已保存")).to_be_visible()
    row = disp.get_by_role("row").filter(has_text="小型制造企业设备更新贴息办法")
    expect(row.get_by_text("草稿")).to_be_visible()
    row.get_by_role("button", name="发布").click()
    expect(row.get_by_text("已发布")).to_be_visible()

    ent = new_page()
    login(ent, "qiye1")  # 制造业, 小型; lands on /my, whose 为您推荐 names what matched
    expect(ent.get_by_role("region", name="为您推荐").get_by_text(re.compile("匹配:.*制造业"))).not_to_have_count(0)
    expect(
        ent.get_by_role("region", name="为您推荐").get_by_role("link", name="小型制造企业设备更新贴息办法")
    ).to_be_visible()
    ent.goto("/my/notifications")
    ent.get_by_role("link", name="新政策:小型制造企业设备更新贴息办法").click()
    expect(ent.get_by_role("heading", name="小型制造企业设备更新贴息办法", level=1)).to_be_visible()
    expect(ent.get_by_role("heading", name="申兑指南")).to_be_visible()
    # The original document, public with the policy; the demand file route does not serve it.
    href = ent.get_by_role("link", name="营业执照.pdf").get_attribute("href")
    assert re.fullmatch(r"/api/policy-files/\d+", href)
    anonymous = new_page()
    assert anonymous.request.get(href).status == 200
    assert ent.request.get(href.replace("/api/policy-files/", "/api/files/")).status == 404
    expect(ent.get_by_text(re.compile("网上申报"))).to_be_visible()

    other = new_page()
    login(other, "qiye2")  # 建筑业: not told
    other.goto("/my/notifications")
    expect(other.get_by_role("heading", name="消息")).to_be_visible()
    expect(other.get_by_text("新政策:小型制造企业设备更新贴息办法")).to_have_count(0)


def test_consultation_suggestions_then_a_cited_policy_in_the_answer(new_page):
    ent = new_page()
    login(ent, "qiye1")
    ent.goto("/my/demands/new")
    # The form's on_load has answered (contact prefilled) before 诉求类型 is chosen: a choice made before the
    # page is live changes the box but never reaches the server, so no policy would be offered.
    expect(ent.get_by_label("联系电话")).to_have_value("13805380001")
    ent.get_by_label("诉求类型").select_option("咨询")
    ent.get_by_label("诉求事项").select_option(label="融资信贷")
    ent.get_by_label("标题").fill("小微企业贷款贴息如何申请")
    ent.get_by_label("诉求内容").fill("我公司是小型制造企业,想了解贷款贴息政策的申请条件和流程。")
    # While writing a 咨询, matching policies are offered; one opens in a new tab, the form stays.
    suggestion = ent.get_by_role("status").get_by_role("link", name="普惠小微企业贷款贴息实施方案")
    expect(suggestion).to_be_visible()
    with ent.expect_popup() as popup:
        suggestion.click()
    expect(popup.value.get_by_role("heading", name="普惠小微企业贷款贴息实施方案", level=1)).to_be_visible()
    popup.value.close()
    expect(ent.get_by_label("标题")).to_have_value("小微企业贷款贴息如何申请")
    ent.get_by_role("button", name="提交诉求").click()
    expect(ent).to_have_url(re.compile(r"/my/demands/\d+/?$"))
    demand_url = ent.url

    disp = new_page()
    login(disp, "zhongxin")
    disp.goto("/staff/dispatch")
    disp.get_by_role("link", name="小微企业贷款贴息如何申请").click()
    disp.get_by_label("查找政策").fill("贴息")
    disp.get_by_role("button", name="查找", exact=True).click()
    disp.get_by_label(re.compile("^ 普惠小微企业贷款贴息实施方案")).check()
    disp.get_by_label("答复内容").fill("可按《普惠小微企业贷款贴息实施方案》申请,详见政策申兑指南。")
    disp.get_by_role("button", name="即时答复").click()
    expect(disp.locator("#demand-status")).to_have_text("待评价")

    ent.goto(demand_url)
    expect(ent.get_by_text("答复引用的政策:")).to_be_visible()
    ent.get_by_role("link", name="普惠小微企业贷款贴息实施方案").click()
    expect(ent.get_by_role("heading", name="普惠小微企业贷款贴息实施方案", level=1)).to_be_visible()
