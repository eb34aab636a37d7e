"""Issue #7 at the service layer: each test performs the attack the issue names and shows the refusal,
that nothing changed and that nothing leaked (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal.core import keys
from portal.core.calendar import MAX_WORKING_DAYS, WorkingCalendar
from portal.core.clock import fixed, use_clock
from portal.core.db import get_engine, session_scope
from portal.core.ids import parse_bounded_int, parse_id
from portal.core.settings import get_settings
from portal.models.tables import ExtensionRequest, TimelineEvent, User
from portal.services.accounts import staff_accounts
from portal.services.base import notices
from portal.services.base.errors import NotFound, ValidationFailed
from portal.services.demands import detail as demand_detail
from portal.services.demands import dispatching, handling, intake, lists, rating, timeline, verification
from portal.services.demands.intake import UploadedFile
from tests.services.test_lifecycle import MONDAY, PDF, count, form, orders, people, status, unit_id  # noqa: F401

# ── 1. staff-internal text never reaches the enterprise ──────────────────────────────────────

SECRETS = (
    "涉及市级审批权限",
    "材料不全暂不同意",
    "用地规划手续齐全",
    "内部核查意见甲",
    "审核反馈表.pdf",
    "内部核查意见乙",
)


def _lead_of(demand_id: int) -> int:
    return [o for o in orders(demand_id) if o.order_role == "主办"][-1].id


def _walk_every_internal_step(p) -> int:
    """One demand through a lead return, a denied and an approved extension, a co-opinion, two 不满意,
    a review form and a verification that orders a redo and then closes: every staff-only text once."""
    with use_clock(fixed(MONDAY)):
        demand_id = intake.submit_demand(actor=p["qiye1"], form=form())
        dispatching.dispatch(actor=p["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
        handling.return_order(actor=p["dongjie"], order_id=orders(demand_id)[0].id, kind="申请提级", reason=SECRETS[0])
        dispatching.dispatch(
            actor=p["zhongxin"],
            demand_id=demand_id,
            lead_unit_id=unit_id("市住房和城乡建设局"),
            co_unit_ids=[unit_id("市自然资源和规划局")],
            level="一般",
        )
        lead, co = orders(demand_id)[-2:]
        handling.sign(actor=p["zhujianju"], order_id=lead.id)
        handling.sign(actor=p["ziguiju"], order_id=co.id)
        handling.submit_co_opinion(actor=p["ziguiju"], order_id=co.id, opinion=SECRETS[2] + ",同意办理。")
        first = handling.request_extension(
            actor=p["zhujianju"], order_id=lead.id, reason="需要补充踏勘材料", new_due_date="2026-12-03"
        )
        handling.decide_extension(actor=p["zhongxin"], request_id=first, approve=False, note=SECRETS[1])
        second = handling.request_extension(
            actor=p["zhujianju"], order_id=lead.id, reason="需现场踏勘核实", new_due_date="2026-12-04"
        )
        handling.decide_extension(actor=p["zhongxin"], request_id=second, approve=True)
        for _ in range(2):
            handling.submit_feedback(
                actor=p["zhujianju"],
                order_id=_lead_of(demand_id),
                reply="已办理完毕并当面答复企业。",
                method="现场指导",
                solved=True,
            )
            rating.rate(
                actor=p["qiye1"], demand_id=demand_id, satisfaction="不满意", contacted=True, comment="问题仍未解决"
            )
        verification.upload_review_form(
            actor=p["zhujianju"], demand_id=demand_id, upload=UploadedFile("审核反馈表.pdf", PDF)
        )
        verification.decide_verification(actor=p["zhongxin"], demand_id=demand_id, close=False, opinion=SECRETS[3])
        handling.submit_feedback(
            actor=p["zhujianju"],
            order_id=_lead_of(demand_id),
            reply="再次协调相关部门办理完毕。",
            method="电话",
            solved=True,
        )
        rating.rate(
            actor=p["qiye1"], demand_id=demand_id, satisfaction="不满意", contacted=True, comment="问题仍未解决"
        )
        verification.upload_review_form(
            actor=p["zhujianju"], demand_id=demand_id, upload=UploadedFile("审核反馈表.pdf", PDF)
        )
        verification.decide_verification(actor=p["zhongxin"], demand_id=demand_id, close=True, opinion=SECRETS[5])
    return demand_id


def test_the_enterprise_timeline_carries_no_staff_text(people):  # noqa: F811
    demand_id = _walk_every_internal_step(people)
    assert status(demand_id) == "已办结"
    seen = demand_detail.demand_detail(actor=people["qiye1"], demand_id=demand_id)
    sent = json.dumps(seen, ensure_ascii=False, default=str)
    leaked = [s for s in SECRETS if s in sent]
    assert leaked == []
    actions = [row["action"] for row in seen["timeline"]]
    assert {"驳回延期", "协办意见", "申请延期", "上传审核反馈表"}.isdisjoint(actions)
    details = "\n".join(row["detail"] for row in seen["timeline"])
    # Seed 003: the enterprise is told the new date and why (延期须告知企业原因和进展).
    assert "同意延期至2026-12-04" in details and "延期原因:需现场踏勘核实" in details
    assert "承办单位已退回,推进中心将重新派单" in details
    assert "经核查,转承办单位重办" in details and "经核查,诉求已办结" in details
    inbox = json.dumps(notices.list_notifications(actor=people["qiye1"]), ensure_ascii=False, default=str)
    assert not [s for s in SECRETS if s in inbox]
    assert "办理期限已延长" in inbox
    # Staff still see every word.
    staff_view = json.dumps(
        demand_detail.demand_detail(actor=people["zhongxin"], demand_id=demand_id), ensure_ascii=False
    )
    assert all(s in staff_view for s in SECRETS)


def test_the_chain_covers_visibility_and_the_public_wording(people):  # noqa: F811
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
    dispatching.dispatch(actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
    handling.return_order(actor=people["dongjie"], order_id=orders(demand_id)[0].id, kind="申请提级", reason=SECRETS[0])
    for statement in (
        "UPDATE timeline_event SET visibility = CASE visibility WHEN 'public' THEN 'staff' ELSE 'public' END "
        "WHERE demand_id = :d AND seq = 3",
        "UPDATE timeline_event SET public_detail = '已办结' WHERE demand_id = :d AND seq = 2",
    ):
        with get_engine().begin() as connection:
            saved = connection.execute(
                text("SELECT seq, visibility, public_detail FROM timeline_event WHERE demand_id = :d"), {"d": demand_id}
            ).all()
            connection.execute(text(statement), {"d": demand_id})
        with session_scope() as session:
            assert not timeline.verify_demand(session, demand_id).ok
        with get_engine().begin() as connection:
            for seq, visibility, public_detail in saved:
                connection.execute(
                    text(
                        "UPDATE timeline_event SET visibility = :v, public_detail = :p "
                        "WHERE demand_id = :d AND seq = :s"
                    ),
                    {"v": visibility, "p": public_detail, "d": demand_id, "s": seq},
                )
        with session_scope() as session:
            assert timeline.verify_demand(session, demand_id).ok


# ── 9. a database writer cannot recompute the chain ──────────────────────────────────────────


def _forge(demand_id: int, key: bytes | None) -> None:
    """What an attacker with database access does: edit an event and recompute every hash after it,
    with plain SHA-256 (``key`` None) or with a key of their own."""
    import hmac

    with session_scope() as session:
        events = session.exec(
            select(TimelineEvent).where(TimelineEvent.demand_id == demand_id).order_by(TimelineEvent.seq)
        ).all()
        events[0].detail = "求助·已被改写"
        prev = ""
        for event in events:
            event.prev_hash = prev
            raw = timeline.chain_body(event)
            event.hash = hmac.new(key, raw, hashlib.sha256).hexdigest() if key else hashlib.sha256(raw).hexdigest()
            prev = event.hash
            session.add(event)


@pytest.mark.parametrize("attacker_key", [None, b"a-guessed-key-of-the-right-length-000000"])
def test_a_recomputed_chain_does_not_verify(people, attacker_key):  # noqa: F811
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
    dispatching.dispatch(actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般")
    _forge(demand_id, attacker_key)
    with session_scope() as session:
        report = timeline.verify_demand(session, demand_id)
    assert not report.ok and report.broken_seq == 1
    with session_scope() as session:  # the real key is nowhere in the database
        dumped = " ".join(
            str(v) for row in session.exec(select(TimelineEvent)).all() for v in row.model_dump().values()
        )
    assert keys.timeline_key().decode() not in dumped


def test_key_rotation_rehashes_and_refuses_a_broken_chain(people, tmp_path, monkeypatch, capsys):  # noqa: F811
    from portal.cli import main

    monkeypatch.delenv(keys.KEY_ENV, raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    keys.timeline_key.cache_clear()
    try:
        demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
        key_file = tmp_path / "timeline.key"
        old_key = key_file.read_text()
        assert oct(key_file.stat().st_mode & 0o777) == "0o600"
        assert main(["rotate-timeline-key"]) == 0
        assert key_file.read_text() != old_key and not (tmp_path / "timeline.key.new").exists()
        assert main(["verify-timeline"]) == 0
        with get_engine().begin() as connection:
            connection.execute(text("UPDATE timeline_event SET detail = 'x' WHERE demand_id = :d"), {"d": demand_id})
        rotated = key_file.read_text()
        assert main(["rotate-timeline-key"]) == 1
        assert key_file.read_text() == rotated  # nothing rotated over a broken chain
        assert "已断裂" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
        keys.timeline_key.cache_clear()


# ── 6. ids and numbers from the client ───────────────────────────────────────────────────────

JUNK_IDS = [
    "²",
    "١٢",
    "1²",
    "9" * 25,
    "-1",
    "0",
    " ",
    "",
    "1e3",
    "0x10",
    "12 3",
    None,
    True,
    2**31,
    -5,
    3.0,
    [1],
    {"id": 1},
]


@pytest.mark.parametrize("raw", JUNK_IDS)
def test_the_strict_parser_refuses_junk(raw):
    assert parse_id(raw) is None


def test_the_strict_parser_accepts_real_ids():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7 and parse_id(2**31 - 1) == 2**31 - 1
    assert parse_bounded_int("3", low=1, high=2) is None


@pytest.mark.parametrize("raw", ["²", "9" * 25, "-3", 2**40])
def test_junk_ids_reach_no_query(people, raw):  # noqa: F811
    demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
    with pytest.raises(NotFound):
        demand_detail.demand_detail(actor=people["zhongxin"], demand_id=raw)
    with pytest.raises(NotFound):
        handling.sign(actor=people["dongjie"], order_id=raw)
    with pytest.raises((NotFound, ValidationFailed)):
        dispatching.dispatch(actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=raw, level="一般")
    with pytest.raises(ValidationFailed):
        staff_accounts.set_user_active(actor=people["admin"], user_id=raw if isinstance(raw, int) else -1, active=False)
    page = lists.search_demands(actor=people["zhongxin"], filters={"unit_id": raw}, page=raw)
    assert page["page"] == 1 and page["total"] == 1  # a junk filter is ignored, not a 500
    assert status(demand_id) == "待受理"


# ── 8. unbounded dates ───────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "wanted, words",
    [
        ("9999-12-31", "最多60个工作日"),
        ("2027-06-30", "最多60个工作日"),
        ("2026-13-01", "请填写延期至日期"),
        ("x" * 5000, "请填写延期至日期"),
    ],
)
def test_an_extension_is_bounded(people, wanted, words):  # noqa: F811
    with use_clock(fixed(MONDAY)):
        demand_id = intake.submit_demand(actor=people["qiye1"], form=form())
        dispatching.dispatch(
            actor=people["zhongxin"], demand_id=demand_id, lead_unit_id=unit_id("东街街道"), level="一般"
        )
        order_id = orders(demand_id)[0].id
        handling.sign(actor=people["dongjie"], order_id=order_id)
        with pytest.raises(ValidationFailed) as refused:
            handling.request_extension(
                actor=people["dongjie"], order_id=order_id, reason="需要更多时间核实", new_due_date=wanted
            )
        assert words in refused.value.errors["extension_due"]
        assert count(ExtensionRequest) == 0
        # 60 working days after the due date (2026-11-30) is allowed.
        handling.request_extension(
            actor=people["dongjie"], order_id=order_id, reason="需要更多时间核实", new_due_date="2027-02-22"
        )


def test_calendar_walks_are_bounded():
    calendar = WorkingCalendar()
    with pytest.raises(ValueError):
        calendar.nth_workday_after(date(2026, 1, 1), MAX_WORKING_DAYS + 1)
    start = datetime(2026, 1, 1, tzinfo=MONDAY.tzinfo)
    assert calendar.working_days_between(start, datetime(9999, 12, 30, tzinfo=MONDAY.tzinfo)) < 3000
    all_holidays = WorkingCalendar(overrides={date(2026, 1, 1) + timedelta(days=i): False for i in range(4000)})
    with pytest.raises(ValueError):
        all_holidays.next_workday_on_or_after(date(2026, 1, 1))


def test_search_dates_outside_the_range_are_ignored(people):  # noqa: F811
    intake.submit_demand(actor=people["qiye1"], form=form())
    for bad in ("0001-01-01", "9999-12-31", "2026-13-45", "2026-11-25T00:00"):
        page = lists.search_demands(actor=people["zhongxin"], filters={"date_from": bad, "date_to": bad})
        assert page["total"] == 1


# ── 4. demo mode is explicit ─────────────────────────────────────────────────────────────────


def test_demo_mode_is_off_by_default_and_refused_on_https(monkeypatch):
    for name in ("PORTAL_DEMO_MODE", "PORTAL_DEMO_FORCE", "PORTAL_PUBLIC_ORIGIN"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        assert get_settings().demo_mode is False
        monkeypatch.setenv("PORTAL_DEMO_MODE", "1")
        monkeypatch.setenv("PORTAL_PUBLIC_ORIGIN", "https://qs.example.gov.cn")
        get_settings.cache_clear()
        assert "演示模式" in get_settings().unsafe_demo_reason()
        monkeypatch.setenv("PORTAL_DEMO_FORCE", "1")
        get_settings.cache_clear()
        assert get_settings().unsafe_demo_reason() is None
        monkeypatch.setenv("PORTAL_PUBLIC_ORIGIN", "http://localhost:3000")
        monkeypatch.delenv("PORTAL_DEMO_FORCE")
        get_settings.cache_clear()
        assert get_settings().unsafe_demo_reason() is None
    finally:
        get_settings.cache_clear()


def test_seed_demo_is_refused_without_demo_mode(db, monkeypatch):
    from portal.cli import main

    monkeypatch.delenv("PORTAL_DEMO_MODE", raising=False)
    get_settings.cache_clear()
    assert main(["seed-demo"]) == 2
    assert count(User) == 0


def test_create_admin_never_takes_a_password_from_argv(seeded, monkeypatch, capsys):
    from portal.cli import main
    from portal.services.accounts import sessions

    with pytest.raises(SystemExit):
        main(["create-admin", "--username", "root1", "--password", "Secret123"])
    prompts = iter(["Chief-Lantern-2026", "Chief-Lantern-2026"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(prompts))
    assert main(["create-admin", "--username", "chief1"]) == 0
    assert sessions.login(username="chief1", password="Chief-Lantern-2026").token
    mismatched = iter(["Chief-Lantern-2026", "Other-Lantern-2026"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(mismatched))
    assert main(["create-admin", "--username", "chief2"]) == 2
    assert main(["create-admin", "--username", "chief3", "--generate-password"]) == 0
    printed = capsys.readouterr().out
    password = printed.split("修改):", 1)[1].split()[0]
    assert len(password) == 20 and sessions.login(username="chief3", password=password).token
    with session_scope() as session:
        roles = {u.username: u.role for u in session.exec(select(User)).all()}
    assert roles.get("chief1") == "admin" and "chief2" not in roles
