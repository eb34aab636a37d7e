"""A hostile review of issue #26/#27's new ways in (the review of this session): each test is a hole found
and closed, or an attack that must keep failing. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import httpx
import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from portal.api.routes import build_api
from portal.core.channels import get_channel_settings
from portal.core.db import session_scope
from portal.models.tables import Demand, Enterprise, User
from portal.services.classes import suggestions
from portal.services.classes.candidates import Candidate
from portal.services.delivery import gateways, texts
from portal.services.demands import detail
from portal.services.demands.workflow import record_event
from portal.services.enterprises import tracking
from portal.services.open311 import calls
from tests.services.outbox_helpers import clear_channels, use_channels
from tests.services.test_lifecycle import actor
from tests.services.test_open311 import make_key, params
from tests.services.test_similar_demands import TYPED, look, submit

BASE = "/api/open311/v2"


@pytest.fixture
def client(demo_accounts):
    with TestClient(build_api()) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/requests/%01%08AB.xml", "/requests/%1F/updates.xml", "/tokens/%00x.xml"])
def test_an_xml_answer_stays_well_formed_whatever_the_path_holds(client, path):
    """A control character in the path came back in the 404's description: a document no XML parser reads."""
    response = client.get(BASE + path)
    assert response.status_code == 404
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors" and root.find("error/code").text == "404"


@pytest.mark.parametrize(
    "path",
    [
        "/requests/QS%00.json",
        "/requests/%00/updates.json",
        "/tokens/a%00b.json",
        "/requests.json?service_request_id=QS%00",
    ],
)
def test_a_nul_byte_in_a_code_or_token_is_an_answer_not_a_server_error(client, path):
    """PostgreSQL refuses a NUL in a text parameter (DataError): the lookup failed with a 500, and a keyed
    call went uncounted and unaudited."""
    response = client.get(BASE + path)
    assert response.status_code in (200, 404)
    assert response.json() == [] or response.json()[0]["code"] == 404


@pytest.mark.parametrize(
    "field",
    [
        "description",
        "first_name",
        "phone",
        "service_code",
        "attribute[kind]",
        "attribute[title]",
        "attribute[enterprise_name]",
        "attribute[credit_code]",
        "email",
    ],
)
def test_a_nul_byte_in_any_posted_field_is_answered(client, field):
    _key_id, key = make_key()
    body = {**params(), field: params().get(field, "x") + "\x00", "api_key": key}
    response = client.post(f"{BASE}/requests.json", data=body)
    assert response.status_code in (201, 400), response.text


def test_a_posted_control_character_never_breaks_the_xml_of_an_error(client):
    _key_id, key = make_key()
    body = {**params(description="\x0b\x0c" * 3), "api_key": key}
    response = client.post(f"{BASE}/requests.xml", data=body)
    assert response.status_code == 400
    assert ElementTree.fromstring(response.content).tag == "errors"


def test_a_gateway_address_with_its_key_in_the_query_is_masked_in_errors(demo_accounts):
    """Many SMS providers take their key in the URL: httpx's refusal names the URL, and the first line of
    the error is stored and shown on /admin/outbox."""
    use_channels(None, None, PORTAL_SMS_ADAPTER="http", PORTAL_SMS_URL="https://u:pw-9@sms.example.cn/s?appkey=K-777")
    try:
        settings = get_channel_settings()
        client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(401)))
        with pytest.raises(httpx.HTTPStatusError) as caught:
            gateways.HttpGateway(settings, client).send("13905380002", "x")
        line = gateways.error_line(caught.value, settings.secrets())
        assert "401" in line and "K-777" not in line and "pw-9" not in line
        assert "K-777" not in repr(settings)
    finally:
        clear_channels()


def test_no_header_can_be_injected_through_a_title_or_a_name():
    """Held: the subject is an encoded word, the name is in the body, the address was checked when saved."""
    raw = texts.email_message(
        sender="noreply@portal.example.cn",
        to="wang@qiye1.example.cn",
        name="王\r\nBcc: evil@example.com",
        title="标题\r\nBcc: evil@example.com\r\n\r\n伪造正文",
        body="正文",
        link="/my/demands",
        base_url="http://portal.example.cn",
    )
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert b"Bcc" not in headers.replace(b"Bcc=3A", b"") and b"\nBcc:" not in raw


def test_an_enterprise_never_learns_the_town_of_another_enterprises_demand(demo_accounts):
    """类似诉求 may show another enterprise's demand by 事项, status and public progress only: its 镇街 came
    through the 同镇街 badge and through the order (the viewer's 镇街 first)."""
    theirs = submit("qiye2", content=TYPED["content"])
    with session_scope() as session:
        mine = session.get(Enterprise, actor("qiye1").enterprise_id)
        session.exec(
            update(Enterprise)
            .where(Enterprise.id == actor("qiye2").enterprise_id)
            .values(town_unit_id=mine.town_unit_id)
        )
    (record,) = look("qiye1").records
    assert record["mine"] is False and record["same_town"] is False
    # The order: the viewer's own demands first, then the most alike, whatever 镇街 each is in.
    near = Candidate(id=1, enterprise_id=7, town_unit_id=3, status="待受理", tokens=frozenset("ab"))
    far = Candidate(id=2, enterprise_id=8, town_unit_id=4, status="待受理", tokens=frozenset("abc"))
    own = Candidate(id=3, enterprise_id=9, town_unit_id=3, status="待受理", tokens=frozenset("a"))
    ranked = suggestions.rank(frozenset("abc"), [near, far, own], town=None, own_enterprise=9)
    assert [c.id for _, c in ranked] == [3, 2, 1]
    assert theirs


def test_a_public_step_by_staff_without_a_unit_never_names_the_person(demo_accounts):
    """An admin's change to the 工作日历 writes a public 期限调整 on each moved demand
    (``calendar/deadline_recount``) as the admin, who has no unit: its label is the person's name, and the
    Open311 updates (anyone), 进度查询 and the enterprise's own page showed it as the “unit”."""
    with session_scope() as session:
        session.exec(update(User).where(User.username == "admin").values(display_name="赵德明"))
    demand_id = submit("qiye1")
    with session_scope() as session:
        demand = session.get(Demand, demand_id)
        record_event(session, demand, actor("admin"), "期限调整", "因法定节假日安排调整", public="因法定节假日安排调整")
        code, phone = demand.code, demand.contact_phone
    shown = [
        calls.read_updates(code=code, holder=None),
        tracking.track_demand(code=code, phone_tail=phone[-4:], client_address="10.9.9.9")["events"],
        detail.demand_detail(actor=actor("qiye1"), demand_id=demand_id)["timeline"],
    ]
    for rows in shown:
        assert rows[-1]["description" if "description" in rows[-1] else "action"] == "期限调整"
        assert "赵德明" not in json.dumps(rows, ensure_ascii=False)
    # A step by a system (a key, a job) keeps its name: no person is behind it.
    assert calls.read_updates(code=code, holder=None)[0]["agency"] == "企业"


def test_a_made_up_key_does_not_escape_the_anonymous_rate(client, monkeypatch):
    """Any X-Api-Key skipped the per-address rate: a client sending made-up keys was answered (401) without
    limit, each answer a key lookup."""
    monkeypatch.setattr(calls, "ANONYMOUS_RATE", 2)
    answers = [
        client.get(f"{BASE}/services.json", headers={"X-Api-Key": f"qs311_made-up-{n}"}).status_code for n in range(3)
    ]
    assert answers == [401, 401, 429]
    assert client.post(f"{BASE}/requests.json", data=params()).status_code == 429  # no key: the same budget
