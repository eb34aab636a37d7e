"""一类问题 and 每月一题 (issue #26): the grouping finds the planted group and not the unrelated demands, the
nightly job looks only at the demands since its last run, the dispatcher confirms a class and its answer
reaches every member exactly once (sent twice, sent concurrently, a member added later), units and
enterprises cannot act, foreign ids are refused; a month's theme with tasks and progress, public without
enterprise data."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.models.enums import Channel, ClassStatus
from portal.models.tables import Enterprise, GroupingCursor, Notification, ProblemClassMember, TimelineEvent
from portal.services.base.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from portal.services.classes import grouping, monthly, problem_classes
from portal.services.demands.intake import NewDemand, open_demand
from tests.services.test_lifecycle import actor, topic_id, unit_id

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SH)
OUTAGE = [
    ("园区突然停电影响生产", "东街工业园区昨天下午突然停电三个小时,生产线被迫停工,希望供电部门尽快排查园区线路。"),
    ("工业园区频繁停电", "东街工业园区本月已经停电两次,每次停电两三个小时,生产线停工损失大,希望排查园区供电线路。"),
    ("园区停电导致设备损坏", "东街工业园区突然停电,生产线设备损坏,希望供电部门排查园区线路并提前通知停电。"),
    ("停电频繁影响生产线", "东街工业园区供电线路老化,经常停电,生产线停工,请供电部门尽快排查园区线路。"),
]
OTHERS = [
    ("招工难需要专场招聘会", "企业扩大生产需要招聘五十名技术工人,希望组织专场招聘会。"),
    ("厂区路灯损坏", "厂区门口道路路灯损坏多日,夜间员工出行不便,希望维修。"),
    ("天然气开户办理慢", "新厂房天然气开户申请已提交一个月,仍未安装,影响试生产。"),
]


def _enterprises(count: int) -> list[int]:
    with session_scope() as session:
        town = session.exec(select(Enterprise.town_unit_id).where(Enterprise.name == "泰安示例科技有限公司")).one()
        start = session.exec(select(func.count()).select_from(Enterprise)).one()
        rows = [
            Enterprise(
                name=f"东街示例制造{i}号有限公司",
                credit_code=f"91370900000{i:06d}X",
                town_unit_id=town,
                contact_name="张经理",
                contact_phone="13800000000",
            )
            for i in range(start, start + count)
        ]
        session.add_all(rows)
        session.flush()
        return [e.id for e in rows]


def _demand(enterprise_id: int, title: str, content: str, topic: str = "水电气网") -> int:
    with session_scope() as session:
        demand = open_demand(
            session,
            NewDemand(
                enterprise_id=enterprise_id,
                kind="求助",
                topic_id=topic_id(topic),
                title=title,
                content=content,
                contact_name="张经理",
                contact_phone="13800000000",
            ),
            channel=Channel.HOTLINE,
            registered_by=actor("zhongxin"),
        )
        return demand.id


@pytest.fixture
def world(demo_accounts):
    """Four outage demands from four enterprises of one 镇街 (one of them qiye1's) and three unrelated."""
    with session_scope() as session:
        qiye1 = session.exec(select(Enterprise.id).where(Enterprise.name == "泰安示例科技有限公司")).one()
    others = _enterprises(6)
    ids = {"outage": [], "other": []}
    with use_clock(fixed(NOW - timedelta(days=3))):
        for enterprise, (title, content) in zip([qiye1, *others[:3]], OUTAGE, strict=True):
            ids["outage"].append(_demand(enterprise, title, content))
        for enterprise, (title, content) in zip(others[3:], OTHERS, strict=True):
            ids["other"].append(_demand(enterprise, title, content, "人才用工" if "招工" in title else "水电气网"))
    return ids


def _groups(status=ClassStatus.CANDIDATE):
    return problem_classes.list_classes(actor=actor("zhongxin"), status=status)


def _members(class_id) -> set[int]:
    return {m["demand_id"] for m in problem_classes.class_detail(actor=actor("zhongxin"), class_id=class_id)[1]}


def _confirm(class_id, **over):
    values = dict(
        name="东街工业园区频繁停电",
        lead_unit_id=str(unit_id("东街街道")),
        answer="已协调供电公司对东街工业园区线路全面排查,本月底前完成老旧线路改造,计划停电提前三天通知企业。",
    )
    values.update(over)
    problem_classes.confirm_class(actor=actor("zhongxin"), class_id=class_id, form=problem_classes.ClassForm(**values))


def _answers(demand_id: int) -> int:
    with session_scope() as session:
        return session.exec(
            select(func.count()).where(TimelineEvent.demand_id == demand_id, TimelineEvent.action == "一类问题答复")
        ).one()


def test_grouping_finds_the_planted_group_and_not_the_others(world):
    with use_clock(fixed(NOW)):
        summary = grouping.group_new_demands()
    assert summary["new_demands"] == 7 and summary["groups"] == 1
    [group] = _groups()
    assert _members(group["id"]) == set(world["outage"])
    assert group["size"] == 4 and group["open"] == 4 and group["town"] == "东街街道" and group["topic"] == "水电气网"


def test_the_job_looks_only_at_demands_since_its_last_run(world):
    with use_clock(fixed(NOW)):
        assert grouping.group_new_demands()["new_demands"] == 7
        assert grouping.group_new_demands() is None  # nothing new: the window is empty
    with session_scope() as session:
        first_cut = session.get(GroupingCursor, 1).up_to
    with use_clock(fixed(NOW + timedelta(hours=2))):
        late = _demand(world_enterprise(), OUTAGE[1][0], OUTAGE[1][1])
    with use_clock(fixed(first_cut - timedelta(days=1))):
        backdated = _demand(world_enterprise(), OUTAGE[2][0], OUTAGE[2][1])  # before the cursor: never looked at
    with use_clock(fixed(NOW + timedelta(days=1))):
        summary = grouping.group_new_demands()
    assert summary["new_demands"] == 1 and summary["joined"] == 1
    [group] = _groups()
    assert late in _members(group["id"]) and backdated not in _members(group["id"])


def world_enterprise() -> int:
    return _enterprises(1)[0]


def test_confirmed_answer_reaches_every_member_once(world):
    with use_clock(fixed(NOW)):
        grouping.group_new_demands()
    [group] = _groups()
    _confirm(group["id"])
    zhongxin = actor("zhongxin")
    assert problem_classes.send_answer(actor=zhongxin, class_id=group["id"]) == {"sent": 4, "already": 0, "failed": 0}
    assert problem_classes.send_answer(actor=zhongxin, class_id=group["id"])["sent"] == 0
    assert all(_answers(d) == 1 for d in world["outage"])
    # a member added later by its code receives it on the next send, the others not again
    late = _demand(world_enterprise(), "园区停电", "东街工业园区又停电了,生产线停工,希望排查线路。")
    with session_scope() as session:
        from portal.models.tables import Demand

        code = session.get(Demand, late).code
    problem_classes.add_member(actor=zhongxin, class_id=group["id"], code=code.lower())
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(problem_classes.send_answer(actor=zhongxin, class_id=group["id"]))
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["sent"] for r in results) == 1
    assert all(_answers(d) == 1 for d in [*world["outage"], late])
    with session_scope() as session:
        events = session.exec(select(TimelineEvent).where(TimelineEvent.action == "一类问题答复")).all()
        assert {e.visibility for e in events} == {"public"} and "东街街道牵头" in events[0].public_detail
        notices = session.exec(select(func.count()).where(Notification.kind == "一类问题答复")).one()
    assert notices == 1  # only qiye1 has an account; the hotline enterprises get the event (进度查询) only
    [row] = _groups(ClassStatus.CONFIRMED)
    assert row["size"] == 5 and row["unanswered"] == 0 and row["lead_unit"] == "东街街道"


def test_a_new_answer_version_is_sent_again_once(world):
    with use_clock(fixed(NOW)):
        grouping.group_new_demands()
    [group] = _groups()
    _confirm(group["id"])
    problem_classes.send_answer(actor=actor("zhongxin"), class_id=group["id"])
    _confirm(group["id"], name="东街工业园区频繁停电")  # same answer: no new version
    assert problem_classes.send_answer(actor=actor("zhongxin"), class_id=group["id"])["sent"] == 0
    _confirm(group["id"], answer="线路改造已完成,园区已恢复稳定供电,如仍有停电请拨打供电抢修电话。")
    assert problem_classes.send_answer(actor=actor("zhongxin"), class_id=group["id"])["sent"] == 4
    assert all(_answers(d) == 2 for d in world["outage"])


def test_only_dispatchers_act_and_foreign_ids_are_refused(world):
    with use_clock(fixed(NOW)):
        grouping.group_new_demands()
    [group] = _groups()
    form = problem_classes.ClassForm(
        name="停电", lead_unit_id=str(unit_id("东街街道")), answer="答复内容足够长的一段话。"
    )
    for who in ("dongjie", "qiye1", "lingdao"):
        with pytest.raises(Forbidden):
            problem_classes.confirm_class(actor=actor(who), class_id=group["id"], form=form)
        with pytest.raises(Forbidden):
            problem_classes.send_answer(actor=actor(who), class_id=group["id"])
    with pytest.raises(Forbidden):
        problem_classes.list_classes(actor=actor("qiye1"))
    with pytest.raises(Forbidden):
        grouping.regroup_recent(actor=actor("dongjie"))
    for bad in ("999999", "-1", "1 OR 1=1", None, {"id": 1}):
        with pytest.raises(NotFound):
            problem_classes.confirm_class(actor=actor("zhongxin"), class_id=bad, form=form)
    with pytest.raises(NotFound):  # a handler sees only the confirmed classes its unit leads
        problem_classes.class_detail(actor=actor("dongjie"), class_id=group["id"])
    with pytest.raises(ValidationFailed) as bad:
        _confirm(group["id"], name=" ", lead_unit_id="abc", answer="短")
    assert set(bad.value.errors) == {"name", "lead_unit_id", "answer"}
    _confirm(group["id"])
    assert problem_classes.class_detail(actor=actor("dongjie"), class_id=group["id"])[0]["status"] == "已确认"
    with pytest.raises(NotFound):
        problem_classes.class_detail(actor=actor("zhujianju"), class_id=group["id"])
    member = problem_classes.class_detail(actor=actor("zhongxin"), class_id=group["id"])[1][0]
    with pytest.raises(NotFound):
        problem_classes.remove_member(actor=actor("zhongxin"), class_id=group["id"] + 1, member_id=member["id"])


def test_removed_member_is_not_regrouped_and_a_demand_stays_in_one_class(world):
    with use_clock(fixed(NOW)):
        grouping.group_new_demands()
    [group] = _groups()
    _confirm(group["id"])
    detail, members = problem_classes.class_detail(actor=actor("zhongxin"), class_id=group["id"])
    problem_classes.remove_member(actor=actor("zhongxin"), class_id=group["id"], member_id=members[0]["id"])
    with use_clock(fixed(NOW)):
        grouping.regroup_recent(actor=actor("zhongxin"))
    assert members[0]["demand_id"] not in _members(group["id"])
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(ProblemClassMember)).one() == 4
    # a second class cannot take a member of the first
    with use_clock(fixed(NOW)):
        ids = [_demand(world_enterprise(), *OTHERS[0], topic="人才用工") for _ in range(3)]
        grouping.regroup_recent(actor=actor("zhongxin"))
    other = next(g for g in _groups() if set(ids) <= _members(g["id"]))
    with session_scope() as session:
        from portal.models.tables import Demand

        code = session.get(Demand, members[1]["demand_id"]).code
    with pytest.raises(ValidationFailed, match="已属于一类问题"):
        problem_classes.add_member(actor=actor("zhongxin"), class_id=other["id"], code=code)
    with pytest.raises(ValidationFailed, match="未找到"):
        problem_classes.add_member(actor=actor("zhongxin"), class_id=other["id"], code="QS0000")
    problem_classes.dismiss_class(actor=actor("zhongxin"), class_id=other["id"])
    with pytest.raises(ServiceError):
        problem_classes.dismiss_class(actor=actor("zhongxin"), class_id=group["id"])


def _theme(**over) -> int:
    [group] = _groups(ClassStatus.CONFIRMED)
    values = dict(
        month="2026-11",
        title="园区供电保障",
        summary="聚焦园区停电问题。",
        problems=["", "计划停电未提前通知", ""],
        classes=[str(group["id"]), "", ""],
    )
    values.update(over)
    return monthly.create_theme(actor=actor("zhongxin"), form=monthly.ThemeForm(**values))


def test_monthly_theme_tasks_progress_and_public_page(world):
    with use_clock(fixed(NOW)):
        grouping.group_new_demands()
    [group] = _groups()
    _confirm(group["id"])
    [candidate] = monthly.theme_candidates(actor=actor("lingdao"))
    assert candidate["size"] == 4 and candidate["name"] == "东街工业园区频繁停电"
    with use_clock(fixed(NOW)):
        theme_id = _theme()
        with pytest.raises(ValidationFailed, match="该月已有"):
            _theme()
        with pytest.raises(ValidationFailed, match="2至3个问题"):
            _theme(month="2026-12", problems=["只有一个问题"], classes=[])
        assert monthly.public_themes() == []  # a draft is not public
        with pytest.raises(ServiceError, match="分配任务"):
            monthly.publish_theme(actor=actor("zhongxin"), theme_id=theme_id)
        [theme] = monthly.staff_themes(actor=actor("dongjie"))
        problem = theme["problems"][0]
        assert problem["text"] == "东街工业园区频繁停电"
        task = monthly.TaskForm(str(problem["id"]), str(unit_id("东街街道")), "排查园区供电线路", "2026-12-15")
        task_id = monthly.add_task(actor=actor("zhongxin"), theme_id=theme_id, form=task)
        with pytest.raises(Forbidden):
            monthly.add_task(actor=actor("dongjie"), theme_id=theme_id, form=task)
        monthly.publish_theme(actor=actor("zhongxin"), theme_id=theme_id)
        with pytest.raises(Forbidden):  # another unit's task
            monthly.report_progress(actor=actor("zhujianju"), task_id=task_id, progress="50", note="已排查")
        with pytest.raises(ValidationFailed):
            monthly.report_progress(actor=actor("dongjie"), task_id=task_id, progress="150", note="已排查")
        monthly.report_progress(actor=actor("dongjie"), task_id=task_id, progress="60", note="已排查12条线路")
        [public] = monthly.public_themes()
    assert public["month"] == "2026-11" and public["progress"] == 60
    assert public["tasks"][0]["unit"] == "东街街道" and public["tasks"][0]["status"] == "进行中"
    assert public["tasks"][0]["milestones"][0]["note"] == "已排查12条线路"
    text = repr(public)
    assert "泰安示例" not in text and "东街示例制造" not in text and "生产线" not in text


def test_two_schedulers_group_a_window_once_and_the_run_is_recorded(world):
    from portal.jobs.registry import JOBS, run_job
    from portal.models.tables import JobRun, ProblemClass

    results = []

    def run():
        with use_clock(fixed(NOW)):
            results.append(grouping.group_new_demands())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r is None for r in results) == [False, True]
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(ProblemClass)).one() == 1
    [(job_id, interval, work, _)] = [job for job in JOBS if job[0] == "group_demands"]
    with use_clock(fixed(NOW + timedelta(days=1))):
        run_job(job_id, interval, work)
    with session_scope() as session:
        row = session.exec(select(JobRun).where(JobRun.job_id == "group_demands")).one()
    assert row.last_error == "" and "new_demands=0" in row.last_summary
