"""The Open311-style API's services (issue #27): keys (shown once, hashed, revoked, bound), POST through the
intake (channel 接口, replay by Idempotency-Key), the public reads (no contact data, public events only);
on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import select

from portal.core.db import session_scope
from portal.models.enums import Channel, DemandStatus
from portal.models.tables import ApiKey, ApiRequest, AuditEntry, Demand, Enterprise, TimelineEvent, Topic
from portal.services.base.errors import Forbidden, ValidationFailed
from portal.services.demands import dispatching
from portal.services.demands.workflow import record_event
from portal.services.open311 import calls, keys
from portal.services.open311.posting import ReusedKey
from tests.services.test_lifecycle import actor, count, topic_id, unit_id

QIYE1 = ("泰安示例科技有限公司", "91370900MA3C7K2L07")


def make_key(**over) -> tuple[int, str]:
    form = keys.KeyForm(name="12345热线系统", rate_per_minute="60")
    for name, value in over.items():
        setattr(form, name, value)
    return keys.create_key(actor=actor("admin"), form=form)


def holder(key: str) -> keys.KeyHolder:
    return calls.admit(key=key, address="10.0.0.1", needs_key=True)


def params(**over) -> dict[str, str]:
    values = {
        "service_code": str(topic_id()),
        "description": "我公司新建厂房项目需要办理施工许可证,材料已准备齐全,希望尽快办理。",
        "first_name": "经理",
        "last_name": "王",
        "phone": "13805380001",
        "attribute[credit_code]": QIYE1[1],
        "attribute[enterprise_name]": QIYE1[0],
    }
    values.update(over)
    return values


def test_a_key_is_shown_once_stored_hashed_and_listed_without_it(demo_accounts):
    key_id, key = make_key()
    assert key.startswith(keys.KEY_PREFIX) and len(key) > 40
    with session_scope() as session:
        row = session.get(ApiKey, key_id)
        assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in str(row.model_dump())
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == keys.AUDIT_SECTION)).all()
        assert audit and all(key not in a.detail + a.target for a in audit)
    listed = keys.list_keys(actor=actor("admin"))
    assert [r["name"] for r in listed] == ["12345热线系统"]
    assert key not in str(listed) and listed[0]["prefix"] == key[: keys.SHOWN_PREFIX] + "…"
    with pytest.raises(Forbidden):
        keys.create_key(actor=actor("zhongxin"), form=keys.KeyForm(name="某系统"))
    with pytest.raises(Forbidden):
        keys.revoke_key(actor=actor("zhongxin"), key_id=key_id)
    with pytest.raises(ValidationFailed) as bad:
        keys.create_key(actor=actor("admin"), form=keys.KeyForm(name="x", rate_per_minute="0", topic_ids=["99999"]))
    assert set(bad.value.errors) == {"name", "rate_per_minute", "topic_ids"}


def test_a_hotline_posts_a_request_and_reads_its_updates(demo_accounts):
    _, key = make_key()
    system = holder(key)
    posted = calls.post(holder=system, params=params(), idempotency_key=None)
    with session_scope() as session:
        demand = session.exec(select(Demand).where(Demand.code == posted.service_request_id)).one()
        assert (demand.channel, demand.status, demand.submitted_by_id) == (Channel.API, DemandStatus.SUBMITTED, None)
        assert (demand.contact_name, demand.contact_phone) == ("王经理", "13805380001")
        first = session.exec(select(TimelineEvent).where(TimelineEvent.demand_id == demand.id)).one()
        assert first.actor_label == "12345热线系统" and first.action == "代企业登记(接口)"
        demand_id = demand.id
        assert session.exec(select(ApiRequest.token).where(ApiRequest.demand_id == demand.id)).one() == posted.token
    dispatching.dispatch(
        actor=actor("zhongxin"),
        demand_id=demand_id,
        lead_unit_id=unit_id("市自然资源和规划局"),
        co_unit_ids=[],
        level="一般",
    )
    with session_scope() as session:  # and a staff-only event, as handling writes them
        record_event(session, session.get(Demand, demand_id), actor("zhongxin"), "内部会商", "仅工作人员可见的会商记录")
    with session_scope() as session:
        events = session.exec(select(TimelineEvent).where(TimelineEvent.demand_id == demand_id)).all()
        public = [e for e in events if e.visibility == "public"]
    assert len(events) > len(public) >= 2  # the dispatch wrote a staff-only event too
    updates = calls.read_updates(code=posted.service_request_id, holder=system)
    assert [u["description"] for u in updates] == [e.action for e in public]
    assert updates[0]["notes"] and updates[0]["agency"] == "12345热线系统"
    anonymous = calls.read_updates(code=posted.service_request_id, holder=None)
    assert all(u["notes"] is None for u in anonymous)
    # Another system's key reads what anyone reads: not the text the hotline sent.
    other = holder(make_key(name="园区平台")[1])
    assert all(u["notes"] is None for u in calls.read_updates(code=posted.service_request_id, holder=other))
    assert calls.read_request(code=posted.service_request_id, holder=other)[0]["description"] is None
    [own] = calls.read_request(code=posted.service_request_id, holder=system)
    assert own["description"].startswith("我公司新建厂房") and own["status"] == "open"
    assert own["agency_responsible"] == "市自然资源和规划局"


def test_a_replay_returns_the_first_answer_and_another_body_is_refused(demo_accounts):
    system = holder(make_key()[1])
    first = calls.post(holder=system, params=params(), idempotency_key="call-20261130-0001")
    before = (count(Demand), count(ApiRequest), count(TimelineEvent))
    again = calls.post(holder=system, params=params(api_key="ignored"), idempotency_key="call-20261130-0001")
    assert (again.service_request_id, again.token, again.replayed) == (first.service_request_id, first.token, True)
    with pytest.raises(ReusedKey):
        calls.post(
            holder=system,
            params=params(description="另一件事情:用电增容申请需要协调供电公司。"),
            idempotency_key="call-20261130-0001",
        )
    with pytest.raises(ValidationFailed):
        calls.post(holder=system, params=params(), idempotency_key="有 空格")
    assert (count(Demand), count(ApiRequest), count(TimelineEvent)) == before
    # Another key may use the same idempotency key: it is its own.
    other = calls.post(
        holder=holder(make_key(name="园区平台")[1]), params=params(), idempotency_key="call-20261130-0001"
    )
    assert other.service_request_id != first.service_request_id


@pytest.mark.parametrize(
    "over, field",
    [
        ({"service_code": "99999"}, "service_code"),
        ({"service_code": "abc"}, "service_code"),
        ({"description": "太短"}, "description"),
        ({"phone": "123"}, "phone"),
        ({"first_name": "", "last_name": ""}, "first_name"),
        ({"attribute[enterprise_name]": "别的公司"}, "attribute[credit_code]"),
        ({"attribute[kind]": "闲聊"}, "attribute[kind]"),
    ],
)
def test_bad_input_is_refused_by_parameter_and_writes_nothing(demo_accounts, over, field):
    system = holder(make_key()[1])
    before = (count(Demand), count(ApiRequest))
    with pytest.raises(ValidationFailed) as refused:
        calls.post(holder=system, params=params(**over), idempotency_key="k1")
    assert field in refused.value.errors
    assert (count(Demand), count(ApiRequest)) == before


def test_revoked_and_unknown_keys_are_refused(demo_accounts):
    key_id, key = make_key()
    with pytest.raises(keys.KeyRefused) as unknown:
        holder(key + "x")
    assert unknown.value.status == 401
    with pytest.raises(keys.KeyRefused) as missing:
        calls.admit(key=None, address="10.0.0.1", needs_key=True)
    assert missing.value.status == 401
    keys.revoke_key(actor=actor("admin"), key_id=key_id)
    with pytest.raises(keys.KeyRefused) as revoked:
        holder(key)
    assert revoked.value.status == 403
    assert keys.list_keys(actor=actor("admin"))[0]["active"] is False


def test_a_key_posts_only_for_its_towns_and_topics(demo_accounts):
    with session_scope() as session:
        town = session.exec(select(Enterprise.town_unit_id).where(Enterprise.credit_code == QIYE1[1])).one()
        other_town = unit_id("西城街道")
        assert town == unit_id("东街街道")
        other_topic = session.exec(select(Topic.id).where(Topic.id != topic_id(), Topic.active == True)).first()  # noqa: E712
    elsewhere = holder(make_key(town_unit_ids=[str(other_town)])[1])
    narrow = holder(make_key(name="专项系统", topic_ids=[str(other_topic)])[1])
    before = count(Demand)
    with pytest.raises(Forbidden):
        calls.post(holder=elsewhere, params=params(), idempotency_key=None)
    with pytest.raises(Forbidden):
        calls.post(holder=narrow, params=params(), idempotency_key=None)
    assert count(Demand) == before
    assert calls.post(holder=narrow, params=params(service_code=str(other_topic)), idempotency_key=None).token


PUBLIC_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def test_the_public_list_never_shows_contact_data(demo):
    listed = calls.read_requests(params={"page_size": "100"}, holder=None)
    assert listed
    with session_scope() as session:
        secrets = set()
        for d in session.exec(select(Demand)):
            secrets |= {
                d.contact_name,
                d.contact_phone,
                d.title,
                d.content,
                session.get(Enterprise, d.enterprise_id).name,
            }
    for item in listed:
        assert set(item) == PUBLIC_FIELDS and item["description"] is None
        assert not secrets & {str(v) for v in item.values()}
        for update in calls.read_updates(code=item["service_request_id"], holder=None):
            assert update["notes"] is None and not secrets & {str(v) for v in update.values()}
            assert update["agency"] != "" and "·" not in update["agency"]
    closed = calls.read_requests(params={"status": "closed", "page_size": "100"}, holder=None)
    assert closed and {i["status"] for i in closed} == {"closed"}
    for bad in ({"status": "pending"}, {"page_size": "101"}, {"start_date": "昨天"}, {"service_code": "99999"}):
        with pytest.raises(calls.georeport.BadQuery):
            calls.read_requests(params=bad, holder=None)


def test_the_rate_is_counted_per_key_per_minute(demo_accounts):
    _, key = make_key(rate_per_minute="2")
    holder(key), holder(key)
    with pytest.raises(calls.RateLimited) as limited:
        holder(key)
    assert 1 <= limited.value.retry_after <= 61


def test_the_same_idempotency_key_sent_twice_at_once_opens_one_demand(demo_accounts):
    import threading

    system = holder(make_key()[1])
    before = count(Demand)
    barrier, answers, failures = threading.Barrier(4), [], []

    def send() -> None:
        barrier.wait()
        try:
            answers.append(calls.post(holder=system, params=params(), idempotency_key="retry-storm-1"))
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            failures.append(exc)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures and len(answers) == 4
    assert len({a.service_request_id for a in answers}) == 1
    assert sum(not a.replayed for a in answers) == 1
    assert count(Demand) == before + 1
