"""Issue #20 against the running portal, from raw socket clients: an .xlsx bomb through 导入台账, twelve
tabs of one account asking for exports at once, and an export that finishes after its tab logged out
while the next person uses the tab."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import create_engine, text

from portal.state.auth import AuthState
from portal.state.ledgers.export import LedgerExportState
from portal.state.ledgers.imports import LedgerImportState
from tests.e2e.test_hostile_client import NAMESPACE, RawClient, _login_token
from tests.e2e.test_hostile_demands import _session_client

pytestmark = pytest.mark.e2e
REPORTS = "/staff/reports"
EXPORT = f"{LedgerExportState.get_full_name()}.export"
EXPORT_FORM = {"form": {"ledger": "problems", "file_format": "xlsx"}}


def _rows(database_url: str, sql: str, **params) -> list:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text(sql), params).all()
    engine.dispose()
    return rows


def _execute(database_url: str, sql: str, **params) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(sql), params)
    engine.dispose()


def _emit(client: RawClient, name: str, payload: dict, path: str = REPORTS) -> None:
    """Send an event without waiting for its answer (a tab that does not wait)."""
    router = {"pathname": path, "query": {}, "asPath": path}
    client.sio.emit("event", {"name": name, "payload": payload, "router_data": router}, namespace=NAMESPACE)


def _wait_for(condition, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _user_id(database_url: str, username: str) -> int:
    return _rows(database_url, 'SELECT id FROM "user" WHERE username = :u', u=username)[0][0]


def test_an_xlsx_bomb_is_refused_through_the_page_at_once(portal_server):
    from tests.services.test_ledger_import import _filled
    from tests.services.test_ledger_import_bombs import _rezip, _strings

    honest = _filled([])
    bomb = _rezip(honest, {"xl/sharedStrings.xml": _strings(b"a" for _ in range(2_000_000))})
    client = _session_client(portal_server, "zhongxin")
    try:
        client.send(f"{LedgerImportState.get_full_name()}.load", {}, path=REPORTS)
        uploaded = httpx.post(
            f"{portal_server.url}/_upload",
            headers={
                "reflex-client-token": client.client_token,
                "reflex-event-handler": f"{LedgerImportState.get_full_name()}.upload",
            },
            files=[("files", ("周报.xlsx", bomb, "application/octet-stream"))],
            timeout=30,
        )
        assert uploaded.status_code == 200
        started = time.monotonic()
        client.send(f"{LedgerImportState.get_full_name()}.preview", {}, path=REPORTS, quiet=0.2)
        answered = time.monotonic() - started
    finally:
        client.close()
    assert "压缩比异常" in client.text()
    assert answered < 3, f"{answered:.1f}s"  # the quiet wait included; openpyxl took 17–34 s


def test_twelve_tabs_of_one_account_start_one_export(portal_server):
    leader = _user_id(portal_server.database_url, "lingdao")
    sql = "SELECT status FROM ledger_export WHERE owner_id = :o AND id > :after"
    after = _rows(portal_server.database_url, "SELECT coalesce(max(id), 0) FROM ledger_export")[0][0]
    token = _login_token(portal_server.database_url, "lingdao")
    tabs = [RawClient(portal_server.url) for _ in range(12)]
    try:
        for tab in tabs:
            tab.use_session(token)
        for tab in tabs:
            _emit(tab, EXPORT, EXPORT_FORM)
        _wait_for(lambda: sum("已有一个导出" in tab.text() for tab in tabs) == 11, 60, "eleven refusals")
        done = [("已完成",)]
        _wait_for(lambda: _rows(portal_server.database_url, sql, o=leader, after=after) == done, 90, "one export")
    finally:
        for tab in tabs:
            tab.close()


def test_an_export_finishing_after_logout_reaches_nobody_else(portal_server, on_portal_db):
    from portal.core.clock import now
    from portal.core.db import session_scope
    from portal.models.tables import LedgerExport

    admin = _user_id(portal_server.database_url, "admin")
    with on_portal_db(), session_scope() as session:  # both slots taken: the export waits as 排队
        for _ in range(2):
            writing = LedgerExport(
                owner_id=admin, ledger="problems", file_format="csv", status="生成中", created_at=now()
            )
            session.add(writing)
    owner = _user_id(portal_server.database_url, "zhongxin")
    newest = "SELECT id, status FROM ledger_export WHERE owner_id = :o ORDER BY id DESC LIMIT 1"
    tab = _session_client(portal_server, "zhongxin")
    try:
        tab.send(f"{LedgerExportState.get_full_name()}.load", {}, path=REPORTS)
        _emit(tab, EXPORT, EXPORT_FORM)
        _wait_for(lambda: "排队中" in tab.text(), 30, "the export queued")
        export_id = _rows(portal_server.database_url, newest, o=owner)[0][0]
        tab.send(f"{AuthState.get_full_name()}.logout", {}, path=REPORTS)
        tab.use_session(_login_token(portal_server.database_url, "zhujianju"))  # the next person, same tab
        tab.deltas.clear()
        tab.send(f"{LedgerExportState.get_full_name()}.load", {}, path=REPORTS)
        _execute(portal_server.database_url, "UPDATE ledger_export SET status = '失败' WHERE owner_id = :o", o=admin)
        tab.send(f"{LedgerExportState.get_full_name()}.load", {}, path=REPORTS)  # a page load starts the queue
        _wait_for(lambda: _rows(portal_server.database_url, newest, o=owner)[0] == (export_id, "已完成"), 60, "it")
        time.sleep(2)  # what a tab still polling it would have sent by now
    finally:
        tab.close()
    seen = tab.text()
    for left_behind in ("已完成", "排队中", "正在生成", "企业发展、项目建设问题台账_", f"/api/exports/{export_id}"):
        assert left_behind not in seen, left_behind
    link = f"{portal_server.url}/api/exports/{export_id}"
    other = _login_token(portal_server.database_url, "zhujianju")
    assert httpx.get(link, cookies={"qs_session": other}).status_code == 404
    zhongxin = _login_token(portal_server.database_url, "zhongxin")
    assert httpx.get(link, cookies={"qs_session": zhongxin}).status_code == 200  # still the owner's, in 我的导出
