"""类似诉求 and 关注 in the browser (issue #26): qiye1 writes about the same problem as a demo demand of qiye2,
sees it in 类似诉求 without its words, follows it and finds it under 我关注的诉求; a raw client can follow
nothing but what was suggested to it, and learns no other enterprise's words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text
from sqlmodel import select

from portal.state.demands.form import NewDemandState
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import axe_violations, describe
from tests.e2e.test_hostile_client import RawClient, _login_token

pytestmark = pytest.mark.e2e
FORM = NewDemandState.get_full_name()
THEIRS = "项目用地规划条件调整"  # qiye2's demo demand (办理中, 高新技术产业开发区)
SECRETS = (THEIRS, "泰山示例建设工程有限公司", "李主任", "0538-8221234")
TITLE = "申请调整厂区用地规划条件"
CONTENT = "我司东街厂区地块的规划条件容积率偏低,新建车间无法满足生产需要,希望调整规划条件。"


def test_an_enterprise_sees_a_similar_demand_and_follows_it_instead(new_page):
    page = new_page()
    login(page, "qiye1")
    page.goto("/my/demands/new")
    page.get_by_label("诉求事项").select_option(label="用地规划")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("诉求内容").fill(CONTENT)
    page.get_by_label("诉求内容").press("Tab")
    panel = page.get_by_role("region", name="类似诉求")
    # The demo's open 用地规划 demand of qiye2 (its closed ones of the same kind may be listed too).
    item = panel.get_by_role("listitem").filter(has_text="其他企业的用地规划诉求").filter(has_text="办理中")
    expect(item).to_be_visible()
    expect(item).to_contain_text("最新进展:")
    for secret in SECRETS:
        expect(panel).not_to_contain_text(secret)
    expect(page.get_by_role("button", name="提交诉求")).to_be_enabled()  # never blocks
    assert describe("/my/demands/new (类似诉求)", axe_violations(page)) == []
    item.get_by_role("button", name="关注").click()
    expect(item.get_by_text("已关注", exact=True)).to_be_visible()
    expect(page.get_by_label("标题")).to_have_value(TITLE)  # the form stays as typed

    page.goto("/my/demands")
    followed = page.get_by_role("region", name="我关注的诉求")
    expect(followed.get_by_text("共 1 件,按关注时间从新到旧")).to_be_visible()
    expect(followed).to_contain_text("用地规划诉求")
    expect(followed).to_contain_text("办理中")
    # Each 取消关注 names what it stops following (a screen reader hears more than a row of equal buttons).
    expect(followed.get_by_role("button", name="取消关注:用地规划诉求(办理中)")).to_be_visible()
    for secret in SECRETS:
        expect(followed).not_to_contain_text(secret)
    assert describe("/my/demands (我关注的诉求)", axe_violations(page)) == []
    expect(page).to_have_url(re.compile(r"/my/demands/?$"))


def _send_maybe_unanswered(client: RawClient, name: str, payload: dict, path: str) -> None:
    """An event that may change nothing (too little text yet, an unknown field): Reflex sends no update."""
    try:
        client.send(name, payload, path=path, timeout=3)
    except AssertionError:
        pass


def _topic(on_portal_db, name: str) -> int:
    from portal.core.db import session_scope
    from portal.models.tables import Topic

    with on_portal_db(), session_scope() as session:
        return session.exec(select(Topic.id).where(Topic.name == name)).one()


def test_a_raw_client_follows_only_what_was_suggested(portal_server, on_portal_db):
    engine = create_engine(portal_server.database_url)
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM demand_follow")).scalar()
    client = RawClient(portal_server.url)
    client.use_session(_login_token(portal_server.database_url, "qiye1"))
    path = "/my/demands/new"
    try:
        client.send(f"{FORM}.load", {}, path=path)
        for key in ("0", "1", 0, -1):  # nothing suggested yet: no position names a demand
            client.send(f"{FORM}.follow_similar", {"key": key}, path=path)
        typed = {
            "topic_id": str(_topic(on_portal_db, "水电气网")),
            "title": "临时用电报装很慢",
            "content": "工地临时用电",
        }
        for field, value in [*typed.items(), ("demand_id", "1")]:  # the last is not a field: ignored
            _send_maybe_unanswered(client, f"{FORM}.note_typed", {"field": field, "value": value}, path)
        for key in ("7", "-1", "0 OR 1=1", None, {"id": 1}, "５"):
            client.send(f"{FORM}.follow_similar", {"key": key}, path=path)
    finally:
        client.close()
    received = client.text()
    for secret in ("建筑工地临时用电报装进度慢", "泰山示例建设工程有限公司", "李主任", "0538-8221234"):
        assert secret not in received
    assert '"likeness"' in received and '"mine": false' in received  # the lookup did suggest their demand
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM demand_follow")).scalar() == before
    engine.dispose()
