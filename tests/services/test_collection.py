"""Demands gathered by people (issue #22): 走访记录, 座谈会, 转为诉求, 本周征询 and its reminder, 需求计划台账."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.models.enums import Channel, MeetingKind, PlanHorizon
from portal.models.tables import AuditEntry, CollectedProblem, ConsultReminder, Demand, Notification, Visit
from portal.services.base.errors import Forbidden, NotFound, ValidationFailed
from portal.services.enterprises import collected, consultation, meetings, plans, visits
from portal.services.ledgers import sheets, writers
from portal.services.supervision import figures
from tests.services.test_enterprise_directory import _enterprise_of
from tests.services.test_lifecycle import actor, topic_id, unit_id

SH = ZoneInfo("Asia/Shanghai")
THURSDAY = datetime(2026, 11, 26, 10, 0, tzinfo=SH)


def _visit(who: str = "dongjie", enterprise=None, **over) -> int:
    values = dict(
        visited_on="2026-11-24",
        enterprise_id=str((enterprise or _enterprise_of("qiye1")).id),
        visitors="张三、李四",
        summary="了解企业生产经营情况,企业反映两个问题。",
        problems=["厂房施工许可办理进度慢,希望加快。", "  ", "招工难,希望组织专场招聘会。"],
    )
    values.update(over)
    return visits.record_visit(actor=actor(who), form=visits.VisitForm(**values))


def _convert(problem_id: int, who: str = "dongjie", **over) -> int:
    values = dict(
        kind="求助",
        topic_id=str(topic_id()),
        title="厂房施工许可办理进度慢",
        content="厂房施工许可办理进度慢,希望相关部门加快办理。",
        contact_name="王经理",
        contact_phone="13805380001",
        plan_horizon=PlanHorizon.NEAR,
    )
    values.update(over)
    return collected.convert_problem(actor=actor(who), problem_id=problem_id, form=collected.ConvertForm(**values))


def test_visit_with_two_problems_yields_two_demands_once_each(demo_accounts):
    with use_clock(fixed(THURSDAY)):
        visit_id = _visit()
        row, problems = visits.visit_problems(actor=actor("dongjie"), visit_id=visit_id)
        assert [p["position"] for p in problems] == [1, 2]  # the empty row was ignored
        prefill = collected.problem_prefill(actor=actor("dongjie"), problem_id=problems[0]["id"])
        assert prefill["channel"] == Channel.VISIT and prefill["contact_phone"] == "13805380001"
        first = _convert(problems[0]["id"])
        second = _convert(problems[1]["id"], title="招工难", plan_horizon="")
        with pytest.raises(ValidationFailed) as refused:
            _convert(problems[0]["id"])
        assert "已转为诉求" in refused.value.errors["problem"]
        row, problems = visits.visit_problems(actor=actor("lingdao"), visit_id=visit_id)
    assert row["demands"] == 2 and {p["demand_id"] for p in problems} == {first, second}
    assert all(p["demand_status"] == "待受理" for p in problems)
    with session_scope() as session:
        demands = session.exec(select(Demand).where(Demand.id.in_([first, second]))).all()
        assert {d.channel for d in demands} == {Channel.VISIT}
        assert {d.plan_horizon for d in demands} == {PlanHorizon.NEAR, None}
        assert session.exec(select(func.count()).select_from(Demand)).one() == 2
        assert session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "转为诉求")).one()


def test_bad_visits_write_nothing(demo_accounts):
    with use_clock(fixed(THURSDAY)):
        cases = {
            "visited_on": dict(visited_on="2026-11-27"),
            "enterprise_id": dict(enterprise_id=""),
            "summary": dict(summary="  "),
            "visitors": dict(visitors=""),
        }
        for field_name, over in cases.items():
            with pytest.raises(ValidationFailed) as failed:
                _visit(**over)
            assert field_name in failed.value.errors
        with pytest.raises(NotFound):
            _convert(999999, title="")  # a missing problem reads as missing, whatever the form says
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Visit)).one() == 0
        assert session.exec(select(func.count()).select_from(CollectedProblem)).one() == 0


def test_area_rule_for_visits_and_conversions(demo_accounts):
    qiye1, qiye2 = _enterprise_of("qiye1"), _enterprise_of("qiye2")
    with use_clock(fixed(THURSDAY)):
        with pytest.raises(ValidationFailed) as failed:
            _visit(enterprise=qiye2)  # not 东街's enterprise
        assert "enterprise_id" in failed.value.errors
        with pytest.raises(Forbidden):
            _visit(who="lingdao")  # leaders read only
        foreign = _visit(who="zhongxin", enterprise=qiye2)
        own = _visit(who="zhongxin", enterprise=qiye1)
        seen = {v["id"] for v in visits.list_visits(actor=actor("dongjie"))}
        assert own in seen and foreign not in seen
        with pytest.raises(NotFound):
            visits.visit_problems(actor=actor("dongjie"), visit_id=foreign)
        _row, problems = visits.visit_problems(actor=actor("zhongxin"), visit_id=foreign)
        with pytest.raises(NotFound):
            _convert(problems[0]["id"], who="dongjie")
        with pytest.raises(Forbidden):
            visits.list_visits(actor=actor("qiye1"))


def test_meeting_suggestions_become_demands_per_department(demo_accounts):
    qiye1, qiye2 = _enterprise_of("qiye1"), _enterprise_of("qiye2")
    zhujian, renshe = unit_id("市住房和城乡建设局"), unit_id("市人力资源和社会保障局")
    form = meetings.MeetingForm(
        kind=MeetingKind.TEA_PARTY,
        title="重点企业政企茶话会",
        held_on="2026-11-25",
        enterprise_ids=[str(qiye1.id), str(qiye2.id)],
        unit_ids=[str(zhujian), str(renshe)],
        suggestions=[
            meetings.Suggestion("希望简化厂房竣工验收流程。", str(qiye1.id), str(zhujian)),
            meetings.Suggestion("", "", ""),
            meetings.Suggestion("希望加大稳岗补贴力度。", str(qiye2.id), str(renshe)),
        ],
    )
    with use_clock(fixed(THURSDAY)):
        with pytest.raises(ValidationFailed) as failed:
            meetings.record_meeting(actor=actor("dongjie"), form=form)  # qiye2 is not 东街's
        assert "enterprise_ids" in failed.value.errors
        meeting_id = meetings.record_meeting(actor=actor("zhongxin"), form=form)
        _row, suggestions = meetings.meeting_problems(actor=actor("zhongxin"), meeting_id=meeting_id)
        ids = [_convert(s["id"], who="zhongxin") for s in suggestions]
        row, suggestions = meetings.meeting_problems(actor=actor("lingdao"), meeting_id=meeting_id)
        seen_by_dongjie = {m["id"] for m in meetings.list_meetings(actor=actor("dongjie"))}
    assert row["demands"] == 2 and "泰安示例科技有限公司" in row["enterprises"]
    assert meeting_id in seen_by_dongjie  # one of its enterprises attended
    with session_scope() as session:
        demands = {d.id: d for d in session.exec(select(Demand).where(Demand.id.in_(ids)))}
    assert [demands[i].suggested_unit_id for i in ids] == [zhujian, renshe]
    assert {d.channel for d in demands.values()} == {Channel.TEA_PARTY}


def test_meeting_with_a_suggestion_for_no_attendee_is_refused(demo_accounts):
    qiye1 = _enterprise_of("qiye1")
    form = meetings.MeetingForm(
        kind=MeetingKind.BREAKFAST,
        title="早餐汇",
        held_on="2026-11-25",
        enterprise_ids=[str(qiye1.id)],
        unit_ids=[str(unit_id("市住房和城乡建设局"))],
        suggestions=[meetings.Suggestion("希望简化流程。", str(qiye1.id), str(unit_id("市财政局")))],
    )
    with use_clock(fixed(THURSDAY)), pytest.raises(ValidationFailed) as failed:
        meetings.record_meeting(actor=actor("dongjie"), form=form)
    assert "problems" in failed.value.errors


def test_weekly_reminder_from_thursday_once_per_week(demo_accounts):
    dongjie = unit_id("东街街道")
    with use_clock(fixed(THURSDAY - timedelta(days=1))):
        assert consultation.send_consult_reminders() == 0  # Wednesday: not yet
        _visit()  # 东街 visits on Tuesday
    with use_clock(fixed(THURSDAY)):
        counts = {c["unit_id"]: c for c in consultation.week_counts(actor=actor("lingdao"))}
        assert counts[dongjie]["visits"] == 1 and counts[dongjie]["total"] == 1
        idle = [c for c in counts.values() if c["total"] == 0]
        assert idle and consultation.send_consult_reminders() == len(idle)
        assert consultation.send_consult_reminders() == 0
    with session_scope() as session:
        reminded = session.exec(select(ConsultReminder.unit_id)).all()
        notices = session.exec(select(Notification).where(Notification.kind == "征询提醒")).all()
    assert dongjie not in reminded and len(notices) == len(idle) == len(reminded)
    with use_clock(fixed(THURSDAY + timedelta(days=7))):
        assert consultation.send_consult_reminders() == len(idle) + 1  # a new week: 东街 too


def test_plan_ledger_lists_and_exports(demo_accounts, tmp_path):
    with use_clock(fixed(THURSDAY)):
        _row, problems = visits.visit_problems(actor=actor("dongjie"), visit_id=_visit())
        near = _convert(problems[0]["id"])
        _convert(problems[1]["id"], title="招工难", plan_horizon=PlanHorizon.LONG)
        with pytest.raises(ValidationFailed):
            _convert(problems[1]["id"], plan_horizon="明年")
        rows = plans.list_plans(actor=actor("lingdao"))
        assert [r["horizon"] for r in rows] == [PlanHorizon.NEAR, PlanHorizon.LONG]
        assert [r["demand_id"] for r in plans.list_plans(actor=actor("dongjie"), horizon="近期开展")] == [near]
        assert plans.list_plans(actor=actor("zhujianju")) == []
        ledger = sheets.LEDGERS["plans"]
        scope = sheets.scoped(actor("lingdao"), sheets.ExportFilters())
        path = tmp_path / "plans.xlsx"
        with session_scope() as session:
            assert sheets.count_rows(session, ledger, scope) == 2
            rows_iter = sheets.ledger_rows(session, ledger, scope)
            writers.write_xlsx(
                path, ledger, rows_iter, reporter="推进中心", reported="2026-11-26", progress=lambda _: None
            )
    values = [c for row in load_workbook(path).active.iter_rows(values_only=True) for c in row]
    assert "需求计划台账" in values and "近期开展" in values and "长期谋划" in values


def test_bulletin_counts_each_towns_consultations(demo_accounts):
    with use_clock(fixed(THURSDAY)):
        _visit()
        with session_scope() as session:
            rows = figures.unit_figures(session, date(2026, 11, 1), date(2026, 12, 1))
    by_unit = {r["unit"]: r["consultations"] for r in rows}
    assert by_unit["东街街道"] == "1" and by_unit["西城街道"] == "0" and by_unit["市财政局"] == "—"
