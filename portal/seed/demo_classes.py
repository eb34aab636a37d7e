"""Demo 一类问题 and 每月一题 (issue #26): four enterprises of 东街街道 reporting the 园区 power cuts (one of them
qiye1) left as a candidate group for the centre to confirm, a confirmed class of 高新区 hiring demands with
its answer sent, and this month's 每月一题 drawn from it with tasks and progress."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.core.calendar import local_date
from portal.core.clock import fixed, now, use_clock
from portal.core.db import session_scope
from portal.models.enums import Channel, ClassStatus
from portal.models.tables import Enterprise, ProblemClass, Topic, Unit
from portal.seed.demo_demands import _Stories
from portal.services.classes import grouping, monthly, problem_classes
from portal.services.demands import intake

# name, credit code (GB 32100 check digits), town
FIRMS = [
    ("泰安东街精密机械有限公司", "91370900MA3CRL0G83", "东街街道"),
    ("泰安东街新材料有限公司", "91370900MA3CRL1E11", "东街街道"),
    ("泰安东街食品有限公司", "91370900MA3CRL2C4X", "东街街道"),
    ("泰山高新电子有限公司", "91370900MA3CRL3A7T", "高新技术产业开发区"),
    ("泰山高新智能装备有限公司", "91370900MA3CRL48AP", "高新技术产业开发区"),
]
OUTAGE = [
    (
        "东街工业园区突然停电影响生产",
        "东街工业园区昨天下午突然停电三个小时,生产线被迫停工,希望供电部门尽快排查园区线路。",
    ),
    ("工业园区本月频繁停电", "东街工业园区本月已经停电两次,每次停电两三个小时,生产线停工损失大,希望排查园区供电线路。"),
    ("园区停电导致生产设备损坏", "东街工业园区突然停电,生产线设备损坏,希望供电部门排查园区线路并提前通知停电。"),
    ("园区供电线路老化经常停电", "东街工业园区供电线路老化,经常停电,生产线停工,请供电部门尽快排查园区线路。"),
]
HIRING = [
    ("高新区企业招工难", "高新区电子企业扩产急需招聘技术工人三十名,近两个月招聘效果差,希望组织园区专场招聘会。"),
    ("园区技术工人招聘困难", "高新区企业技术工人招聘困难,生产线缺人,希望人社部门组织园区专场招聘会并给予招工补贴。"),
    ("急需招聘技术工人", "公司在高新区新建生产线,急需招聘技术工人二十名,希望组织园区专场招聘会帮助招工。"),
]
HIRING_ANSWER = (
    "针对高新区企业技术工人招聘难,市人力资源和社会保障局会同高新区每月举办一次园区专场招聘会,"
    "并按《稳岗返还和一次性扩岗补助政策》对新招用技术工人的企业给予扩岗补助,企业可在招聘会现场咨询申领。"
)


def _firms(session) -> dict[str, int]:
    units = {u.name: u.id for u in session.exec(select(Unit))}
    known = {e.name: e.id for e in session.exec(select(Enterprise))}
    for name, code, town in FIRMS:
        if name not in known:
            firm = Enterprise(
                name=name,
                credit_code=code,
                town_unit_id=units[town],
                contact_name="张经理",
                contact_phone="13905380000",
                address=f"{town}工业园区",
            )
            session.add(firm)
            session.flush()
            known[name] = firm.id
    return known


def _hotline(stories: _Stories, enterprise_id: int, topic: str, title: str, content: str) -> None:
    with session_scope() as session:
        new = intake.NewDemand(
            enterprise_id=enterprise_id,
            kind="求助",
            topic_id=stories.topics[topic],
            title=title,
            content=content,
            contact_name="张经理",
            contact_phone="13905380000",
            event_detail="服务热线登记",
        )
        intake.open_demand(session, new, channel=Channel.HOTLINE, registered_by=stories.centre)


def _online(stories: _Stories, who, topic: str, title: str, content: str, contact: str, phone: str) -> None:
    form = intake.DemandForm(
        kind="求助",
        topic_id=stories.topics[topic],
        title=title,
        content=content,
        contact_name=contact,
        contact_phone=phone,
    )
    intake.submit_demand(actor=who, form=form)


def _demands(stories: _Stories, firms: dict[str, int]) -> None:
    with stories.at(8):
        _online(stories, stories.ent1, "水电气网", *OUTAGE[0], "王经理", "13805380001")
    for days, firm, (title, content) in zip((6, 4, 2), [f[0] for f in FIRMS[:3]], OUTAGE[1:], strict=True):
        with stories.at(days):
            _hotline(stories, firms[firm], "水电气网", title, content)
    with stories.at(12):
        _online(stories, stories.ent2, "人才用工", *HIRING[0], "李主任", "0538-8221234")
    for days, firm, (title, content) in zip((10, 9), [f[0] for f in FIRMS[3:]], HIRING[1:], strict=True):
        with stories.at(days):
            _hotline(stories, firms[firm], "人才用工", title, content)


def _hiring_class(stories: _Stories) -> int:
    with session_scope() as session:
        topic = session.exec(select(Topic.id).where(Topic.name == "人才用工")).one()
        group = session.exec(
            select(ProblemClass.id).where(ProblemClass.topic_id == topic, ProblemClass.status == ClassStatus.CANDIDATE)
        ).first()
    form = problem_classes.ClassForm(
        name="高新区企业技术工人招聘难", lead_unit_id=str(stories.units["市人力资源和社会保障局"]), answer=HIRING_ANSWER
    )
    problem_classes.confirm_class(actor=stories.centre, class_id=group, form=form)
    problem_classes.send_answer(actor=stories.centre, class_id=group)
    return group


def _month(stories: _Stories, class_id: int) -> None:
    today = local_date(now())
    theme_id = monthly.create_theme(
        actor=stories.centre,
        form=monthly.ThemeForm(
            month=today.strftime("%Y-%m"),
            title="园区企业用工保障",
            summary="本月从企业诉求中选取园区企业招工难问题,人社部门与园区共同推进。",
            problems=["", "园区企业技能人才培训不足"],
            classes=[str(class_id), ""],
        ),
    )
    [theme] = [t for t in monthly.staff_themes(actor=stories.centre) if t["id"] == theme_id]
    first, second = (p["id"] for p in theme["problems"][:2])
    tasks = [
        (first, "市人力资源和社会保障局", "举办高新区专场招聘会", 20),
        (first, "高新技术产业开发区", "摸排园区企业用工缺口", 7),
        (second, "市人力资源和社会保障局", "开展园区技能人才订单式培训", 40),
        (first, "东街街道", "组织辖区企业参加专场招聘会", 20),  # dongjie reports its progress on /staff/monthly
    ]
    ids = [
        monthly.add_task(
            actor=stories.centre,
            theme_id=theme_id,
            form=monthly.TaskForm(
                str(problem), str(stories.units[unit]), title, (today + timedelta(days=due)).isoformat()
            ),
        )
        for problem, unit, title, due in tasks
    ]
    monthly.publish_theme(actor=stories.centre, theme_id=theme_id)
    monthly.report_progress(actor=stories.centre, task_id=ids[0], progress="40", note="已确定招聘会场地和参会企业")
    monthly.report_progress(actor=stories.centre, task_id=ids[1], progress="100", note="已摸排园区企业32家,缺口286人")


def seed_demo_classes() -> None:
    """Once, on a world with demo demands and no groups yet."""
    with session_scope() as session:
        if session.exec(select(ProblemClass.id).limit(1)).first() is not None:
            return
        firms = _firms(session)
    stories = _Stories()
    _demands(stories, firms)
    with use_clock(fixed(now())):
        grouping.regroup_recent(actor=stories.centre)
    _month(stories, _hiring_class(stories))
