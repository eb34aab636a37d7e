"""好差评 to the national standard (issue #23): five levels, 差评整改 cases with their 整改期限 and 100 % 回访,
申诉复核, 默认好评 and the figures that follow; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.models.tables import Demand, Notification, Rating, RatingAppeal, Rectification, RuleSetting, TimelineEvent
from portal.services.base.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from portal.services.demands import (
    appeals,
    default_rating,
    dispatching,
    handling,
    intake,
    rating,
    rectification_cases,
    timeline,
    verification,
)
from portal.services.demands.intake import UploadedFile
from portal.services.supervision import figures
from tests.services.test_lifecycle import MONDAY, PDF, actor, form, orders, status, unit_id

REPLY = "已按要求办理完毕,详情已电话告知企业。"
REPORT = "已重新核实并完成整改,企业问题已解决。"


@pytest.fixture
def crew(demo_accounts):
    return {name: actor(name) for name in ("qiye1", "qiye2", "zhongxin", "ziguiju", "zhujianju", "lingdao")}


def _reply(p, order_id: int, text: str = REPLY) -> None:
    handling.submit_feedback(actor=p["zhujianju"], order_id=order_id, reply=text, method="现场核实", solved=True)


ZJ = "市住房和城乡建设局"


def _answered(p, when=MONDAY) -> int:
    """A demand dispatched to 住建局 and answered, waiting for the rating."""
    with use_clock(fixed(when)):
        demand_id = intake.submit_demand(actor=p["qiye1"], form=form())
        dispatching.dispatch(actor=p["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id(ZJ), level="一般")
        lead = orders(demand_id)[0]
        handling.sign(actor=p["zhujianju"], order_id=lead.id)
        _reply(p, lead.id)
    return demand_id


def _case(demand_id: int) -> Rectification:
    with session_scope() as session:
        return session.exec(select(Rectification).where(Rectification.demand_id == demand_id)).one()


def _unit_row(start: date, end: date) -> dict:
    with session_scope() as session:
        return next(r for r in figures.unit_figures(session, start, end) if r["unit"] == ZJ)


def test_a_bad_rating_becomes_a_case_rectified_and_called_back(crew):
    p = crew
    demand_id = _answered(p)
    with use_clock(fixed(MONDAY + timedelta(hours=2))):
        scores = {"score_time": "2", "score_result": "1", "score_attitude": ""}
        rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="非常不满意", contacted=True,
                    comment="没有解决", scores=scores)  # fmt: skip
    assert status(demand_id) == "重办中"
    case = _case(demand_id)
    redo = orders(demand_id)[-1]
    assert (case.status, case.order_id, case.due_at) == ("整改中", redo.id, redo.due_at)  # 整改期限 = 3 working days
    assert redo.due_at.date().isoformat() == "2026-11-26"
    # The handler sees its own unit's case; another unit sees none; the panel offers 提交整改情况 and 申诉复核.
    assert [r["case_id"] for r in rectification_cases.list_cases(actor=p["zhujianju"])] == [case.id]
    assert rectification_cases.list_cases(actor=p["ziguiju"]) == []
    with pytest.raises(NotFound):
        rectification_cases.case_panel(actor=p["ziguiju"], case_id=case.id)
    with use_clock(fixed(MONDAY + timedelta(hours=3))):
        panel = rectification_cases.case_panel(actor=p["zhujianju"], case_id=case.id)
        assert panel["actions"] == ["提交整改情况", "申诉复核"]
        rectification_cases.report_rectification(
            actor=p["zhujianju"],
            case_id=case.id,
            report="已重新核实并完成整改,企业问题已解决。",
            method="上门",
            solved=True,
        )
    case = _case(demand_id)
    assert (case.status, case.on_time, case.report) == ("待回访", True, REPORT)
    # The enterprise re-rates online: the 回访 is still owed (100 % 回访 of 差评).
    with use_clock(fixed(MONDAY + timedelta(hours=4))):
        rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="满意", contacted=True)
    assert status(demand_id) == "已办结"
    case = _case(demand_id)
    assert (case.status, case.rerating) == ("待回访", "满意")
    assert rectification_cases.case_panel(actor=p["zhongxin"], case_id=case.id)["actions"] == ["回访"]
    with pytest.raises(Forbidden):
        rectification_cases.revisit_case(actor=p["zhujianju"], case_id=case.id, note="自己回访")
    with pytest.raises(ValidationFailed):
        rectification_cases.revisit_case(actor=p["zhongxin"], case_id=case.id, note="")
    rectification_cases.revisit_case(actor=p["zhongxin"], case_id=case.id, note="企业认可整改结果")
    case = _case(demand_id)
    assert case.status == "已办结" and case.revisit_note == "企业认可整改结果"
    with pytest.raises(ServiceError):
        rectification_cases.revisit_case(actor=p["zhongxin"], case_id=case.id, note="再回访一次")
    row = _unit_row(date(2026, 11, 1), date(2026, 12, 1))
    assert (row["rated"], row["satisfied"], row["bad"]) == (2, 1, 1)
    assert (row["satisfaction_rate"], row["bad_rate"]) == ("50.0%", "50.0%")
    assert (row["rectify_rate"], row["revisit_rate"], row["score_time"], row["score_attitude"]) == (
        "100.0%", "100.0%", "2.0", "—",
    )  # fmt: skip
    with session_scope() as session:
        assert all(timeline.verify_demand(session, i).ok for i in session.exec(select(Demand.id)).all())


def test_second_bad_rating_is_round_two_and_the_revisit_records_the_rating(crew):
    p = crew
    demand_id = _answered(p)
    with use_clock(fixed(MONDAY + timedelta(hours=2))):
        rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="不满意", contacted=True, comment="未解决")
        redo = orders(demand_id)[-1]
        _reply(p, redo.id)
        case_id = _case(demand_id).id
        with pytest.raises(ValidationFailed):  # the enterprise has not re-rated: the 回访 must record it
            rectification_cases.revisit_case(actor=p["zhongxin"], case_id=case_id, note="电话回访")
        rectification_cases.revisit_case(
            actor=p["zhongxin"], case_id=case_id, note="企业仍不认可", satisfaction="不满意", contacted=True,
            comment="仍未解决",
        )  # fmt: skip
    assert status(demand_id) == "核查中"
    case = _case(demand_id)
    assert (case.status, case.case_round, case.rerating) == ("核查中", 2, "不满意")
    with session_scope() as session:
        last = session.get(Rating, case.last_bad_rating_id)
        assert (last.round, last.source) == (2, "电话回访")
    with use_clock(fixed(MONDAY + timedelta(hours=3))):
        verification.upload_review_form(actor=p["zhujianju"], demand_id=demand_id, upload=UploadedFile("表.pdf", PDF))
        verification.decide_verification(actor=p["zhongxin"], demand_id=demand_id, close=True, opinion="核查属实办结")
    assert _case(demand_id).status == "已办结"


def test_an_unaccepted_instant_answer_does_not_send_the_first_unit_bad_rating_to_verification(crew):
    p = crew
    with use_clock(fixed(MONDAY)):
        demand_id = intake.submit_demand(actor=p["qiye1"], form=form())
        dispatching.instant_answer(actor=p["zhongxin"], demand_id=demand_id, answer="请按政策办理,详见政策库。")
        rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="不满意", contacted=True, comment="没用")
        assert status(demand_id) == "退回待派"
        with session_scope() as session:
            assert session.exec(select(Rectification)).first() is None  # no unit to rectify: re-dispatched
        dispatching.dispatch(actor=p["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id(ZJ), level="一般")
        lead = orders(demand_id)[-1]
        handling.sign(actor=p["zhujianju"], order_id=lead.id)
        _reply(p, lead.id)
        rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="不满意", contacted=True, comment="仍不行")
    assert status(demand_id) == "重办中"  # round 3 of the demand, the unit's first 差评: 重办, not 核查
    assert _case(demand_id).status == "整改中"


def test_bad_input_is_refused_and_changes_nothing(crew):
    p = crew
    demand_id = _answered(p)
    with pytest.raises(NotFound):  # someone else's demand
        rating.rate(actor=p["qiye2"], demand_id=demand_id, satisfaction="非常满意", contacted=True)
    for scores in ({"score_time": "6"}, {"score_result": "0"}, {"score_attitude": "abc"}, {"score_time": -1}):
        with pytest.raises(ValidationFailed):
            rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="非常满意", contacted=True, scores=scores)
    with pytest.raises(ValidationFailed):
        rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="比较满意", contacted=True)  # not a level now
    with pytest.raises(ValidationFailed):  # a 差评 needs the reason
        rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="非常不满意", contacted=True)
    with session_scope() as session:
        assert session.exec(select(Rating)).first() is None
    rating.rate(
        actor=p["qiye1"], demand_id=demand_id, satisfaction="非常满意", contacted=True, scores={"score_time": 5}
    )
    with pytest.raises(ServiceError):  # a second rating
        rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="不满意", contacted=True, comment="改主意")
    with session_scope() as session:
        assert [(r.satisfaction, r.score_time) for r in session.exec(select(Rating))] == [("非常满意", 5)]


def test_appeal_rules_and_an_upheld_appeal_leaves_the_rates(crew):
    p = crew
    demand_id = _answered(p)
    with use_clock(fixed(MONDAY + timedelta(hours=2))):
        rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="非常不满意", contacted=True, comment="恶意")
    case_id = _case(demand_id).id
    before = _unit_row(date(2026, 11, 1), date(2026, 12, 1))
    assert (before["satisfaction_rate"], before["bad_rate"]) == ("0.0%", "100.0%")
    with use_clock(fixed(MONDAY + timedelta(days=14))), pytest.raises(ServiceError, match="申诉期限"):
        appeals.submit_appeal(actor=p["zhujianju"], case_id=case_id, reason="企业评价与事实不符")
    with use_clock(fixed(MONDAY + timedelta(days=1))):
        with pytest.raises(NotFound):  # another unit (a co-unit would be the same: not the lead)
            appeals.submit_appeal(actor=p["ziguiju"], case_id=case_id, reason="企业评价与事实不符")
        with pytest.raises(ValidationFailed):  # an evidence file that is not what it says
            appeals.submit_appeal(actor=p["zhujianju"], case_id=case_id, reason="企业评价与事实不符",
                                  files=[UploadedFile("证据.pdf", b"MZ not a pdf")])  # fmt: skip
        appeals.submit_appeal(actor=p["zhujianju"], case_id=case_id, reason="企业评价与事实不符",
                              files=[UploadedFile("证据.pdf", PDF)])  # fmt: skip
        with pytest.raises(ServiceError, match="只能申诉一次"):
            appeals.submit_appeal(actor=p["zhujianju"], case_id=case_id, reason="再申诉一次看看")
        with pytest.raises(Forbidden):  # the unit cannot decide its own appeal
            appeals.decide_appeal(actor=p["zhujianju"], case_id=case_id, uphold=True, opinion="我们说了算")
        appeals.decide_appeal(actor=p["zhongxin"], case_id=case_id, uphold=True, opinion="经核实系恶意差评")
        with pytest.raises(ServiceError):
            appeals.decide_appeal(actor=p["zhongxin"], case_id=case_id, uphold=False, opinion="改判一次")
    with session_scope() as session:
        assert session.exec(select(Rating)).one().excluded
        assert session.exec(select(RatingAppeal)).one().status == "申诉成立"
        public = session.exec(select(TimelineEvent).where(TimelineEvent.action == "申诉复核")).one()
        assert public.public_detail == appeals.PUBLIC_UPHELD
    after = _unit_row(date(2026, 11, 1), date(2026, 12, 1))
    assert (after["rated"], after["excluded"], after["satisfaction_rate"], after["bad_rate"]) == (0, 1, "—", "—")
    assert (after["appeals"], after["appeals_upheld"]) == (1, 1)
    from portal.services.demands import detail as demand_detail

    shown = demand_detail.demand_detail(actor=p["qiye1"], demand_id=demand_id)
    assert shown["ratings"][0]["appeal"] == "申诉成立"  # still visible, marked
    assert all(a["purpose"] != "申诉材料" for a in shown["attachments"])  # evidence is staff-only


def test_default_rating_only_when_switched_on(crew):
    p = crew
    demand_id = _answered(p)
    late = MONDAY + timedelta(days=40)
    with use_clock(fixed(late)):
        assert default_rating.apply_default_ratings() == 0  # off by default
        with session_scope() as session:
            session.add(RuleSetting(key="default_good_on", value=1))
            session.add(RuleSetting(key="default_good_days", value=10))
        assert default_rating.apply_default_ratings() == 1
    assert status(demand_id) == "已办结"
    with session_scope() as session:
        assert session.exec(select(Rating.source, Rating.satisfaction)).one() == ("默认好评", "满意")
    row = _unit_row(date(2026, 11, 1), date(2027, 2, 1))
    assert (row["default_good"], row["rated"], row["satisfaction_rate"]) == (1, 0, "—")


def test_feedback_of_a_case_notifies_the_centre(crew):
    p = crew
    demand_id = _answered(p)
    rating.rate(actor=p["qiye1"], demand_id=demand_id, satisfaction="不满意", contacted=True, comment="未解决")
    redo = orders(demand_id)[-1]
    _reply(p, redo.id)
    with session_scope() as session:
        kinds = session.exec(select(Notification.kind)).all()
    assert "差评整改" in kinds and "差评整改回访" in kinds


def test_migration_0021_maps_four_level_ratings_and_keeps_the_timeline(crew):
    """A database of the four-level days (downgraded to 0020, a 比较满意 written as the old code wrote it) comes
    out of 0021 with 满意, an open 差评 case for the demand in 重办, and every timeline byte as it was."""
    from alembic.config import Config
    from sqlalchemy import text

    from alembic import command
    from portal.core.db import get_engine
    from portal.core.settings import PROJECT_ROOT

    p = crew
    redoing, closed = _answered(p), _answered(p)
    rating.rate(actor=p["qiye1"], demand_id=redoing, satisfaction="不满意", contacted=True, comment="未解决")
    rating.rate(actor=p["qiye1"], demand_id=closed, satisfaction="非常满意", contacted=True)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    command.downgrade(config, "0020")
    with get_engine().begin() as connection:
        connection.execute(text("UPDATE rating SET satisfaction = '比较满意' WHERE demand_id = :d"), {"d": closed})
        events_before = connection.execute(text("SELECT * FROM timeline_event ORDER BY id")).all()
    command.upgrade(config, "head")
    with session_scope() as session:
        levels = dict(session.exec(select(Rating.demand_id, Rating.satisfaction)).all())
        assert levels == {redoing: "不满意", closed: "满意"}
        case = session.exec(select(Rectification)).one()
        redo = orders(redoing)[-1]
        assert (case.demand_id, case.status, case.order_id, case.due_at) == (redoing, "整改中", redo.id, redo.due_at)
    with get_engine().connect() as connection:
        assert connection.execute(text("SELECT * FROM timeline_event ORDER BY id")).all() == events_before
    assert all(report.ok for report in timeline.verify_all())
    # The migrated case goes on like a new one: the 整改情况 asks for the 回访.
    _reply(p, orders(redoing)[-1].id)
    assert _case(redoing).status == "待回访"
