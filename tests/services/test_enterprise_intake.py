"""代企业登记诉求, 企业台账 and the enterprise's later registration (issue #22, part C), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.core import security
from portal.core.db import session_scope
from portal.models.enums import Channel, DemandStatus, Role
from portal.models.tables import AuditEntry, Demand, Enterprise, Notification, TimelineEvent, Unit, User, WorkOrder
from portal.services.accounts import enterprise_accounts
from portal.services.base.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portal.services.calendar.store import get_calendar
from portal.services.demands import detail, dispatching, lists
from portal.services.enterprises import intake, ledger, registry
from tests.services.test_lifecycle import actor, count, form, unit_id


def valid_code(body: str) -> str:
    """An 18-character credit code with the right GB 32100 check character for a 17-character ``body``."""
    return body + security.credit_code_check_char(body)


def wrong_check(body: str) -> str:
    right = security.credit_code_check_char(body)
    return body + ("0" if right != "0" else "1")


def enterprise_of(username: str) -> Enterprise:
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == username)).one()
        return session.get(Enterprise, user.enterprise_id)


def new_record(**over) -> registry.EnterpriseForm:
    values = dict(
        name="泰安新登记机械有限公司",
        credit_code=valid_code("91370900MA3XYW121"),
        town_unit_id=unit_id("东街街道"),
        industry="制造业",
        scale="小型",
        contact_name="赵厂长",
        contact_phone="13905381234",
    )
    values.update(over)
    return registry.EnterpriseForm(**values)


def intake_form(channel=Channel.HOTLINE, **over) -> intake.IntakeForm:
    return intake.IntakeForm(channel=channel, demand=form(), **over)


@pytest.fixture
def fallback_handler(demo_accounts):
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.name == "办不成事窗口(兜底办)")).one()
        session.add(
            User(username="doudi", role=Role.HANDLER, display_name="兜底办窗口", password_hash="x", unit_id=unit.id)
        )
    return actor("doudi")


def test_centre_registers_a_hotline_demand_that_enters_the_loop(demo_accounts):
    centre, qiye1 = actor("zhongxin"), enterprise_of("qiye1")
    demand_id, enterprise_id = intake.register_for_enterprise(
        actor=centre, form=intake_form(enterprise_id=str(qiye1.id))
    )
    assert enterprise_id == qiye1.id
    with session_scope() as session:
        demand = session.get(Demand, demand_id)
        assert (demand.status, demand.channel, demand.submitted_by_id) == (
            DemandStatus.SUBMITTED,
            Channel.HOTLINE,
            centre.user_id,
        )
        first = session.exec(select(TimelineEvent).where(TimelineEvent.demand_id == demand_id)).one()
        assert first.action == "代企业登记(服务热线)" and first.actor_label.endswith("·推进中心值班员")
        # The enterprise's account is told.
        owner = session.exec(select(User.id).where(User.enterprise_id == qiye1.id)).first()
        assert session.exec(select(Notification).where(Notification.user_id == owner)).first() is not None
    # In the dispatch queue with its channel, and in the enterprise's 我的诉求.
    queue = lists.dispatch_queue(actor=centre, status=DemandStatus.SUBMITTED)
    assert [r["channel"] for r in queue["rows"] if r["id"] == demand_id] == [Channel.HOTLINE]
    mine = lists.my_demands(actor=actor("qiye1"))
    assert demand_id in [r["id"] for r in mine["rows"]]
    seen = detail.demand_detail(actor=actor("qiye1"), demand_id=demand_id)
    assert seen["demand"]["channel"] == Channel.HOTLINE
    assert "推进中心值班员" not in seen["timeline"][0]["who"]
    assert "派单" in detail.demand_detail(actor=centre, demand_id=demand_id)["actions"]
    found = lists.search_demands(actor=centre, filters={"channel": Channel.HOTLINE})
    assert [r["id"] for r in found["rows"]] == [demand_id]
    assert lists.search_demands(actor=centre, filters={"channel": Channel.ONLINE})["total"] == 0


def test_town_handler_registers_only_for_its_own_enterprises(demo_accounts):
    dongjie, qiye1, qiye2 = actor("dongjie"), enterprise_of("qiye1"), enterprise_of("qiye2")
    own, other = (qiye1, qiye2) if qiye1.town_unit_id == dongjie.unit_id else (qiye2, qiye1)
    before = count(Demand)
    with pytest.raises(ValidationFailed) as refused:
        intake.register_for_enterprise(actor=dongjie, form=intake_form(Channel.VISIT, enterprise_id=other.id))
    assert refused.value.errors == {"enterprise_id": "未找到该企业,请重新查找选择"}
    assert count(Demand) == before
    demand_id, _ = intake.register_for_enterprise(actor=dongjie, form=intake_form(Channel.VISIT, enterprise_id=own.id))
    # A 镇街 registers, the 推进中心 dispatches: the handler sees it on the file, but it is not its order.
    file = ledger.enterprise_file(actor=dongjie, enterprise_id=own.id)
    assert [(d["id"], d["channel"], d["linkable"]) for d in file["demands"]] == [(demand_id, Channel.VISIT, False)]
    with pytest.raises(NotFound):
        ledger.enterprise_file(actor=dongjie, enterprise_id=other.id)


@pytest.mark.parametrize("who", ["ziguiju", "lingdao", "qiye1", "admin"])
def test_departments_leaders_enterprises_and_admins_may_not_register(demo_accounts, who):
    with pytest.raises(Forbidden):
        intake.register_for_enterprise(actor=actor(who), form=intake_form(enterprise_id=enterprise_of("qiye1").id))
    assert count(Demand) == 0


def test_bad_input_is_named_beside_each_field_and_writes_nothing(demo_accounts):
    centre = actor("zhongxin")
    bad = intake.IntakeForm(
        channel="线上提交",
        demand=form(contact_phone="12345"),
        new=new_record(credit_code=wrong_check("91370900MA3XYW122"), name="X"),
    )
    with pytest.raises(ValidationFailed) as refused:
        intake.register_for_enterprise(actor=centre, form=bad)
    assert set(refused.value.errors) == {"channel", "contact_phone", "new_credit_code", "new_name"}
    assert "校验位" in refused.value.errors["new_credit_code"]
    with pytest.raises(ValidationFailed) as unknown:
        intake.register_for_enterprise(actor=centre, form=intake_form(enterprise_id="99999"))
    assert set(unknown.value.errors) == {"enterprise_id"}
    with pytest.raises(ValidationFailed) as nothing:
        intake.register_for_enterprise(actor=centre, form=intake_form())
    assert set(nothing.value.errors) == {"enterprise_id"}
    assert (count(Demand), count(Enterprise), count(AuditEntry)) == (0, 2, 0)


def test_new_record_on_the_spot_then_the_enterprise_registers_and_finds_its_demand(demo_accounts, fallback_handler):
    record = new_record()
    demand_id, enterprise_id = intake.register_for_enterprise(
        actor=fallback_handler, form=intake_form(Channel.FALLBACK_WINDOW, new=record)
    )
    with session_scope() as session:
        stored = session.get(Enterprise, enterprise_id)
        assert stored.created_by_id == fallback_handler.user_id and stored.contact_phone == "13805380001"
    # Registering with the same credit code but another name is refused; with the name, it is linked.
    registration = dict(
        credit_code=record.credit_code,
        contact_name="赵厂长",
        contact_phone="13805380001",  # the phone staff recorded (a stranger's phone is refused)
        username="xinqiye",
        password="Tai-an#Machine2026",
        password_confirm="Tai-an#Machine2026",
        industry="制造业",
        scale="小型",
    )
    with pytest.raises(ValidationFailed) as renamed:
        enterprise_accounts.register_enterprise(
            form=enterprise_accounts.EnterpriseRegistration(enterprise_name="别的名字有限公司", **registration)
        )
    assert set(renamed.value.errors) == {"enterprise_name"}
    enterprises = count(Enterprise)
    enterprise_accounts.register_enterprise(
        form=enterprise_accounts.EnterpriseRegistration(enterprise_name=record.name, **registration)
    )
    assert count(Enterprise) == enterprises
    owner = actor("xinqiye")
    assert owner.enterprise_id == enterprise_id
    assert [r["id"] for r in lists.my_demands(actor=owner)["rows"]] == [demand_id]
    # Now it has an account: a second registration of the code is the squatting case again.
    with pytest.raises(ValidationFailed) as again:
        enterprise_accounts.register_enterprise(
            form=enterprise_accounts.EnterpriseRegistration(
                enterprise_name=record.name, **(registration | {"username": "xinqiye2"})
            )
        )
    assert again.value.errors["credit_code"] == enterprise_accounts.CREDIT_CODE_TAKEN


def test_window_demand_is_due_within_three_working_days(demo_accounts, fallback_handler):
    qiye1 = enterprise_of("qiye1")
    window_id, _ = intake.register_for_enterprise(
        actor=fallback_handler, form=intake_form(Channel.FALLBACK_WINDOW, enterprise_id=qiye1.id)
    )
    hotline_id, _ = intake.register_for_enterprise(actor=actor("zhongxin"), form=intake_form(enterprise_id=qiye1.id))
    centre, lead = actor("zhongxin"), unit_id("市住房和城乡建设局")
    for demand_id in (window_id, hotline_id):
        dispatching.dispatch(actor=centre, demand_id=demand_id, lead_unit_id=lead, level="复杂")
    with session_scope() as session:
        calendar = get_calendar(session)
        by_demand = {
            o.demand_id: o for o in session.exec(select(WorkOrder).where(WorkOrder.order_role == "主办")).all()
        }
        window, hotline = by_demand[window_id], by_demand[hotline_id]
        assert window.limit_days == 3 and window.due_reason == "办不成事窗口(3个工作日内反馈)"
        assert window.due_at == calendar.add_working_days(window.dispatched_at, 3)
        assert hotline.limit_days == 15 and hotline.due_at > window.due_at
        assert session.get(Demand, window_id).due_at == window.due_at


def test_ledger_search_file_edit_with_version_and_audit(demo_accounts):
    centre, dongjie, leader = actor("zhongxin"), actor("dongjie"), actor("lingdao")
    new_id = registry.create_enterprise(actor=centre, form=new_record())
    assert ledger.search_enterprises(actor=leader, filters={"name": "新登记"})["total"] == 1
    by_code = ledger.search_enterprises(actor=centre, filters={"credit_code": new_record().credit_code[:12].lower()})
    assert [r["id"] for r in by_code["rows"]] == [new_id] and by_code["rows"][0]["account"] == "未注册"
    assert ledger.search_enterprises(actor=centre, filters={"industry": "建筑业"})["total"] == 1
    town = {"town_unit_id": str(unit_id("东街街道"))}
    assert ledger.search_enterprises(actor=leader, filters=town)["total"] == 2
    assert ledger.search_enterprises(actor=actor("ziguiju"), filters={})["total"] == 0
    file = ledger.enterprise_file(actor=dongjie, enterprise_id=new_id)
    assert file["can_edit"] and not file["can_edit_town"] and file["visits"] == [] and file["plans"] == []
    assert not ledger.enterprise_file(actor=leader, enterprise_id=new_id)["can_edit"]
    edit = new_record(
        operations="年产值约3000万元",
        difficulties="用地指标紧张",
        industry_unit_id=unit_id("市住房和城乡建设局"),
        service_user_id=actor("dongjie").user_id,
    )
    registry.update_enterprise(actor=dongjie, enterprise_id=new_id, version=file["version"], form=edit)
    with pytest.raises(Conflict):  # a second save on the same loaded version
        registry.update_enterprise(actor=centre, enterprise_id=new_id, version=file["version"], form=edit)
    after = ledger.enterprise_file(actor=centre, enterprise_id=new_id)
    assert (
        after["industry_unit_name"] == "市住房和城乡建设局" and after["service_user_name"] == "东街街道·东街街道经办人"
    )
    assert after["difficulties"] == "用地指标紧张" and after["version"] == file["version"] + 1
    with session_scope() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "编辑企业档案")).one()
        assert "困难:(空) → 用地指标紧张" in entry.detail
    with pytest.raises(Forbidden):
        registry.update_enterprise(actor=leader, enterprise_id=new_id, version=after["version"], form=edit)
    with pytest.raises(ValidationFailed) as bad:
        registry.update_enterprise(
            actor=centre, enterprise_id=new_id, version=after["version"], form=new_record(contact_phone="电话")
        )
    assert set(bad.value.errors) == {"contact_phone"}
    with pytest.raises(ValidationFailed) as twice:
        registry.create_enterprise(actor=centre, form=new_record())
    assert set(twice.value.errors) == {"name", "credit_code"}


def test_window_limit_is_an_editable_rule(demo_accounts):
    from portal.services.supervision import rules

    keys = {row["key"] for row in rules.list_rules(actor=actor("admin"))}
    assert "窗口反馈" in keys


# ── 进度查询 (/track) ─────────────────────────────────────────────────────────────────────────


def _hotline_demand() -> Demand:
    demand_id, _ = intake.register_for_enterprise(
        actor=actor("zhongxin"), form=intake_form(enterprise_id=enterprise_of("qiye1").id)
    )
    dispatching.dispatch(actor=actor("zhongxin"), demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
    with session_scope() as session:
        return session.get(Demand, demand_id)


def test_track_right_pair_shows_status_and_public_timeline_only(demo_accounts):
    from portal.services.demands.workflow import record_event
    from portal.services.enterprises import tracking

    demand = _hotline_demand()
    with session_scope() as session:  # a staff-only event that must never show
        record_event(session, session.get(Demand, demand.id), actor("zhongxin"), "催办", "内部催办意见")
    result = tracking.track_demand(code=demand.code.lower(), phone_tail="0001", client_address="10.0.0.1")
    assert result["status"] == DemandStatus.DISPATCHED and result["channel"] == Channel.HOTLINE
    assert [e["action"] for e in result["events"]] == ["代企业登记(服务热线)", "派单"]
    shown = repr(result)
    assert "推进中心值班员" not in shown and "内部催办意见" not in shown and "催办" not in shown
    from portal.models.tables import TrackLookup

    with session_scope() as session:
        assert [(r.code, r.found) for r in session.exec(select(TrackLookup))] == [(demand.code, True)]


def test_track_wrong_pairs_say_only_not_found_and_are_throttled(demo_accounts):
    from portal.models.tables import TrackLookup
    from portal.services.base.errors import ServiceError
    from portal.services.enterprises import tracking

    demand = _hotline_demand()
    answers = []
    for code, tail in [(demand.code, "9999"), ("QS209901010001", "0001")]:
        with pytest.raises(ServiceError) as refused:
            tracking.track_demand(code=code, phone_tail=tail, client_address="10.0.0.2")
        answers.append((type(refused.value), refused.value.message, getattr(refused.value, "errors", None)))
    assert answers[0] == answers[1] == (ServiceError, tracking.NOT_FOUND, None)
    with pytest.raises(ValidationFailed) as malformed:
        tracking.track_demand(code="x", phone_tail="12a", client_address="10.0.0.2")
    assert set(malformed.value.errors) == {"code", "phone_tail"}
    # From the 5th miss of an address, it is held: even the right pair is refused for a while.
    for tail in ("1111", "2222", "3333"):
        with pytest.raises(ServiceError):
            tracking.track_demand(code=demand.code, phone_tail=tail, client_address="10.0.0.2")
    with pytest.raises(ServiceError) as held:
        tracking.track_demand(code=demand.code, phone_tail="0001", client_address="10.0.0.2")
    assert held.value.message == tracking.THROTTLED
    # Another address is not held by this one's misses…
    assert tracking.track_demand(code=demand.code, phone_tail="0001", client_address="10.0.0.3")["code"] == demand.code
    # …but ten misses on one code from many addresses lock the code itself.
    for i in range(10):
        with pytest.raises(ServiceError):
            tracking.track_demand(code=demand.code, phone_tail=f"5{i:03d}", client_address=f"10.1.0.{i}")
    with pytest.raises(ServiceError) as locked:
        tracking.track_demand(code=demand.code, phone_tail="0001", client_address="10.9.9.9")
    assert locked.value.message == tracking.THROTTLED
    with session_scope() as session:
        assert len(session.exec(select(TrackLookup)).all()) == 2 + 3 + 1 + 1 + 10 + 1  # every lookup logged


def test_track_log_is_kept_half_a_year_then_purged(demo_accounts):
    from datetime import timedelta

    from sqlmodel import select

    from portal.core.clock import now
    from portal.core.db import session_scope
    from portal.models.tables import TrackLookup
    from portal.services.enterprises import tracking

    with session_scope() as session:
        session.add(TrackLookup(address="203.0.113.9", code="QS1", found=False, created_at=now() - timedelta(days=181)))
        session.add(TrackLookup(address="203.0.113.9", code="QS2", found=False, created_at=now() - timedelta(days=10)))
    assert tracking.purge_track_lookups() == 1
    with session_scope() as session:
        assert [row.code for row in session.exec(select(TrackLookup))] == ["QS2"]
