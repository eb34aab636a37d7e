"""Every transition of DESIGN §2, allowed and forbidden, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from portal.core.clock import fixed, use_clock
from portal.core.db import get_engine, session_scope
from portal.models.tables import Demand, TimelineEvent, Unit, User, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base import notices
from portal.services.base.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from portal.services.base.fulltext import cjk_bigrams
from portal.services.demands import (
    centre_queues,
    dispatching,
    handling,
    intake,
    lists,
    rating,
    timeline,
    verification,
    workbench,
)
from portal.services.demands import detail as demand_detail
from portal.services.demands.intake import DemandForm, UploadedFile
from portal.services.supervision import timed_work

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%demo\n" + b"0" * 64


def actor(username: str) -> Actor:
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


def unit_id(name: str) -> int:
    with session_scope() as session:
        return session.exec(select(Unit.id).where(Unit.name == name)).one()


def topic_id(name: str = "项目建设") -> int:
    from portal.models.tables import Topic

    with session_scope() as session:
        return session.exec(select(Topic.id).where(Topic.name == name)).one()


def form(**over) -> DemandForm:
    values = dict(
        kind="求助",
        topic_id=topic_id(),
        title="厂房施工许可办理咨询",
        content="我公司新建厂房项目需要办理施工许可证,材料已准备齐全,希望尽快办理。",
        contact_name="王经理",
        contact_phone="13805380001",
    )
    values.update(over)
    return DemandForm(**values)


def status(demand_id: int) -> str:
    with session_scope() as session:
        return session.get(Demand, demand_id).status


def orders(demand_id: int) -> list[WorkOrder]:
    with session_scope() as session:
        return session.exec(select(WorkOrder).where(WorkOrder.demand_id == demand_id).order_by(WorkOrder.id)).all()


def count(model) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def people(demo_accounts):
    return {
        name: actor(name)
        for name in ("qiye1", "qiye2", "zhongxin", "ziguiju", "zhujianju", "dongjie", "lingdao", "admin")
    }


def test_the_long_loop_with_redo_and_verification(people):
    p = people
    with use_clock(fixed(MONDAY)):
        demand_id = intake.submit_demand(actor=p["qiye1"], form=form(files=[UploadedFile("材料.pdf", PDF)]))
        assert status(demand_id) == "待受理"
        dispatching.dispatch(
            actor=p["zhongxin"],
            demand_id=demand_id,
            lead_unit_id=unit_id("市住房和城乡建设局"),
            co_unit_ids=[unit_id("市自然资源和规划局")],
            level="一般",
        )
    assert status(demand_id) == "待签收"
    lead, co = orders(demand_id)
    # 一般 = 5 working days after Monday 11-23 → end of Monday 11-30; 签收 within 1 working day.
    assert lead.due_at == datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=SH)
    assert lead.sign_due_at == datetime(2026, 11, 24, 23, 59, 59, 999999, tzinfo=SH)
    with use_clock(fixed(MONDAY + timedelta(hours=1))):
        handling.sign(actor=p["zhujianju"], order_id=lead.id)
        handling.sign(actor=p["ziguiju"], order_id=co.id)
        assert status(demand_id) == "办理中"
        handling.submit_co_opinion(actor=p["ziguiju"], order_id=co.id, opinion="用地规划手续齐全,同意办理。")
        request_id = handling.request_extension(
            actor=p["zhujianju"], order_id=lead.id, reason="需现场踏勘核实", new_due_date="2026-12-04"
        )
        with pytest.raises(Forbidden):  # a handler cannot approve its own request
            handling.decide_extension(actor=p["zhujianju"], request_id=request_id, approve=True)
        handling.decide_extension(actor=p["zhongxin"], request_id=request_id, approve=True)
    lead = orders(demand_id)[0]
    assert lead.due_at.astimezone(SH).date().isoformat() == "2026-12-04"
    assert lead.original_due_at == datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=SH)
    with use_clock(fixed(MONDAY + timedelta(days=1))):
        handling.submit_feedback(
            actor=p["zhujianju"],
            order_id=lead.id,
            reply="已指导企业完成施工许可申报并核发许可证。",
            method="现场指导",
            solved=True,
        )
        assert status(demand_id) == "待评价"
        rating.rate(
            actor=p["qiye1"], demand_id=demand_id, satisfaction="不满意", contacted=True, comment="还有消防问题未解决"
        )
    assert status(demand_id) == "重办中"
    redo = orders(demand_id)[-1]
    assert redo.round == 2 and redo.level == "重办" and redo.status == "办理中"
    assert redo.due_at.astimezone(SH).date().isoformat() == "2026-11-27"  # Tue + 3 working days
    with use_clock(fixed(MONDAY + timedelta(days=2))):
        handling.submit_feedback(
            actor=p["zhujianju"],
            order_id=redo.id,
            reply="已协调消防部门完成验收,问题已处理。",
            method="协调办理",
            solved=True,
        )
        rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="不满意", contacted=False, comment="仍不满意")
    assert status(demand_id) == "核查中"
    assert orders(demand_id)[-1].suspected_false_feedback  # "未联系" flags the order
    with pytest.raises(ServiceError):
        verification.decide_verification(actor=p["zhongxin"], demand_id=demand_id, close=True, opinion="核查属实")
    with pytest.raises(NotFound):  # only the lead unit uploads the form
        verification.upload_review_form(actor=p["ziguiju"], demand_id=demand_id, upload=UploadedFile("表.pdf", PDF))
    verification.upload_review_form(
        actor=p["zhujianju"], demand_id=demand_id, upload=UploadedFile("审核反馈表.pdf", PDF)
    )
    verification.decide_verification(
        actor=p["zhongxin"], demand_id=demand_id, close=True, opinion="经核查已依法依规办理"
    )
    assert status(demand_id) == "已办结"
    with session_scope() as session:
        report = timeline.verify_demand(session, demand_id)
        actions = [
            e.action
            for e in session.exec(
                select(TimelineEvent).where(TimelineEvent.demand_id == demand_id).order_by(TimelineEvent.seq)
            )
        ]
    assert report.ok
    assert actions == [
        "提交诉求",
        "派单",
        "签收",
        "签收",
        "协办意见",
        "申请延期",
        "同意延期",
        "办理反馈",
        "线上评价·评价",
        "办理反馈",
        "线上评价·评价",
        "上传审核反馈表",
        "核查办结",
    ]
    detail = demand_detail.demand_detail(actor=p["qiye1"], demand_id=demand_id)
    assert detail["demand"]["status"] == "已办结"
    assert all("审核反馈表" != a["purpose"] for a in detail["attachments"])  # internal to staff
    assert all("·" not in row["who"] for row in detail["timeline"])  # enterprises see units, not staff names


def test_instant_answer_then_very_satisfied_closes(people):
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form(kind="咨询"))
    with pytest.raises(ValidationFailed):
        dispatching.instant_answer(actor=people["zhongxin"], demand_id=demand_id, answer="")
    dispatching.instant_answer(
        actor=people["zhongxin"], demand_id=demand_id, answer="可通过工程建设项目审批系统在线申报,一个工作日内办结。"
    )
    assert status(demand_id) == "待评价"
    rating.rate(actor=people["qiye1"], demand_id=demand_id, satisfaction="非常满意", contacted=True)
    assert status(demand_id) == "已办结"
    with pytest.raises(ServiceError):  # 一事一评: no second rating
        rating.rate(actor=people["qiye1"], demand_id=demand_id, satisfaction="不满意", contacted=True, comment="再评")


def test_return_then_redispatch(people):
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
    dispatching.dispatch(
        actor=people["zhongxin"],
        demand_id=demand_id,
        lead_unit_id=unit_id("东街街道"),
        co_unit_ids=[unit_id("市自然资源和规划局")],
        level="复杂",
    )
    lead, co = orders(demand_id)
    with pytest.raises(ValidationFailed):
        handling.return_order(actor=people["dongjie"], order_id=lead.id, kind="随便", reason="")
    handling.return_order(actor=people["dongjie"], order_id=lead.id, kind="申请提级", reason="涉及市级审批权限")
    assert status(demand_id) == "退回待派"
    assert [o.status for o in orders(demand_id)] == ["已退回", "已撤销"]
    dispatching.dispatch(
        actor=people["zhongxin"],
        demand_id=demand_id,
        lead_unit_id=unit_id("市住房和城乡建设局"),
        co_unit_ids=[unit_id("市自然资源和规划局")],
        level="复杂",
    )
    assert status(demand_id) == "待签收"
    handling.sign(actor=people["zhujianju"], order_id=orders(demand_id)[2].id)
    with pytest.raises(Conflict):  # no return after signing
        handling.return_order(
            actor=people["zhujianju"], order_id=orders(demand_id)[2].id, kind="非本单位职责", reason="不是我们的"
        )


def test_reject_and_withdraw(people):
    a = intake.submit_demand(actor=people["qiye1"], form=form())
    with pytest.raises(ValidationFailed):
        dispatching.reject(actor=people["zhongxin"], demand_id=a, reason=" ")
    dispatching.reject(actor=people["zhongxin"], demand_id=a, reason="属于司法程序,不属于受理范围")
    assert status(a) == "不予受理"
    b = intake.submit_demand(actor=people["qiye1"], form=form())
    with pytest.raises(NotFound):  # another enterprise cannot touch it
        intake.withdraw(actor=people["qiye2"], demand_id=b)
    intake.withdraw(actor=people["qiye1"], demand_id=b)
    assert status(b) == "已撤回"
    c = intake.submit_demand(actor=people["qiye1"], form=form())
    dispatching.dispatch(actor=people["zhongxin"], demand_id=c, lead_unit_id=unit_id("东街街道"), level="一般")
    with pytest.raises(ServiceError):
        intake.withdraw(actor=people["qiye1"], demand_id=c)


def test_forbidden_actions_change_nothing(people):
    p = people
    demand_id = intake.submit_demand(actor=p["qiye1"], form=form())
    before = count(TimelineEvent)
    for who in ("qiye1", "ziguiju", "lingdao", "admin"):
        with pytest.raises(Forbidden):
            dispatching.dispatch(actor=p[who], demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
    with pytest.raises(Forbidden):
        intake.submit_demand(actor=p["zhongxin"], form=form())
    with pytest.raises(NotFound):
        demand_detail.demand_detail(actor=p["qiye2"], demand_id=demand_id)
    with pytest.raises(NotFound):  # a unit without an order cannot read it
        demand_detail.demand_detail(actor=p["ziguiju"], demand_id=demand_id)
    dispatching.dispatch(actor=p["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
    order = orders(demand_id)[0]
    with pytest.raises(NotFound):
        handling.sign(actor=p["ziguiju"], order_id=order.id)
    with pytest.raises(Forbidden):
        handling.sign(actor=p["zhongxin"], order_id=order.id)
    with pytest.raises(NotFound):
        handling.sign(actor=p["dongjie"], order_id="999999")
    with pytest.raises(ServiceError):  # feedback before signing
        handling.submit_feedback(
            actor=p["dongjie"], order_id=order.id, reply="已经处理完毕请查收结果。", method="电话", solved=True
        )
    handling.sign(actor=p["dongjie"], order_id=order.id)
    with pytest.raises(Conflict):
        handling.sign(actor=p["dongjie"], order_id=order.id)
    with pytest.raises(ValidationFailed):
        handling.submit_feedback(actor=p["dongjie"], order_id=order.id, reply="短", method="", solved="yes")
    assert count(TimelineEvent) == before + 2  # only the dispatch and the sign


@pytest.mark.parametrize(
    "over, field",
    [
        ({"title": "标" * 51}, "title"),
        ({"content": "太短了"}, "content"),
        ({"kind": "闲聊"}, "kind"),
        ({"topic_id": "abc"}, "topic_id"),
        ({"contact_phone": "123"}, "contact_phone"),
        ({"files": [UploadedFile(f"{i}.png", PNG) for i in range(6)]}, "files"),
        ({"files": [UploadedFile("伪装.pdf", PNG)]}, "files"),
        ({"files": [UploadedFile("病毒.exe", b"MZ" + b"\x00" * 100)]}, "files"),
        ({"files": [UploadedFile("大.pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024))]}, "files"),
    ],
)
def test_bad_demand_input_writes_nothing(people, over, field):
    before = (count(Demand), count(TimelineEvent))
    with pytest.raises(ValidationFailed) as caught:
        intake.submit_demand(actor=people["qiye1"], form=form(**over))
    assert field in caught.value.errors
    assert (count(Demand), count(TimelineEvent)) == before


def test_attachments_are_private_to_the_demand(people, tmp_path):
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form(files=[UploadedFile("营业执照.png", PNG)]))
    attachment_id = demand_detail.demand_detail(actor=people["qiye1"], demand_id=demand_id)["attachments"][0]["id"]
    assert (
        demand_detail.attachment_for_download(actor=people["qiye1"], attachment_id=attachment_id).filename
        == "营业执照.png"
    )
    with pytest.raises(NotFound):
        demand_detail.attachment_for_download(actor=people["qiye2"], attachment_id=attachment_id)
    with pytest.raises(NotFound):
        demand_detail.attachment_for_download(actor=people["ziguiju"], attachment_id=attachment_id)
    with pytest.raises(Forbidden):
        demand_detail.attachment_for_download(actor=None, attachment_id=attachment_id)
    assert demand_detail.attachment_for_download(actor=people["zhongxin"], attachment_id=attachment_id)


def test_revisit_after_the_rating_window(people):
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form(kind="咨询"))
    with use_clock(fixed(MONDAY)):
        dispatching.instant_answer(actor=people["zhongxin"], demand_id=demand_id, answer="请按政策申报指南办理即可。")
    with use_clock(fixed(MONDAY + timedelta(days=2))):
        timed_work.open_due_revisits()
        assert all(
            r["demand_id"] != demand_id for r in centre_queues.open_revisits(actor=people["zhongxin"])
        )  # window open
    with use_clock(fixed(MONDAY + timedelta(days=4))):
        timed_work.open_due_revisits()
        assert timed_work.open_due_revisits() == 0  # idempotent
        assert any(r["demand_id"] == demand_id for r in centre_queues.open_revisits(actor=people["zhongxin"]))
    task_id = next(
        r["task_id"] for r in centre_queues.open_revisits(actor=people["zhongxin"]) if r["demand_id"] == demand_id
    )
    for _attempt in range(2):
        rating.record_unreachable(actor=people["zhongxin"], task_id=task_id, note="无人接听")
        assert status(demand_id) == "待评价"
    rating.record_unreachable(actor=people["zhongxin"], task_id=task_id)
    assert status(demand_id) == "已办结"
    with session_scope() as session:
        assert session.get(Demand, demand_id).closed_unrated


def test_phone_revisit_rating(people):
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form(kind="咨询"))
    with use_clock(fixed(MONDAY)):
        dispatching.instant_answer(actor=people["zhongxin"], demand_id=demand_id, answer="请按政策申报指南办理即可。")
    with use_clock(fixed(MONDAY + timedelta(days=7))):
        timed_work.open_due_revisits()
    task_id = next(
        r["task_id"] for r in centre_queues.open_revisits(actor=people["zhongxin"]) if r["demand_id"] == demand_id
    )
    with pytest.raises(Forbidden):
        rating.record_revisit(actor=people["ziguiju"], task_id=task_id, satisfaction="基本满意", contacted=True)
    rating.record_revisit(actor=people["zhongxin"], task_id=task_id, satisfaction="基本满意", contacted=True)
    assert status(demand_id) == "已办结"
    assert all(r["demand_id"] != demand_id for r in centre_queues.open_revisits(actor=people["zhongxin"]))


def test_notifications_reach_the_parties(people):
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
    dispatching.dispatch(
        actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("市住房和城乡建设局"), level="一般"
    )
    assert notices.unread_count(actor=people["zhujianju"]) == 1
    assert notices.unread_count(actor=people["zhongxin"]) == 1  # the new demand
    assert any("已转" in n["title"] for n in notices.list_notifications(actor=people["qiye1"]))
    notices.mark_all_read(actor=people["qiye1"])
    assert notices.unread_count(actor=people["qiye1"]) == 0
    assert notices.unread_count(actor=people["qiye2"]) == 0


def test_tampering_with_the_timeline_is_caught(people):
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
    dispatching.dispatch(actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
    handling.sign(actor=people["dongjie"], order_id=orders(demand_id)[0].id)
    with session_scope() as session:
        assert timeline.verify_demand(session, demand_id).ok
    with get_engine().begin() as connection:
        connection.execute(
            text("UPDATE timeline_event SET detail = '承办单位:市财政局' WHERE demand_id = :d AND seq = 2"),
            {"d": demand_id},
        )
    with session_scope() as session:
        report = timeline.verify_demand(session, demand_id)
    assert not report.ok and report.broken_seq == 2
    assert any(not r.ok and r.demand_id == demand_id for r in timeline.verify_all())


def test_staff_search_and_queues(people):
    a = intake.submit_demand(
        actor=people["qiye1"], form=form(title="用电增容申请", content="我公司需要增加用电容量,申请办理增容手续。")
    )
    intake.submit_demand(actor=people["qiye2"], form=form())
    page = lists.search_demands(actor=people["zhongxin"], filters={"keyword": "增容"})
    assert [r["id"] for r in page["rows"]] == [a]
    assert lists.search_demands(actor=people["zhongxin"], filters={"enterprise": "泰山示例"})["total"] == 1
    assert lists.dispatch_queue(actor=people["zhongxin"], status="待受理")["rows"][0]["id"] == a  # oldest first
    assert lists.search_demands(actor=people["ziguiju"], filters={})["total"] == 0  # no orders yet
    with pytest.raises(Forbidden):
        lists.search_demands(actor=people["qiye1"], filters={})


def _race(fns):
    results, barrier = [None] * len(fns), threading.Barrier(len(fns))

    def run(i, fn):
        barrier.wait()
        try:
            fn()
            results[i] = "ok"
        except Conflict as exc:
            results[i] = exc
        except ServiceError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_dispatchers_one_winner(people):
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
    results = _race(
        [
            lambda: dispatching.dispatch(
                actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般"
            ),
            lambda: dispatching.dispatch(
                actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("市住房和城乡建设局"), level="一般"
            ),
        ]
    )
    assert results.count("ok") == 1
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, ServiceError) and loser.message
    assert len(orders(demand_id)) == 1


def test_sign_racing_return_one_winner(people):
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
    dispatching.dispatch(actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
    order_id = orders(demand_id)[0].id
    results = _race(
        [
            lambda: handling.sign(actor=people["dongjie"], order_id=order_id),
            lambda: handling.return_order(
                actor=people["dongjie"], order_id=order_id, kind="非本单位职责", reason="不归我们管"
            ),
        ]
    )
    assert results.count("ok") == 1
    assert status(demand_id) in ("办理中", "退回待派")
    with session_scope() as session:
        assert timeline.verify_demand(session, demand_id).ok


def test_concurrent_submissions_get_unique_codes(people):
    ids: list[int] = []
    lock = threading.Lock()

    def submit():
        new_id = intake.submit_demand(actor=people["qiye1"], form=form())
        with lock:
            ids.append(new_id)

    results = _race([submit] * 8)
    assert results == ["ok"] * 8
    with session_scope() as session:
        codes = [session.get(Demand, i).code for i in ids]
    assert len(set(codes)) == 8


def test_cli_verify_timeline_reports_breaks(people, capsys):
    from portal.cli import main

    demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
    assert main(["verify-timeline"]) == 0
    with get_engine().begin() as connection:
        connection.execute(
            text("UPDATE timeline_event SET actor_label = '某人' WHERE demand_id = :d"), {"d": demand_id}
        )
    assert main(["verify-timeline", "--demand", str(demand_id)]) == 1
    assert "第1条起链条断裂" in capsys.readouterr().out


def test_keyword_search_matches_two_character_words_and_and_terms(people):
    a = intake.submit_demand(
        actor=people["qiye1"], form=form(title="施工许可办理慢", content="新建厂房的施工许可证迟迟未办理下来。")
    )
    b = intake.submit_demand(
        actor=people["qiye1"], form=form(title="用电增容", content="车间扩产需要用电增容,供电公司答复慢。")
    )
    c = intake.submit_demand(
        actor=people["qiye2"], form=form(title="许可证延续", content="排污许可证到期需要延续办理手续。")
    )
    search = lambda kw: {
        r["id"] for r in lists.search_demands(actor=people["zhongxin"], filters={"keyword": kw})["rows"]
    }  # noqa: E731
    assert search("增容") == {b}
    assert search("许可") == {a, c}
    assert search("施工许可") == {a}
    assert search("许可 延续") == {c}
    assert search("许可证 厂房") == {a}
    assert search("火箭") == set()
    assert search("!!") == set()
    # Edits to the text keep the index in step (SQLite triggers; PostgreSQL expression index).
    with session_scope() as session:
        demand = session.get(Demand, b)
        demand.search_tokens = cjk_bigrams("天然气管道接入")
        session.add(demand)
    assert search("增容") == set() and search("管道") == {b}


def test_workbench_counters_follow_the_queues(people):
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
    counters = {c["label"]: c["value"] for c in workbench.workbench_counters(actor=people["zhongxin"])}
    assert counters["待受理"] == 1
    dispatching.dispatch(actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
    assert {c["label"]: c["value"] for c in workbench.workbench_counters(actor=people["dongjie"])}["待签收"] == 1
    assert {c["label"]: c["value"] for c in workbench.workbench_counters(actor=people["zhongxin"])}["待受理"] == 0
    assert workbench.workbench_counters(actor=people["qiye1"]) == []
