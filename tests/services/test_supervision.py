"""督办 by the scheduler (issue #10): each rule with the clock moved across the 2026 National Day holiday
and its 调休 Saturday, idempotence, concurrency, catch-up without stale warnings, failure isolation, the
card ladder, revocation, 催办 and the figures of a scenario worked out by hand."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlmodel import func, select

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.models.tables import AuditEntry, Card, Notification, SupervisionNotice, TimelineEvent, WorkOrder
from portal.services.base.errors import Conflict, Forbidden, ValidationFailed
from portal.services.demands import dispatching, handling, intake, rating, timeline
from portal.services.supervision import board, figures, sweep, timed_work, urging
from portal.services.supervision import cards as cards_ladder
from tests.services.test_lifecycle import SH, actor, form, orders, unit_id

# Wed 30 Sep 2026: 1–7 Oct are holidays, Sat 10 Oct is a 调休 working day. 一般 = 5 working days:
# 8, 9, 10 (Sat), 12, 13 Oct → due at the end of Tue 13 Oct; 签收 by the end of Thu 8 Oct.
DISPATCHED = datetime(2026, 9, 30, 9, 0, tzinfo=SH)


@pytest.fixture
def people(demo_accounts):
    return {name: actor(name) for name in ("qiye1", "zhongxin", "ziguiju", "zhujianju", "lingdao")}


def dispatched_order(people, *, unit="市自然资源和规划局", at=DISPATCHED, co=None, title="厂房施工许可办理咨询"):
    with use_clock(fixed(at)):
        demand_id = intake.submit_demand(actor=people["qiye1"], form=form(title=title))
        dispatching.dispatch(
            actor=people["zhongxin"],
            demand_id=demand_id,
            lead_unit_id=unit_id(unit),
            co_unit_ids=[unit_id(co)] if co else [],
            level="一般",
        )
    return orders(demand_id)


def sweep_at(moment: datetime):
    with use_clock(fixed(moment)):
        return sweep.sweep_work_orders()


def notices(kind: str | None = None) -> list[SupervisionNotice]:
    with session_scope() as session:
        query = select(SupervisionNotice).order_by(SupervisionNotice.id)
        return session.exec(query.where(SupervisionNotice.kind == kind) if kind else query).all()


def cards() -> list[Card]:
    with session_scope() as session:
        return session.exec(select(Card).order_by(Card.id)).all()


def test_each_rule_at_its_moment_across_the_holiday(people):
    (order,) = dispatched_order(people)
    assert order.due_at == datetime(2026, 10, 13, 23, 59, 59, 999999, tzinfo=SH)
    assert sweep_at(DISPATCHED + timedelta(minutes=1)) == {}  # nothing due yet
    with session_scope() as session:  # the next look is the sign deadline, not every minute
        assert session.get(WorkOrder, order.id).next_check_at > datetime(2026, 10, 8, 23, 59, tzinfo=SH)

    assert sweep_at(datetime(2026, 10, 9, 9, 0, tzinfo=SH)) == {"签收超时": 1}
    assert {n.unit_id for n in notices("签收超时")} == {order.unit_id}  # the centre is told in its inbox
    with session_scope() as session:
        told = session.exec(select(Notification).where(Notification.unit_id == unit_id("市政府事务推进中心"))).all()
        assert [n.title for n in told if n.kind == "签收超时"] == [
            "签收超时:市自然资源和规划局未签收「厂房施工许可办理咨询」"
        ]
    with use_clock(fixed(datetime(2026, 10, 9, 10, 0, tzinfo=SH))):
        handling.sign(actor=people["ziguiju"], order_id=order.id)

    # Sat 10 Oct is a working day, so on Sunday 11 Oct two working days (12, 13) are still left.
    assert sweep_at(datetime(2026, 10, 11, 12, 0, tzinfo=SH)) == {}
    assert sweep_at(datetime(2026, 10, 12, 8, 0, tzinfo=SH)) == {"预警": 1}
    assert sweep_at(datetime(2026, 10, 13, 18, 0, tzinfo=SH)) == {}
    assert sweep_at(datetime(2026, 10, 14, 9, 0, tzinfo=SH)) == {"超期": 1}
    (card,) = cards()
    assert (card.unit_id, card.month, card.color) == (order.unit_id, "2026-10", "黄牌")
    with session_scope() as session:
        inbox = session.exec(select(Notification.kind).where(Notification.unit_id == order.unit_id)).all()
        assert {"签收超时", "预警", "超期催办"} <= set(inbox)
        assert session.get(WorkOrder, order.id).next_check_at is None
    assert sweep_at(datetime(2026, 10, 20, 9, 0, tzinfo=SH)) == {}  # nothing more, ever


def test_catch_up_after_downtime_sends_only_the_overdue_notice(people):
    (order,) = dispatched_order(people)
    assert sweep_at(datetime(2026, 10, 20, 9, 0, tzinfo=SH)) == {"超期": 1}
    assert [n.kind for n in notices()] == ["超期催办"]  # no late 签收超时 or 预警
    assert len(cards()) == 1


def test_running_twice_or_concurrently_duplicates_nothing(people):
    for i in range(4):
        dispatched_order(people, title=f"并发测试诉求{i}", unit="市住房和城乡建设局", co="市自然资源和规划局")
    moment = datetime(2026, 10, 20, 9, 0, tzinfo=SH)
    results, errors = [], []

    def run():
        try:
            results.append(sweep_at(moment))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    total = sum((r for r in results), start=type(results[0])())
    assert total["超期"] == 4 and total["协办超时"] == 4
    assert len(cards()) == 4
    assert len({n.unique_key for n in notices()}) == len(notices())
    assert sweep_at(moment) == {}


def test_one_failing_order_leaves_the_others_done(people, monkeypatch):
    """The three orders are one batch in one transaction; the second fails after writing its notice, card and
    timeline event: its savepoint takes all of them back, the others stand, and the next run retries it."""
    first, failing, third = (dispatched_order(people, title=f"批次诉求{i}")[0] for i in range(3))
    original = sweep._SEND["超期"]

    def broken(session, order, *args):
        sent = original(session, order, *args)
        if order.id == failing.id:
            raise RuntimeError("simulated failure")
        return sent

    monkeypatch.setitem(sweep._SEND, "超期", broken)
    assert sweep_at(datetime(2026, 10, 20, 9, 0, tzinfo=SH)) == {"超期": 2, "failed": 1}
    assert [c.work_order_id for c in cards()] == [first.id, third.id]
    assert sorted(n.work_order_id for n in notices("超期催办")) == [first.id, third.id]
    with session_scope() as session:  # the failed order keeps its moment and is tried again
        assert session.get(WorkOrder, failing.id).next_check_at is not None
        assert session.get(WorkOrder, first.id).next_check_at is None
        events = session.exec(select(TimelineEvent.demand_id).where(TimelineEvent.action == "亮黄牌")).all()
        assert sorted(events) == [first.demand_id, third.demand_id]
    monkeypatch.setitem(sweep._SEND, "超期", original)
    assert sweep_at(datetime(2026, 10, 20, 9, 5, tzinfo=SH)) == {"超期": 1}
    assert sorted(c.work_order_id for c in cards()) == [first.id, failing.id, third.id]
    assert len(notices("超期催办")) == 3 and len(notices("红牌")) == 2  # the ladder counted all three (2 → red)


def test_an_order_that_cannot_be_planned_fails_alone(people, monkeypatch):
    first, broken, third = (dispatched_order(people, title=f"计划失败诉求{i}")[0] for i in range(3))
    original = sweep._plan

    def plan(order, *args):
        if order.id == broken.id:
            raise ValueError("simulated bad row")
        return original(order, *args)

    monkeypatch.setattr(sweep, "_plan", plan)
    assert sweep_at(datetime(2026, 10, 20, 9, 0, tzinfo=SH)) == {"超期": 2, "failed": 1}
    monkeypatch.setattr(sweep, "_plan", original)
    assert sweep_at(datetime(2026, 10, 20, 9, 5, tzinfo=SH)) == {"超期": 1}
    assert sorted(c.work_order_id for c in cards()) == [first.id, broken.id, third.id]


def test_a_batch_whose_write_fails_is_done_again_one_order_at_a_time(people, monkeypatch):
    """The batch's bulk write fails (as if another writer had taken a timeline seq): everything it wrote is
    undone and its orders are checked again one by one, each written in its own savepoint — nothing twice."""
    for i in range(3):
        dispatched_order(people, title=f"重做批次诉求{i}")
    written, calls = sweep._writes.write, []

    def fail_the_first_bulk_write(session, writes):
        calls.append(len(writes.cards))
        written(session, writes)  # the rows go in, then the statement after them fails
        if len(calls) == 1:
            raise RuntimeError("simulated write failure")

    monkeypatch.setattr(sweep._writes, "write", fail_the_first_bulk_write)
    assert sweep_at(datetime(2026, 10, 20, 9, 0, tzinfo=SH)) == {"超期": 3}
    assert calls[0] == 3 and len(calls) > 2  # one bulk write of three cards, then one write per order
    assert len(cards()) == 3 and len(notices("超期催办")) == 3
    assert len({n.unique_key for n in notices()}) == len(notices())
    with session_scope() as session:
        events = session.exec(select(TimelineEvent).where(TimelineEvent.action == "亮黄牌")).all()
        assert len(events) == 3
        assert all(timeline.verify_demand(session, event.demand_id).ok for event in events)  # chains intact


def test_a_bulk_write_the_database_refuses_is_done_again_one_order_at_a_time(people, monkeypatch):
    """Another writer adds an event to one demand after the batch read the chains' ends: the bulk INSERT (a
    COPY on PostgreSQL) breaks the unique (demand, seq) and the database refuses the whole statement. The
    savepoint undoes the batch; its orders are checked again one by one and each chain stays intact."""
    for i in range(3):
        dispatched_order(people, title=f"冲突批次诉求{i}")
    read, reads = sweep._writes.last_events, []

    def read_then_someone_writes(session, demand_ids):
        ends = read(session, demand_ids)
        reads.append(len(ends))
        if len(reads) == 1:
            demand_id = min(ends)
            timeline.append(session, demand_id=demand_id, actor_id=None, actor_label="系统", action="并发写入",
                            created_at=ends[demand_id].created_at)  # fmt: skip
        return ends

    monkeypatch.setattr(sweep._writes, "last_events", read_then_someone_writes)
    assert sweep_at(datetime(2026, 10, 20, 9, 0, tzinfo=SH)) == {"超期": 3}
    assert reads == [3, 3]  # the batch's read, then the one-by-one pass's
    assert len(cards()) == 3 and len(notices("超期催办")) == 3
    with session_scope() as session:
        events = session.exec(select(TimelineEvent).where(TimelineEvent.action == "亮黄牌")).all()
        assert len(events) == 3
        assert all(timeline.verify_demand(session, event.demand_id).ok for event in events)


def test_card_ladder_red_then_interview_and_revocation(people):
    for i in range(4):
        dispatched_order(people, title=f"超期诉求{i}")
    sweep_at(datetime(2026, 10, 20, 9, 0, tzinfo=SH))
    unit = unit_id("市自然资源和规划局")
    with session_scope() as session:
        assert cards_ladder.standing_yellows(session, ["2026-10"], unit) == {(unit, "2026-10"): 4}
    assert len([n for n in notices("红牌") if n.unit_id == unit]) == 2  # at the 2nd and the 4th yellow
    assert len([n for n in notices("约谈") if n.unit_id == unit]) == 1  # at the 2nd red
    with use_clock(fixed(datetime(2026, 10, 20, 10, 0, tzinfo=SH))):
        row = next(u for u in board.board_units(actor=people["lingdao"]) if u["unit_id"] == unit)
    assert (row["color"], row["yellow"], row["red"], row["interviews"]) == ("红牌", 4, 2, 1)

    card_id = cards()[0].id
    with pytest.raises(ValidationFailed):
        urging.revoke_card(actor=people["zhongxin"], card_id=card_id, reason="")
    with pytest.raises(Forbidden):
        urging.revoke_card(actor=people["lingdao"], card_id=card_id, reason="节假日数据错误导致误判")
    urging.revoke_card(actor=people["zhongxin"], card_id=card_id, reason="节假日数据错误导致误判")
    with pytest.raises(Conflict):
        urging.revoke_card(actor=people["zhongxin"], card_id=card_id, reason="节假日数据错误导致误判")
    with use_clock(fixed(datetime(2026, 10, 20, 10, 0, tzinfo=SH))):
        row = next(u for u in board.board_units(actor=people["lingdao"]) if u["unit_id"] == unit)
    assert (row["yellow"], row["red"], row["interviews"]) == (3, 1, 0)
    with session_scope() as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "撤销黄牌")).one()


def test_urge_reaches_the_unit_and_the_timeline(people):
    (order,) = dispatched_order(people)
    with pytest.raises(Forbidden):
        urging.urge(actor=people["ziguiju"], order_id=order.id)
    with pytest.raises(ValidationFailed):
        urging.urge(actor=people["zhongxin"], order_id=order.id, message="催" * 300)
    with use_clock(fixed(datetime(2026, 10, 9, 10, 0, tzinfo=SH))):  # Friday
        urging.urge(actor=people["zhongxin"], order_id=order.id, message="请于今日内反馈")
    with use_clock(fixed(datetime(2026, 10, 10, 9, 0, tzinfo=SH))):  # the 调休 Saturday is a working day
        urging.urge(actor=people["zhongxin"], order_id=order.id)  # another working day, another notice
    assert [n.kind for n in notices()] == ["催办", "催办"]
    with session_scope() as session:
        inbox = session.exec(
            select(Notification).where(Notification.unit_id == order.unit_id, Notification.kind == "催办")
        ).all()
        assert len(inbox) == 2 and "请于今日内反馈" in inbox[0].body
        event = session.exec(select(TimelineEvent).where(TimelineEvent.action == "催办")).first()
        assert event.visibility == "staff"
    with pytest.raises(Exception):  # noqa: B017 - a foreign or junk id is refused, nothing written
        urging.urge(actor=people["zhongxin"], order_id="1 OR 1=1")
    assert len(notices()) == 2


def _written() -> tuple[int, int, int]:
    """(supervision notices, inbox notices, timeline events) of 催办."""
    with session_scope() as session:
        return (
            session.exec(select(func.count()).select_from(SupervisionNotice)).one(),
            session.exec(select(func.count()).select_from(Notification).where(Notification.kind == "催办")).one(),
            session.exec(select(func.count()).select_from(TimelineEvent).where(TimelineEvent.action == "催办")).one(),
        )


def test_urge_at_most_once_per_order_per_working_day(people):
    """A second 催办 of an order on the same working day is refused and writes nothing; a day off counts
    as the next working day; the board says which overdue orders were urged this working day."""
    (order,) = dispatched_order(people)
    (other,) = dispatched_order(people, unit="市住房和城乡建设局", title="消防验收办理咨询")
    centre = people["zhongxin"]
    wednesday = datetime(2026, 10, 14, 9, 0, tzinfo=SH)  # both orders fell due on Tue 13 Oct
    with use_clock(fixed(wednesday)):
        assert not any(r["urged_this_workday"] for r in board.overdue_orders(actor=people["lingdao"]))
        urging.urge(actor=centre, order_id=order.id)
        before = _written()
    with use_clock(fixed(wednesday + timedelta(hours=8))):
        with pytest.raises(Conflict) as refused:
            urging.urge(actor=centre, order_id=order.id, message="再催一次")
        assert refused.value.message == "该工单本工作日已催办,每个工作日限催办一次,请下一个工作日再催办"
        assert _written() == before
        urging.urge(actor=centre, order_id=other.id)  # another order may be urged
        flags = {r["order_id"]: r["urged_this_workday"] for r in board.overdue_orders(actor=people["lingdao"])}
        assert flags == {order.id: True, other.id: True}
    with use_clock(fixed(datetime(2026, 10, 17, 10, 0, tzinfo=SH))):  # Saturday: counts for Monday 19 Oct
        assert not any(r["urged_this_workday"] for r in board.overdue_orders(actor=people["lingdao"]))
        urging.urge(actor=centre, order_id=order.id)
    with use_clock(fixed(datetime(2026, 10, 19, 9, 0, tzinfo=SH))):
        with pytest.raises(Conflict):
            urging.urge(actor=centre, order_id=order.id)
    with use_clock(fixed(datetime(2026, 10, 20, 9, 0, tzinfo=SH))):
        urging.urge(actor=centre, order_id=order.id)
    assert [n.kind for n in notices("催办")] == ["催办"] * 4


def test_revisit_sweep_claims_each_demand_on_its_own(people, monkeypatch):
    ids = []
    for i in range(3):
        with use_clock(fixed(DISPATCHED)):
            demand_id = intake.submit_demand(actor=people["qiye1"], form=form(kind="咨询", title=f"咨询{i}"))
            dispatching.instant_answer(actor=people["zhongxin"], demand_id=demand_id, answer="请按申报指南办理即可。")
        ids.append(demand_id)
    original = timed_work._open_revisit

    def collide_on_second(session, demand, last, moment):
        if demand.id == ids[1]:
            raise Conflict()
        return original(session, demand, last, moment)

    monkeypatch.setattr(timed_work, "_open_revisit", collide_on_second)
    with use_clock(fixed(datetime(2026, 10, 20, 9, 0, tzinfo=SH))):
        assert timed_work.open_due_revisits() == 2  # counted only what was made; the others kept
    monkeypatch.setattr(timed_work, "_open_revisit", original)
    with use_clock(fixed(datetime(2026, 10, 20, 9, 10, tzinfo=SH))):
        assert timed_work.open_due_revisits() == 1
        assert timed_work.open_due_revisits() == 0


def test_revisit_batches_move_past_demands_already_given_their_task(people, monkeypatch):
    """A demand keeps waiting (待评价) after its task is opened; the next batch must not be filled with it."""
    for i in range(3):
        with use_clock(fixed(DISPATCHED)):
            demand_id = intake.submit_demand(actor=people["qiye1"], form=form(kind="咨询", title=f"回访批次{i}"))
            dispatching.instant_answer(actor=people["zhongxin"], demand_id=demand_id, answer="请按申报指南办理即可。")
    monkeypatch.setattr(timed_work, "BATCH", 1)
    with use_clock(fixed(datetime(2026, 10, 20, 9, 0, tzinfo=SH))):
        assert [timed_work.open_due_revisits() for _ in range(4)] == [1, 1, 1, 0]


def test_daily_digest_once_per_working_day(people):
    dispatched_order(people)
    with use_clock(fixed(datetime(2026, 10, 10, 9, 0, tzinfo=SH))):  # the 调休 Saturday is a working day
        assert timed_work.send_daily_digests() == 1
        assert timed_work.send_daily_digests() == 0
    with use_clock(fixed(datetime(2026, 10, 11, 9, 0, tzinfo=SH))):  # Sunday
        assert timed_work.send_daily_digests() == 0
    with use_clock(fixed(datetime(2026, 10, 12, 7, 0, tzinfo=SH))):  # before the morning
        assert timed_work.send_daily_digests() == 0


def test_figures_of_a_scenario_worked_by_hand(people):
    monday = datetime(2026, 11, 2, 9, 0, tzinfo=SH)
    good, late = (dispatched_order(people, at=monday, title=t)[0] for t in ("按时办结的诉求", "超期未办的诉求"))
    with use_clock(fixed(monday + timedelta(hours=1))):
        handling.sign(actor=people["ziguiju"], order_id=good.id)  # sign due: end of Tue 3 Nov
    with use_clock(fixed(datetime(2026, 11, 4, 10, 0, tzinfo=SH))):  # 2 working days after dispatch
        handling.submit_feedback(
            actor=people["ziguiju"], order_id=good.id, reply="已办理完毕,许可证已发放。", method="现场办理", solved=True
        )
        rating.rate(actor=people["qiye1"], demand_id=good.demand_id, satisfaction="非常满意", contacted=True)
    with use_clock(fixed(datetime(2026, 11, 5, 10, 0, tzinfo=SH))):
        handling.sign(actor=people["ziguiju"], order_id=late.id)  # two days late
    sweep_at(datetime(2026, 11, 20, 9, 0, tzinfo=SH))  # late is past its 9 Nov due date: one yellow card
    with use_clock(fixed(datetime(2026, 11, 20, 9, 0, tzinfo=SH))):
        rows = figures.figures_for(
            actor=people["lingdao"], start=datetime(2026, 11, 1).date(), end=datetime(2026, 12, 1).date()
        )
    row = next(r for r in rows if r["unit"] == "市自然资源和规划局")
    assert {k: row[k] for k in ("received", "signed_on_time", "closed", "closed_on_time", "overdue", "returned")} == {
        "received": 2,
        "signed_on_time": 1,
        "closed": 1,
        "closed_on_time": 1,
        "overdue": 1,
        "returned": 0,
    }
    assert (row["sign_rate"], row["close_rate"], row["satisfaction_rate"]) == ("50.0%", "50.0%", "100.0%")
    assert (row["promised_days"], row["avg_days"], row["max_days"]) == ("5.0", "2.0", 2)
    assert (row["yellow"], row["red"], row["rank"]) == (1, 0, 1)
    idle = next(r for r in rows if r["unit"] == "市住房和城乡建设局")
    assert (idle["received"], idle["close_rate"]) == (0, "—")
    with pytest.raises(Forbidden):
        figures.figures_for(
            actor=people["ziguiju"], start=datetime(2026, 11, 1).date(), end=datetime(2026, 12, 1).date()
        )

    # The bulletin freezes November once; later changes never alter it.
    with use_clock(fixed(datetime(2026, 12, 1, 1, 0, tzinfo=SH))):
        stored = figures.take_monthly_bulletin()
        assert stored == len(rows) and figures.take_monthly_bulletin() == 0
    urging.revoke_card(actor=people["zhongxin"], card_id=cards()[0].id, reason="测试撤销不影响已存通报")
    frozen = figures.bulletin(actor=people["lingdao"], period="2026-11")
    assert next(r for r in frozen if r["unit"] == "市自然资源和规划局")["yellow"] == 1
    assert figures.bulletins(actor=people["zhongxin"])[0]["period"] == "2026-11"


def test_period_bounds():
    day = datetime(2026, 8, 15).date()
    assert figures.period_bounds("month", day)[:2] == (datetime(2026, 8, 1).date(), datetime(2026, 9, 1).date())
    assert figures.period_bounds("quarter", day)[2] == "2026年第3季度"
    assert figures.period_bounds("half", day)[:2] == (datetime(2026, 7, 1).date(), datetime(2027, 1, 1).date())
    assert figures.period_bounds("year", day)[2] == "2026年"


def count_rows(model) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_public_summary_and_the_monthly_series(people):
    monday = datetime(2026, 11, 2, 9, 0, tzinfo=SH)
    good, late = (dispatched_order(people, at=monday, title=t)[0] for t in ("按时办结的诉求", "超期未办的诉求"))
    with use_clock(fixed(datetime(2026, 11, 4, 10, 0, tzinfo=SH))):
        handling.sign(actor=people["ziguiju"], order_id=good.id)
        handling.submit_feedback(
            actor=people["ziguiju"], order_id=good.id, reply="已办理完毕,许可证已发放。", method="现场办理", solved=True
        )
        rating.rate(
            actor=people["qiye1"], demand_id=good.demand_id, satisfaction="不满意", contacted=True, comment="还需跟进"
        )
    figures._public_cache.clear()
    with use_clock(fixed(datetime(2026, 11, 20, 9, 0, tzinfo=SH))):
        month, year = figures.public_summary()
        series = figures.monthly_series(actor=people["zhongxin"])
    assert (month["label"], month["received"], month["closed"]) == ("本月", 2 + 1, 1)  # + the 重办 round
    # 1 closed on time; 2 open past their date (the late order and the 重办 round, due 9 Nov).
    assert month["close_rate"] == "33.3" and month["satisfaction_rate"] == "0.0" and month["avg_days"] == "2.0"
    assert month["period"] == "2026年11月" and year["period"] == "2026年"
    assert year["received"] == month["received"]
    assert [p["month"] for p in series][-1] == "2026-11" and series[-1]["received"] == 3 and len(series) == 12


def test_two_transactions_carding_one_unit_at_once_both_count(people, monkeypatch, request):
    """Two orders of one unit carded at the same moment in two transactions: the second yellow makes a red.
    Without the unit lock each transaction counted only its own card on PostgreSQL and no red came (#25)."""
    if request.node.callspec.params.get("db") != "postgresql":
        pytest.skip("SQLite lets one writer in at a time; the race is PostgreSQL's")
    from portal.services.base.notices import centre_unit_id
    from portal.services.calendar.store import get_calendar

    first = dispatched_order(people, title="并发亮牌诉求一")[0]
    second = dispatched_order(people, title="并发亮牌诉求二")[0]
    moment = datetime(2026, 10, 20, 9, 0, tzinfo=SH)
    barrier, counted = threading.Barrier(2), sweep.standing_yellows

    def count_together(session, months):
        try:  # both transactions count at once — unless one is held at the unit lock
            barrier.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        return counted(session, months)

    monkeypatch.setattr(sweep, "standing_yellows", count_together)
    with session_scope() as session:
        calendar, thresholds, centre = get_calendar(session), sweep.rules(session), centre_unit_id(session)
        seen = {o.id: session.get(WorkOrder, o.id).next_check_at for o in (first, second)}  # each a batch of one
    errors = []

    def card(order_id):
        try:
            with use_clock(fixed(moment)), session_scope() as session:
                context = sweep._Context(moment, calendar, thresholds, centre)
                sweep.check_claimed(session, {order_id: seen[order_id]}, context, set())
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=card, args=(o.id,)) for o in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(cards()) == 2
    assert len([n for n in notices("红牌") if n.unit_id == first.unit_id]) == 1
