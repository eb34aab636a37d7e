"""Issue #7 items 2 and 5 at the service layer: staged uploads bound and capped per user, purged and
refused on a nearly full disk; login throttled per username + address, per address and per username;
registration limited per address. Each test performs the abuse and shows the refusal."""

from __future__ import annotations

import os
import re
import time
from collections import namedtuple
from datetime import timedelta

import pytest
from sqlmodel import func, select

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.core.settings import get_settings
from portal.models.tables import Throttle, User
from portal.services.accounts import enterprise_accounts, sessions, throttle
from portal.services.base.errors import LoginFailed, ServiceError, ValidationFailed
from portal.services.demands import attachments
from tests.services.test_accounts import PASSWORD, T0, form

PDF = b"%PDF-1.4\n%demo\n" + b"0" * 64


@pytest.fixture
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_PRIVATE_UPLOAD_DIR", str(tmp_path / "uploads"))
    get_settings.cache_clear()
    yield tmp_path / "uploads"
    get_settings.cache_clear()


# ── 2. staged uploads ────────────────────────────────────────────────────────────────────────


def test_staged_files_are_bound_to_their_owner(upload_dir):
    token, name = attachments.stage("材料.pdf", PDF, owner_id=7)
    assert name == "材料.pdf" and attachments.read_staged(token, owner_id=7) == PDF
    with pytest.raises(ValidationFailed):  # another user holding the token reads nothing
        attachments.read_staged(token, owner_id=8)
    attachments.drop_staged([token], owner_id=8)  # nor can they delete it
    assert attachments.read_staged(token, owner_id=7) == PDF
    for forged in ("../7/" + token, "..", token + "/x", "A" * 5000 + "²"):
        with pytest.raises((ValueError, ValidationFailed)):
            attachments.read_staged(forged, owner_id=7)


def test_the_per_user_cap_holds_across_tabs(upload_dir, monkeypatch):
    # Ten files from "different tabs" (no shared state at all): the eleventh is refused.
    for _ in range(attachments.MAX_STAGED_FILES_PER_USER):
        attachments.stage("a.pdf", PDF, owner_id=3)
    with pytest.raises(ValidationFailed) as refused:
        attachments.stage("a.pdf", PDF, owner_id=3)
    assert "已达10个" in refused.value.errors["files"]
    attachments.stage("a.pdf", PDF, owner_id=4)  # another user is not affected
    monkeypatch.setattr(attachments, "MAX_STAGED_BYTES_PER_USER", len(PDF) * 2)
    attachments.stage("a.pdf", PDF, owner_id=5)
    attachments.stage("a.pdf", PDF, owner_id=5)
    with pytest.raises(ValidationFailed) as refused:
        attachments.stage("a.pdf", PDF, owner_id=5)
    assert "合计不能超过" in refused.value.errors["files"]
    assert len(list((upload_dir / "staging" / "5").glob("[0-9a-f]*"))) == 2


def test_abandoned_staging_is_purged(upload_dir):
    old, _ = attachments.stage("old.pdf", PDF, owner_id=3)
    fresh, _ = attachments.stage("new.pdf", PDF, owner_id=3)
    path = upload_dir / "staging" / "3" / old
    seven_hours_ago = time.time() - 7 * 3600
    os.utime(path, (seven_hours_ago, seven_hours_ago))
    assert attachments.purge_staged() == 1
    assert not path.exists() and attachments.read_staged(fresh, owner_id=3) == PDF
    with pytest.raises(ValidationFailed) as gone:  # a form that still names the purged file
        attachments.read_staged(old, owner_id=3)
    assert "已过期" in gone.value.errors["files"]


def test_uploads_are_refused_when_the_disk_is_nearly_full(upload_dir, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(attachments.shutil, "disk_usage", lambda _path: usage(100 << 30, 99 << 30, 500 << 20))
    with pytest.raises(ValidationFailed) as refused:
        attachments.stage("a.pdf", PDF, owner_id=3)
    assert refused.value.errors["files"] == attachments.DISK_FULL
    assert not list((upload_dir / "staging" / "3").glob("[0-9a-f]*"))
    monkeypatch.setenv("PORTAL_MIN_FREE_DISK_MB", "100")
    get_settings.cache_clear()
    attachments.stage("a.pdf", PDF, owner_id=3)  # the floor is configurable


# ── 5. login and registration abuse ──────────────────────────────────────────────────────────


def _fail(username: str, address: str) -> str:
    with pytest.raises(LoginFailed) as caught:
        sessions.login(username=username, password="Wrong1234", client_address=address)
    return caught.value.message


def test_a_lock_from_one_address_does_not_lock_the_real_user_elsewhere(seeded):
    enterprise_accounts.register_enterprise(form=form())
    with use_clock(fixed(T0)):
        messages = [_fail("testco", "203.0.113.9") for _ in range(5)]
        assert "15分钟" in messages[-1]
        with pytest.raises(LoginFailed):  # the attacker's address is locked even with the right password
            sessions.login(username="testco", password=PASSWORD, client_address="203.0.113.9")
        assert sessions.login(username="testco", password=PASSWORD, client_address="198.51.100.7").token


def _seconds(message: str) -> int:
    return int(re.search(r"请(\d+)秒后再试", message).group(1))


def test_failures_behind_one_address_delay_it_but_never_lock_out_the_right_password(seeded):
    """Issue #20 item 6: 35 failures from one address (spraying, or many people behind one NAT) once
    locked everyone there out for 15 minutes; now each further attempt waits 1, 2, 4 … ≤ 60 seconds,
    the answer says how long, and the right password then gets in."""
    enterprise_accounts.register_enterprise(form=form())
    moment, delays = T0, []
    with use_clock(fixed(moment)):
        assert [_fail(f"victim{i:02d}", "203.0.113.9") for i in range(9)] == [sessions.WRONG_CREDENTIALS] * 9
    for i in range(9, 35):
        with use_clock(fixed(moment)):
            message = _fail(f"victim{i:02d}", "203.0.113.9")
        assert message.startswith(sessions.WRONG_CREDENTIALS) and "秒后再试" in message
        delays.append(_seconds(message))
        with use_clock(fixed(moment + timedelta(seconds=delays[-1] - 1))):  # too early: refused unchecked
            with pytest.raises(LoginFailed) as early:
                sessions.login(username="testco", password=PASSWORD, client_address="203.0.113.9")
            assert early.value.message == "该网络登录失败次数较多,请1秒后再试"
        moment += timedelta(seconds=delays[-1])
    assert delays[:8] == [1, 2, 4, 8, 16, 32, 60, 60] and set(delays[8:]) == {60}
    with use_clock(fixed(moment)):  # waited as told: the right password gets in
        assert sessions.login(username="testco", password=PASSWORD, client_address="203.0.113.9").token
    with session_scope() as session:  # the attempts refused while waiting were not counted
        counted = session.get(Throttle, throttle.throttle_key("login-addr", "203.0.113.9")).failures
    assert counted == 35


def test_a_distributed_guess_meets_the_per_username_ceiling(seeded, monkeypatch):
    monkeypatch.setenv("PORTAL_LOGIN_MAX_FAILURES_PER_USERNAME", "12")
    get_settings.cache_clear()
    enterprise_accounts.register_enterprise(form=form())
    with use_clock(fixed(T0)):
        for i in range(12):
            _fail("testco", f"198.51.100.{i}")
        with pytest.raises(LoginFailed) as caught:
            sessions.login(username="testco", password=PASSWORD, client_address="192.0.2.1")
        assert "15分钟" in caught.value.message
    get_settings.cache_clear()


def test_old_failures_are_forgotten_and_idle_counters_purged(seeded):
    with use_clock(fixed(T0)):
        for _ in range(4):
            _fail("nobody01", "203.0.113.9")
    with use_clock(fixed(T0 + timedelta(minutes=16))):  # a quiet window: counting starts afresh
        assert _fail("nobody01", "203.0.113.9") == sessions.WRONG_CREDENTIALS
    with session_scope() as session:
        stored = session.exec(select(Throttle)).all()
    assert stored and all("nobody01" not in row.key and "203.0.113" not in row.key for row in stored)
    with use_clock(fixed(T0 + timedelta(hours=25))):
        assert throttle.purge_throttles() == len(stored)


def test_registration_is_limited_per_address(seeded, monkeypatch):
    monkeypatch.setenv("PORTAL_REGISTRATIONS_PER_ADDRESS_HOUR", "3")
    get_settings.cache_clear()
    with use_clock(fixed(T0)):
        enterprise_accounts.register_enterprise(form=form(), client_address="203.0.113.9")
        for probe in ("probe01", "probe02"):  # probing for taken credit codes counts too
            with pytest.raises(ValidationFailed) as taken:
                enterprise_accounts.register_enterprise(
                    form=form(username=probe, enterprise_name=f"{probe}公司"), client_address="203.0.113.9"
                )
            assert "联系推进中心" in taken.value.errors["credit_code"]
        with pytest.raises(ServiceError) as refused:
            enterprise_accounts.register_enterprise(
                form=form(username="fresh01", enterprise_name="新公司", credit_code="91330100799655058B"),
                client_address="203.0.113.9",
            )
        assert refused.value.message == enterprise_accounts.REGISTRATION_THROTTLED
        enterprise_accounts.register_enterprise(  # another address is unaffected
            form=form(username="fresh01", enterprise_name="新公司", credit_code="91330100799655058B"),
            client_address="198.51.100.7",
        )
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 2
    get_settings.cache_clear()


# ── 10. the browser's session comes from a one-time ticket ───────────────────────────────────


def test_a_login_ticket_is_one_time_short_lived_and_not_a_session(seeded):
    enterprise_accounts.register_enterprise(form=form())
    with use_clock(fixed(T0)):
        first = sessions.login(username="testco", password=PASSWORD)
        assert sessions.resolve_session(first.ticket) is None  # a ticket opens nothing by itself
        token, role = sessions.redeem_ticket(first.ticket)
        assert role == "enterprise" and sessions.resolve_session(token).username == "testco"
        assert sessions.resolve_session(first.token) is None  # the login's own token was replaced
        assert sessions.redeem_ticket(first.ticket) is None  # once only
        second = sessions.login(username="testco", password=PASSWORD)
    with use_clock(fixed(T0 + timedelta(seconds=sessions.TICKET_SECONDS + 1))):
        assert sessions.redeem_ticket(second.ticket) is None  # too late
    with use_clock(fixed(T0)):
        third = sessions.login(username="testco", password=PASSWORD)
        sessions.logout(third.token)
        assert sessions.redeem_ticket(third.ticket) is None  # a revoked login cannot be redeemed
    for junk in (None, "", "x" * 500, 42):
        assert sessions.redeem_ticket(junk) is None


# ── 5. a credit code registered by someone else: the 推进中心 hands the real enterprise an account ──


def test_the_centre_reassigns_a_squatted_enterprise_and_the_audit_records_it(demo_accounts):
    from portal.models.tables import AuditEntry, UserSession
    from portal.services.accounts import claims
    from portal.services.base.errors import Forbidden, NotFound
    from tests.services.test_lifecycle import actor

    squatter = enterprise_accounts.register_enterprise(form=form(username="squatter1"))
    squatter_token = sessions.login(username="squatter1", password=PASSWORD).token
    dispatcher, handler, enterprise = actor("zhongxin"), actor("dongjie"), actor("qiye1")
    claim = dict(
        credit_code="914403001922038216",
        contact_name="真老板",
        contact_phone="13805389999",
        username="realowner",
        evidence="营业执照原件、法定代表人身份证",
    )
    for intruder in (handler, enterprise):  # nobody but the centre, however they call it
        with pytest.raises(Forbidden):
            claims.reassign_account(actor=intruder, **claim)
        with pytest.raises(Forbidden):
            claims.find_claimable(actor=intruder, credit_code=claim["credit_code"])
    with pytest.raises(NotFound):
        claims.find_claimable(actor=dispatcher, credit_code="91330100799655058B")
    with pytest.raises(ValidationFailed) as bad:
        claims.reassign_account(actor=dispatcher, **dict(claim, username="qiye1", evidence="", contact_phone="1"))
    assert set(bad.value.errors) == {"username", "evidence", "contact_phone"}
    found = claims.find_claimable(actor=dispatcher, credit_code=claim["credit_code"].lower())
    assert [a["username"] for a in found["accounts"]] == ["squatter1"]
    username, password = claims.reassign_account(actor=dispatcher, **claim)
    assert sessions.resolve_session(squatter_token) is None  # the squatter is out at once
    with pytest.raises(LoginFailed):
        sessions.login(username="squatter1", password=PASSWORD)
    owner = sessions.login(username=username, password=password)
    assert owner.user["enterprise_name"] == "泰安测试机械有限公司"
    with session_scope() as session:
        entry = session.exec(select(AuditEntry)).one()
        assert entry.action == "企业账号认领" and entry.actor_id == dispatcher.user_id
        assert "squatter1" in entry.detail and "realowner" in entry.detail and "营业执照" in entry.detail
        assert session.get(User, squatter).is_active is False
        assert session.exec(select(func.count()).select_from(UserSession)).one() >= 2
