"""With two workers sharing state through Redis, a person's session and staged files survive being
served by either worker: uploads arrive over HTTP (any worker), the form over the websocket."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import login

FILES = Path(__file__).resolve().parents[1] / "tests" / "e2e" / "files"


def test_two_workers_are_running(portal_server):
    pids = set()
    for _ in range(20):
        pids.add(httpx.get(f"{portal_server.url}/api/health").headers.get("x-portal-pid"))
    assert len(pids - {None}) == 2, pids


def test_session_and_staged_files_cross_workers(new_page, tmp_path):
    page = new_page()
    login(page, "qiye1")
    page.goto("/my/demands/new")
    expect(page.get_by_label("联系电话")).to_have_value("13805380001")
    names = []
    for i in range(4):
        copy = tmp_path / f"材料{i}.pdf"
        copy.write_bytes((FILES / "营业执照.pdf").read_bytes())
        page.locator("#demand_files input[type=file]").set_input_files(str(copy))
        expect(page.get_by_text(copy.name)).to_be_visible()
        names.append(copy.name)
    page.get_by_label("诉求类型").select_option("求助")
    page.get_by_label("诉求事项").select_option(label="项目建设")
    page.get_by_label("标题").fill("多进程部署下的附件提交")
    page.get_by_label("诉求内容").fill("四个附件分别经由不同的进程上传,提交时必须全部到齐。")
    page.get_by_role("button", name="提交诉求").click()
    expect(page).to_have_url(re.compile(r"/my/demands/\d+/?$"))
    for name in names:
        expect(page.get_by_role("link", name=name)).to_be_visible()
    for _ in range(3):  # reloads may land on either worker; the session holds
        page.reload()
        expect(page.get_by_text("多进程部署下的附件提交").first).to_be_visible()
