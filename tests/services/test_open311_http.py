"""The Open311-style API over HTTP (issue #27), against the Starlette app the portal mounts: the spec's error
format for oversized bodies (413), wrong content types (415), bad keys (401/403) and the rate (429); XML that
parses; a POST form-encoded and as JSON; every call with a key audited without the key."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from portal.api.routes import build_api
from portal.core.db import session_scope
from portal.models.tables import ApiKey, AuditEntry, Demand
from portal.services.open311 import calls, keys
from tests.services.test_lifecycle import actor, count
from tests.services.test_open311 import make_key, params

BASE = "/api/open311/v2"


@pytest.fixture
def client(demo_accounts):
    with TestClient(build_api()) as test_client:
        yield test_client


def errors_of(response) -> list[dict]:
    body = response.json()
    assert isinstance(body, list) and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == response.status_code
    return body


def test_a_post_form_encoded_then_its_request_and_updates_as_json_and_xml(client):
    key_id, key = make_key()
    response = client.post(f"{BASE}/requests.json", data={**params(), "api_key": key})
    assert response.status_code == 201, response.text
    [answer] = response.json()
    code = answer["service_request_id"]
    assert answer["token"] and code.startswith("QS")
    [public] = client.get(f"{BASE}/requests/{code}.json").json()
    assert public["description"] is None and public["status"] == "open"
    [own] = client.get(f"{BASE}/requests/{code}.json", headers={"X-Api-Key": key}).json()
    assert own["description"].startswith("我公司")
    xml = client.get(f"{BASE}/requests/{code}/updates.xml")
    assert xml.headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(xml.content)
    assert root.tag == "updates" and root.find("update/service_request_id").text == code
    services = ElementTree.fromstring(client.get(f"{BASE}/services.xml").content)
    assert services.tag == "services" and services.find("service/service_code").text
    listed = ElementTree.fromstring(client.get(f"{BASE}/requests.xml?status=open").content)
    assert listed.tag == "service_requests" and code in [e.text for e in listed.iter("service_request_id")]
    assert client.get(f"{BASE}/tokens/{answer['token']}.json").json()[0]["service_request_id"] == code
    with session_scope() as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == keys.AUDIT_SECTION)).all()
        assert any(f"POST {BASE}/requests.json → 201 {code}" in a.detail for a in audit)
        assert all(key not in a.detail + a.target for a in audit)
        assert session.get(ApiKey, key_id).calls == 2  # the POST and the GET with the key; anonymous reads not


def test_json_body_with_an_attribute_object_and_a_replay(client):
    _, key = make_key()
    body = {k: v for k, v in params().items() if not k.startswith("attribute")}
    body["attribute"] = {"credit_code": params()["attribute[credit_code]"], "enterprise_name": "泰安示例科技有限公司"}
    headers = {"X-Api-Key": key, "Idempotency-Key": "hotline-7781"}
    first = client.post(f"{BASE}/requests.json", json=body, headers=headers)
    assert first.status_code == 201, first.text
    before = count(Demand)
    again = client.post(f"{BASE}/requests.json", json=body, headers=headers)
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    changed = client.post(f"{BASE}/requests.json", json={**body, "phone": "13805380002"}, headers=headers)
    assert changed.status_code == 422 and "Idempotency-Key" in errors_of(changed)[0]["description"]
    assert count(Demand) == before


def test_oversized_wrong_type_bad_json_and_unknown_service_write_nothing(client):
    _, key = make_key()
    headers = {"X-Api-Key": key}
    before = count(Demand)
    big = client.post(
        f"{BASE}/requests.json",
        content=b"a=" + b"x" * (70 * 1024),
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 413 and errors_of(big)
    xml_body = client.post(f"{BASE}/requests.xml", content=b"<x/>", headers={**headers, "Content-Type": "text/xml"})
    assert xml_body.status_code == 415 and ElementTree.fromstring(xml_body.content).tag == "errors"
    broken = client.post(f"{BASE}/requests.json", content=b"{", headers={**headers, "Content-Type": "application/json"})
    assert broken.status_code == 400 and errors_of(broken)
    listed = client.post(
        f"{BASE}/requests.json", content=json.dumps([1]), headers={**headers, "Content-Type": "application/json"}
    )
    assert listed.status_code == 400
    unknown = client.post(f"{BASE}/requests.json", data={**params(service_code="99999")}, headers=headers)
    assert unknown.status_code == 400 and "service_code" in errors_of(unknown)[0]["description"]
    assert client.get(f"{BASE}/requests.json?status=pending").status_code == 400
    assert client.get(f"{BASE}/services.html").status_code == 404
    assert client.get(f"{BASE}/requests/QS00000000000.json").status_code == 404
    assert count(Demand) == before


def test_keys_missing_unknown_or_revoked_are_refused(client):
    key_id, key = make_key()
    assert client.post(f"{BASE}/requests.json", data=params()).status_code == 401
    assert client.post(f"{BASE}/requests.json", data=params(), headers={"X-Api-Key": key + "0"}).status_code == 401
    # A wrong key on a read is refused, not read as anonymous.
    assert client.get(f"{BASE}/services.json", headers={"X-Api-Key": "qs311_nothing"}).status_code == 401
    keys.revoke_key(actor=actor("admin"), key_id=key_id)
    before = count(Demand)
    refused = client.post(f"{BASE}/requests.json", data=params(), headers={"X-Api-Key": key})
    assert refused.status_code == 403 and errors_of(refused)
    assert count(Demand) == before
    with session_scope() as session:
        assert session.get(ApiKey, key_id).refused_calls == 1


def test_the_rate_limits_answer_429(client, monkeypatch):
    _, key = make_key(rate_per_minute="3")
    answers = [client.get(f"{BASE}/services.json", headers={"X-Api-Key": key}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get(f"{BASE}/services.json", headers={"X-Api-Key": key})
    assert errors_of(limited) and int(limited.headers["Retry-After"]) >= 1
    monkeypatch.setattr(calls, "ANONYMOUS_RATE", 2)
    anonymous = [client.get(f"{BASE}/services.json").status_code for _ in range(3)]
    assert anonymous == [200, 200, 429]


def test_every_route_is_described_in_the_openapi_file():
    from pathlib import Path

    from portal import routes
    from portal.api.open311 import open311_routes

    text = (Path(__file__).parents[2] / "docs" / "open311.yaml").read_text(encoding="utf-8")
    assert text.startswith("openapi: 3.1.0")
    for route in open311_routes():
        path = route.path.removeprefix(routes.OPEN311_API).replace("{fmt}", "{format}")
        assert f"\n  {path.replace('{code}', '{service_request_id}')}:\n" in text, path
