"""Hostile clients against the demand flow: foreign ids, wrong roles, crafted events and downloads."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from portal.state.demands.actions import DispatcherDemandActions, HandlerDemandActions
from portal.state.demands.detail import DemandDetailState
from tests.e2e.conftest import workday_after
from tests.e2e.test_hostile_client import RawClient, _login_token

pytestmark = pytest.mark.e2e
DETAIL = DemandDetailState.get_full_name()
DISPATCHER = DispatcherDemandActions.get_full_name()
HANDLER = HandlerDemandActions.get_full_name()
PDF = b"%PDF-1.4\n%secret plan\n" + b"0" * 64


def _actor(username: str):
    from portal.core.db import session_scope
    from portal.models.tables import User
    from portal.services.accounts.actor import Actor

    with session_scope() as session:
        u = session.exec(select(User).where(User.username == username)).one()
        return Actor(
            user_id=u.id,
            username=u.username,
            role=u.role,
            display_name=u.display_name,
            unit_id=u.unit_id,
            enterprise_id=u.enterprise_id,
        )


def _unit(name: str) -> int:
    from portal.core.db import session_scope
    from portal.models.tables import Unit

    with session_scope() as session:
        return session.exec(select(Unit.id).where(Unit.name == name)).one()


@pytest.fixture
def secret_demand(on_portal_db):
    """qiye1's demand with an attachment, dispatched to 住建局 only, signed, with a pending extension."""
    from portal.core.db import session_scope
    from portal.models.tables import WorkOrder
    from portal.services.demands import detail, dispatching, handling, intake

    with on_portal_db():
        from portal.models.tables import Topic

        with session_scope() as session:
            topic = session.exec(select(Topic.id).where(Topic.name == "项目建设")).one()
        ent = _actor("qiye1")
        demand_id = intake.submit_demand(
            actor=ent,
            form=intake.DemandForm(
                kind="投诉",
                topic_id=topic,
                title="机密诉求甲乙丙",
                content="这是一条只有本企业和承办单位能看到的诉求内容。",
                contact_name="王经理",
                contact_phone="13805380001",
                files=[intake.UploadedFile("机密.pdf", PDF)],
            ),
        )
        dispatching.dispatch(
            actor=_actor("zhongxin"), demand_id=demand_id, lead_unit_id=_unit("市住房和城乡建设局"), level="一般"
        )
        with session_scope() as session:
            order_id = session.exec(select(WorkOrder.id).where(WorkOrder.demand_id == demand_id)).one()
        handling.sign(actor=_actor("zhujianju"), order_id=order_id)
        handling.request_extension(
            actor=_actor("zhujianju"), order_id=order_id, reason="需要更多时间协调", new_due_date=workday_after(25)
        )
        attachment_id = detail.demand_detail(actor=ent, demand_id=demand_id)["attachments"][0]["id"]
    return {"demand_id": demand_id, "order_id": order_id, "attachment_id": attachment_id}


def _row(database_url: str, sql: str, **params):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        row = connection.execute(text(sql), params).one()
    engine.dispose()
    return row


def _session_client(portal_server, username: str) -> RawClient:
    client = RawClient(portal_server.url)
    client.use_session(_login_token(portal_server.database_url, username))
    return client


def test_other_enterprise_cannot_read_by_id(portal_server, secret_demand):
    client = _session_client(portal_server, "qiye2")
    try:
        client.send(f"{DETAIL}.load", {}, path=f"/my/demands/{secret_demand['demand_id']}")
    finally:
        client.close()
    received = client.text()
    assert "机密诉求甲乙丙" not in received and "只有本企业" not in received
    assert '"not_found_rx_state_": true' in received


def test_attachment_download_needs_the_right_session(portal_server, secret_demand):
    url = f"{portal_server.url}/api/files/{secret_demand['attachment_id']}"
    assert httpx.get(url).status_code == 401
    other = _login_token(portal_server.database_url, "qiye2")
    assert httpx.get(url, cookies={"qs_session": other}).status_code == 404
    foreign_unit = _login_token(portal_server.database_url, "ziguiju")
    assert httpx.get(url, cookies={"qs_session": foreign_unit}).status_code == 404
    owner = _login_token(portal_server.database_url, "qiye1")
    response = httpx.get(url, cookies={"qs_session": owner})
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(f"{portal_server.url}/api/files/../../etc/passwd").status_code == 404


def test_enterprise_calling_dispatch_is_refused(portal_server, on_portal_db):
    from portal.services.demands import intake

    with on_portal_db():
        from portal.core.db import session_scope
        from portal.models.tables import Topic

        with session_scope() as session:
            topic = session.exec(select(Topic.id).where(Topic.name == "其他")).one()
        demand_id = intake.submit_demand(
            actor=_actor("qiye1"),
            form=intake.DemandForm(
                kind="建议",
                topic_id=topic,
                title="企业自己派单的尝试",
                content="企业尝试通过伪造事件自行派单给某部门。",
                contact_name="王经理",
                contact_phone="13805380001",
            ),
        )
    client = _session_client(portal_server, "qiye1")
    try:
        path = f"/staff/demands/{demand_id}"
        client.send(f"{DETAIL}.load", {}, path=path)
        client.send(
            f"{DISPATCHER}.dispatch",
            {"form": {"lead_unit_id": str(_unit_id_raw(portal_server, "东街街道")), "level": "一般"}},
            path=path,
        )
        client.send(f"{DISPATCHER}.instant_answer", {"form": {"answer": "企业自己答复自己"}}, path=path)
    finally:
        client.close()
    assert "无权执行此操作" in client.text()
    status = _row(portal_server.database_url, "SELECT status FROM demand WHERE id=:d", d=demand_id)[0]
    assert status == "待受理"


def _unit_id_raw(portal_server, name: str) -> int:
    return _row(portal_server.database_url, "SELECT id FROM unit WHERE name=:n", n=name)[0]


def test_unit_cannot_act_on_another_units_order(portal_server, secret_demand):
    client = _session_client(portal_server, "ziguiju")
    try:
        path = f"/staff/demands/{secret_demand['demand_id']}"
        client.send(f"{DETAIL}.load", {}, path=path)
        client.send(
            f"{HANDLER}.submit_feedback",
            {"form": {"reply": "冒充住建局答复企业的内容。", "method": "冒充", "solved": "是"}},
            path=path,
        )
        client.send(f"{HANDLER}.sign", {}, path=path)
    finally:
        client.close()
    received = client.text()
    assert "机密诉求甲乙丙" not in received
    order = _row(
        portal_server.database_url,
        "SELECT status, reply_content FROM work_order WHERE id=:o",
        o=secret_demand["order_id"],
    )
    assert tuple(order) == ("办理中", "")


def test_handler_cannot_approve_its_own_extension(portal_server, secret_demand):
    client = _session_client(portal_server, "zhujianju")
    try:
        path = f"/staff/demands/{secret_demand['demand_id']}"
        client.send(f"{DETAIL}.load", {}, path=path)
        client.send(f"{DISPATCHER}.decide_extension", {"form": {"decision": "approve"}}, path=path)
    finally:
        client.close()
    assert "无权执行此操作" in client.text()
    status = _row(
        portal_server.database_url,
        "SELECT status FROM extension_request WHERE work_order_id=:o",
        o=secret_demand["order_id"],
    )[0]
    assert status == "待审批"


def test_oversized_upload_request_is_refused_before_reading(portal_server):
    """A client announcing a 200 MB body to /_upload gets 413 at once; nothing is read or stored."""
    import socket
    from urllib.parse import urlparse

    target = urlparse(portal_server.url)
    with socket.create_connection((target.hostname, target.port), timeout=10) as sock:
        sock.sendall(
            b"POST /_upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 209715200\r\n\r\n--b\r\n"
        )
        reply = sock.recv(4096).decode("utf-8", "replace")
    assert reply.startswith("HTTP/1.1 413")
