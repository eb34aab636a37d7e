"""Holes found by a hostile review of the enterprise file, registration, logging and metrics (each test
failed before its fix)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal.core.db import get_engine
from portal.models.enums import Channel
from portal.models.tables import Demand, Enterprise
from portal.services.accounts import enterprise_accounts
from portal.services.base.errors import ValidationFailed
from portal.services.demands import intake as demand_intake
from portal.services.demands import lists
from portal.services.enterprises import intake, registry
from tests.services.test_enterprise_intake import enterprise_of, intake_form, new_record
from tests.services.test_lifecycle import actor, count, form


def _registration(record, **over) -> enterprise_accounts.EnterpriseRegistration:
    values = dict(
        enterprise_name=record.name,
        credit_code=record.credit_code,
        contact_name="冒名者",
        contact_phone="13999990000",
        username="maoming",
        password="Tai-an#Machine2026",
        password_confirm="Tai-an#Machine2026",
        industry="制造业",
        scale="小型",
    )
    values.update(over)
    return enterprise_accounts.EnterpriseRegistration(**values)


def test_a_stranger_with_the_public_name_and_code_does_not_take_over_a_staff_record(demo_accounts):
    """Name and credit code are public (国家企业信用信息公示系统): knowing them must not be enough to read the
    demands staff registered for the enterprise. The record is linked only for the phone staff recorded."""
    record = new_record()
    demand_id, enterprise_id = intake.register_for_enterprise(actor=actor("zhongxin"), form=intake_form(new=record))
    enterprises = count(Enterprise)
    with pytest.raises(ValidationFailed) as refused:
        enterprise_accounts.register_enterprise(form=_registration(record))
    assert set(refused.value.errors) == {"contact_phone"}
    assert count(Enterprise) == enterprises
    # The phone on the record (the demand's contact, 13805380001) links it.
    enterprise_accounts.register_enterprise(form=_registration(record, contact_phone="138 0538 0001"))
    owner = actor("maoming")
    assert owner.enterprise_id == enterprise_id
    assert [r["id"] for r in lists.my_demands(actor=owner)["rows"]] == [demand_id]


@pytest.mark.parametrize("way", ["intake", "submit", "new_enterprise"])
def test_contact_name_longer_than_the_column_is_refused(demo_accounts, way):
    """51 characters passed the checks (``clean_text`` keeps one past the limit) and reached a 50-character
    column: stored over-long on SQLite, a DataError on PostgreSQL."""
    long_name = "联" * 51
    before = (count(Demand), count(Enterprise))
    with pytest.raises(ValidationFailed) as refused:
        if way == "intake":
            qiye1 = enterprise_of("qiye1")
            intake.register_for_enterprise(
                actor=actor("zhongxin"),
                form=intake.IntakeForm(
                    channel=Channel.HOTLINE, demand=form(contact_name=long_name), enterprise_id=qiye1.id
                ),
            )
        elif way == "submit":
            demand_intake.submit_demand(actor=actor("qiye1"), form=form(contact_name=long_name))
        else:
            registry.create_enterprise(actor=actor("zhongxin"), form=new_record(contact_name=long_name))
    assert "contact_name" in refused.value.errors
    assert (count(Demand), count(Enterprise)) == before


def test_database_errors_do_not_carry_the_values_into_the_log(demo_accounts):
    """An unexpected database error is logged with its traceback; its message must not hold the row's
    values (demand text, phone numbers, password hashes)."""
    import io
    import logging

    from portal.core import logs

    secret = "13805389999-机密诉求内容"
    logs.configure_logging(force=True)
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_portal", False))
    stream = io.StringIO()
    handler.setStream(stream)
    try:
        with pytest.raises(IntegrityError):
            try:
                with get_engine().begin() as connection:
                    connection.execute(
                        text('INSERT INTO "user" (id, username) VALUES (:a, :b), (:a, :b)'), {"a": 999999, "b": secret}
                    )
            except IntegrityError:
                logging.getLogger("portal.test").exception("event handler failed")
                raise
    finally:
        logs.configure_logging(force=True)
    written = stream.getvalue()
    assert "event handler failed" in written and "IntegrityError" in written and "Traceback" in written
    assert secret not in written


def test_metric_route_labels_are_bounded():
    """A client must not grow the metrics with made-up paths: only the portal's own routes get a label."""
    from portal.api.observe import route_label

    assert route_label("/api/files/12") == "/api/files"
    assert route_label("/api/health") == "/api/health"
    assert route_label("/_event/") == "/_event"
    assert route_label("/_upload") == "/_upload"
    made_up = {route_label(f"/api/x{i}") for i in range(50)} | {route_label(f"/_x{i}") for i in range(50)}
    assert len(made_up) == 1


def test_a_town_handler_reads_only_its_own_enterprises_suggestions_of_another_units_meeting(demo_accounts):
    """A 镇街 sees a meeting one of its enterprises attended; the 意见建议 of another 镇街's enterprises at that
    meeting are not its to read."""
    from portal.core.clock import fixed, use_clock
    from portal.models.enums import MeetingKind
    from portal.services.enterprises import meetings
    from tests.services.test_collection import THURSDAY
    from tests.services.test_enterprise_directory import _enterprise_of
    from tests.services.test_lifecycle import unit_id

    qiye1, qiye2 = _enterprise_of("qiye1"), _enterprise_of("qiye2")  # 东街's and another 镇街's
    zhujian = unit_id("市住房和城乡建设局")
    form = meetings.MeetingForm(
        kind=MeetingKind.TEA_PARTY,
        title="重点企业政企茶话会",
        held_on="2026-11-25",
        enterprise_ids=[str(qiye1.id), str(qiye2.id)],
        unit_ids=[str(zhujian)],
        suggestions=[
            meetings.Suggestion("希望简化厂房竣工验收流程。", str(qiye1.id), str(zhujian)),
            meetings.Suggestion("外镇企业的融资困难情况。", str(qiye2.id), str(zhujian)),
        ],
    )
    with use_clock(fixed(THURSDAY)):
        meeting_id = meetings.record_meeting(actor=actor("zhongxin"), form=form)
        _row, everything = meetings.meeting_problems(actor=actor("zhongxin"), meeting_id=meeting_id)
        _row, own = meetings.meeting_problems(actor=actor("dongjie"), meeting_id=meeting_id)
    assert len(everything) == 2
    assert [p["enterprise_id"] for p in own] == [qiye1.id]
