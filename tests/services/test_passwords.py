"""Issue #20 item 12: 修改密码 for every role, a forced change after a password someone else made, and
weak, common or username-bearing passwords refused (zxcvbn) at registration, creation and change. Each
test performs the abuse and shows the refusal, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.core import security
from portal.core.db import session_scope
from portal.models.tables import AuditEntry, User
from portal.seed.demo import DEMO_PASSWORD
from portal.services.accounts import claims, enterprise_accounts, passwords, sessions, staff_accounts, user_admin
from portal.services.base.errors import LoginFailed, ServiceError, ValidationFailed
from tests.services.test_accounts import PASSWORD, form
from tests.services.test_lifecycle import actor

NEW = "Quiet-Harbour-Kite-73"


@pytest.mark.parametrize(
    "weak, words",
    [
        ("Passw0rd", "常用密码"),
        ("qwerty123", "常用密码"),
        ("aaaaaaaa1", "重复的字符"),
        ("Zhang1990", "人名或姓氏"),
        ("testco2026x", "不能包含用户名"),
        ("abcdefgh", "字母和数字"),
    ],
)
def test_registration_refuses_weak_common_and_username_passwords(seeded, weak, words):
    with pytest.raises(ValidationFailed) as refused:
        enterprise_accounts.register_enterprise(form=form(password=weak, password_confirm=weak))
    assert words in refused.value.errors["password"]
    with session_scope() as session:
        assert session.exec(select(User)).all() == []


def test_an_admin_cannot_give_a_colleague_a_weak_password_either(demo_accounts):
    with pytest.raises(ValidationFailed) as refused:
        staff_accounts.create_staff_user(
            actor=actor("admin"), username="weakling", display_name="弱密码", role="leader", password="Passw0rd"
        )
    assert "常用密码" in refused.value.errors["password"]


def test_the_demo_password_is_strong_enough_and_seeding_is_unchanged(demo_accounts):
    assert security.password_strength_error(DEMO_PASSWORD, "qiye1") is None
    assert sessions.login(username="qiye1", password=DEMO_PASSWORD).user["username"] == "qiye1"
    with session_scope() as session:
        assert not any(session.exec(select(User.must_change_password)).all())


def _login(username: str, password: str):
    return sessions.login(username=username, password=password)


def test_changing_the_password_ends_the_other_sessions_only(seeded):
    enterprise_accounts.register_enterprise(form=form())
    here, elsewhere = _login("testco", PASSWORD), _login("testco", PASSWORD)
    me = sessions.resolve_session(here.token)
    change = dict(actor=me, session_token=here.token, current=PASSWORD)
    refusals = [
        (dict(current="Wrong-Current-1", new=NEW, confirm=NEW), "current_password", "当前密码不正确"),
        (dict(new="Passw0rd1", confirm="Passw0rd1"), "new_password", "常用密码"),
        (dict(new="testco-Harbour-73", confirm="testco-Harbour-73"), "new_password", "不能包含用户名"),
        (dict(new=PASSWORD, confirm=PASSWORD), "new_password", "不能与当前密码相同"),
        (dict(new=NEW, confirm=NEW + "x"), "new_password_confirm", "不一致"),
    ]
    for over, field, words in refusals:
        with pytest.raises(ValidationFailed) as refused:
            passwords.change_password(**{**change, **over})
        assert words in refused.value.errors[field]
    assert _login("testco", PASSWORD).token  # nothing changed so far
    passwords.change_password(**change, new=NEW, confirm=NEW)
    assert sessions.resolve_session(here.token) is not None  # the session that changed it stays
    assert sessions.resolve_session(elsewhere.token) is None  # every other one ends
    with pytest.raises(LoginFailed):
        _login("testco", PASSWORD)
    assert _login("testco", NEW).token
    with session_scope() as session:
        audit = session.exec(select(AuditEntry.detail).where(AuditEntry.target == "testco")).all()
    assert audit == ["本人修改密码(其他登录已退出)"] and NEW not in audit[0]


def test_a_stolen_session_cannot_guess_the_current_password(seeded):
    enterprise_accounts.register_enterprise(form=form())
    stolen = _login("testco", PASSWORD)
    thief = sessions.resolve_session(stolen.token)
    for guess in range(5):
        with pytest.raises(ValidationFailed):
            passwords.change_password(
                actor=thief, session_token=stolen.token, current=f"Guess-{guess}-Lantern", new=NEW, confirm=NEW
            )
    with pytest.raises(ServiceError) as locked:  # even the right one is refused now
        passwords.change_password(actor=thief, session_token=stolen.token, current=PASSWORD, new=NEW, confirm=NEW)
    assert "15分钟" in locked.value.message
    assert _login("testco", PASSWORD).token


def _must_change(username: str) -> bool:
    with session_scope() as session:
        return session.exec(select(User.must_change_password).where(User.username == username)).one()


def test_a_password_someone_else_made_must_be_changed(demo_accounts):
    admin = actor("admin")
    # An admin's reset: the old password holder (or the admin) knows it; the owner must replace it.
    with session_scope() as session:
        qiye1 = session.exec(select(User.id).where(User.username == "qiye1")).one()
    reset = user_admin.reset_password(actor=admin, user_id=qiye1)
    owner = _login("qiye1", reset)
    assert sessions.resolve_session(owner.token).must_change_password is True
    passwords.change_password(
        actor=sessions.resolve_session(owner.token), session_token=owner.token, current=reset, new=NEW, confirm=NEW
    )
    assert sessions.resolve_session(owner.token).must_change_password is False and not _must_change("qiye1")
    # A staff account an admin created, and an account handed over by 账号认领; not the CLI's own.
    staff_accounts.create_staff_user(
        actor=admin, username="newleader", display_name="新领导", role="leader", password=PASSWORD
    )
    staff_accounts.create_staff_user(
        actor=None, username="opsleader", display_name="运维", role="leader", password=PASSWORD
    )
    username, _initial = claims.reassign_account(
        actor=actor("zhongxin"),
        credit_code="91370902MA94R6T3XJ",
        contact_name="真老板",
        contact_phone="13805389999",
        username="realowner",
        evidence="营业执照原件、法定代表人身份证",
    )
    assert (_must_change("newleader"), _must_change("opsleader"), _must_change(username)) == (True, False, True)
