from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from portal.core.clock import fixed, use_clock
from portal.core.db import session_scope
from portal.models.tables import Enterprise, Throttle, User, UserSession
from portal.services.accounts import enterprise_accounts, sessions, staff_accounts
from portal.services.accounts.enterprise_accounts import EnterpriseRegistration
from portal.services.accounts.throttle import throttle_key
from portal.services.base.errors import Forbidden, LoginFailed, ValidationFailed

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
# Strong enough for zxcvbn (score ≥ 3) and free of the test usernames.
PASSWORD = "Tide-Lantern-58"


def form(**over):
    values = dict(
        enterprise_name="泰安测试机械有限公司",
        credit_code="914403001922038216",
        contact_name="张三",
        contact_phone="13805380001",
        username="testco",
        password=PASSWORD,
        password_confirm=PASSWORD,
        industry="制造业",
        scale="小型",
    )
    values.update(over)
    return EnterpriseRegistration(**values)


def counts():
    with session_scope() as session:
        return (
            session.exec(select(func.count()).select_from(User)).one(),
            session.exec(select(func.count()).select_from(Enterprise)).one(),
        )


def test_register_creates_enterprise_and_account(seeded):
    user_id = enterprise_accounts.register_enterprise(form=form(credit_code="91330100799655058b"))
    with session_scope() as session:
        user = session.get(User, user_id)
        enterprise = session.get(Enterprise, user.enterprise_id)
    assert user.role == "enterprise" and user.password_hash.startswith("$argon2id$")
    assert enterprise.credit_code == "91330100799655058B"  # normalised to upper case


@pytest.mark.parametrize(
    "over, field, words",
    [
        ({"credit_code": "914403001922038217"}, "credit_code", "校验位"),
        ({"password": "short", "password_confirm": "short"}, "password", "至少8位"),
        ({"password": "abcdefgh", "password_confirm": "abcdefgh"}, "password", "字母和数字"),
        ({"password_confirm": PASSWORD + "!"}, "password_confirm", "不一致"),
        ({"contact_phone": "12345"}, "contact_phone", "手机号"),
        ({"username": "1abc"}, "username", "字母开头"),
        ({"enterprise_name": ""}, "enterprise_name", "企业名称"),
        ({"industry": "不存在的行业"}, "industry", "行业"),
    ],
)
def test_bad_registration_says_why_and_writes_nothing(seeded, over, field, words):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        enterprise_accounts.register_enterprise(form=form(**over))
    assert words in caught.value.errors[field]
    assert counts() == before


def test_duplicates_are_refused(seeded):
    enterprise_accounts.register_enterprise(form=form())
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        enterprise_accounts.register_enterprise(
            form=form(username="TESTCO", enterprise_name="另一家公司", credit_code="91110108551385082Q")
        )
    assert "已被使用" in caught.value.errors["username"]
    with pytest.raises(ValidationFailed) as caught:
        enterprise_accounts.register_enterprise(form=form(username="other1"))
    assert "已注册" in caught.value.errors["enterprise_name"]
    assert "已注册" in caught.value.errors["credit_code"]
    assert counts() == before


def test_login_and_session_roundtrip(seeded):
    enterprise_accounts.register_enterprise(form=form())
    with use_clock(fixed(T0)):
        result = sessions.login(username="testco", password=PASSWORD)
        actor = sessions.resolve_session(result.token)
    assert actor.username == "testco" and actor.role == "enterprise" and actor.enterprise_id
    assert result.user["enterprise_name"] == "泰安测试机械有限公司"
    assert "password_hash" not in result.user
    with session_scope() as session:
        stored = session.exec(select(UserSession.token_hash)).all()
    assert result.token not in stored  # only the hash is kept


def test_wrong_password_and_unknown_user_read_the_same(seeded):
    enterprise_accounts.register_enterprise(form=form())
    with pytest.raises(LoginFailed) as wrong:
        sessions.login(username="testco", password="Wrong1234")
    with pytest.raises(LoginFailed) as unknown:
        sessions.login(username="nobody", password="Wrong1234")
    assert wrong.value.message == unknown.value.message == sessions.WRONG_CREDENTIALS


@pytest.mark.parametrize("username", ["testco", "ghostuser"])
def test_five_failures_lock_for_fifteen_minutes_whether_or_not_the_user_exists(seeded, username):
    enterprise_accounts.register_enterprise(form=form())
    messages = []
    with use_clock(fixed(T0)):
        for _ in range(5):
            with pytest.raises(LoginFailed) as caught:
                sessions.login(username=username, password="Wrong1234")
            messages.append(caught.value.message)
        assert messages[:4] == [sessions.WRONG_CREDENTIALS] * 4
        assert "15分钟" in messages[4]
        with pytest.raises(LoginFailed) as caught:  # even the right password is refused while locked
            sessions.login(username=username, password=PASSWORD)
        assert "15分钟" in caught.value.message
    with use_clock(fixed(T0 + timedelta(minutes=14))):
        with pytest.raises(LoginFailed):
            sessions.login(username=username, password=PASSWORD)
    if username == "testco":
        with use_clock(fixed(T0 + timedelta(minutes=15, seconds=1))):
            assert sessions.login(username=username, password=PASSWORD).token
        with session_scope() as session:
            assert session.get(Throttle, throttle_key("login-pair", "testco", "")) is None  # success clears it


def test_session_expiry_idle_timeout_and_logout(seeded):
    enterprise_accounts.register_enterprise(form=form())
    with use_clock(fixed(T0)):
        token = sessions.login(username="testco", password=PASSWORD).token
    # Active use keeps it alive up to the absolute lifetime (12 h)…
    for minutes in range(0, 12 * 60, 100):
        with use_clock(fixed(T0 + timedelta(minutes=minutes))):
            assert sessions.resolve_session(token) is not None
    with use_clock(fixed(T0 + timedelta(hours=12, seconds=1))):
        assert sessions.resolve_session(token) is None
    # …and idleness ends it after 120 minutes.
    with use_clock(fixed(T0)):
        token2 = sessions.login(username="testco", password=PASSWORD).token
    with use_clock(fixed(T0 + timedelta(minutes=121))):
        assert sessions.resolve_session(token2) is None
    with use_clock(fixed(T0)):
        token3 = sessions.login(username="testco", password=PASSWORD).token
        sessions.logout(token3)
        assert sessions.resolve_session(token3) is None


@pytest.mark.parametrize("forged", ["", None, 42, "x" * 43, "a" * 500, {"token": "x"}])
def test_forged_tokens_resolve_to_nobody(seeded, forged):
    assert sessions.resolve_session(forged) is None


def test_deactivated_user_loses_sessions(demo):
    from portal.services.accounts.actor import Actor

    with session_scope() as session:
        admin = session.exec(select(User).where(User.username == "admin")).one()
        target = session.exec(select(User).where(User.username == "ziguiju")).one()
    token = sessions.login(username="ziguiju", password="Demo@2026").token
    admin_actor = Actor(user_id=admin.id, username="admin", role="admin", display_name="x")
    staff_accounts.set_user_active(actor=admin_actor, user_id=target.id, active=False)
    assert sessions.resolve_session(token) is None
    with pytest.raises(LoginFailed):
        sessions.login(username="ziguiju", password="Demo@2026")


def test_staff_accounts_only_by_admin(demo):
    from portal.services.accounts.actor import Actor

    with session_scope() as session:
        unit_id = session.exec(select(User.unit_id).where(User.username == "ziguiju")).one()
    dispatcher = Actor(user_id=2, username="zhongxin", role="dispatcher", display_name="x")
    with pytest.raises(Forbidden):
        staff_accounts.create_staff_user(
            actor=dispatcher,
            username="newhandler",
            display_name="新人",
            role="handler",
            password=PASSWORD,
            unit_id=unit_id,
        )
    admin = Actor(user_id=1, username="admin", role="admin", display_name="x")
    with pytest.raises(ValidationFailed) as caught:
        staff_accounts.create_staff_user(
            actor=admin, username="newhandler", display_name="新人", role="handler", password=PASSWORD, unit_id=None
        )
    assert "unit_id" in caught.value.errors
    new_id = staff_accounts.create_staff_user(
        actor=admin, username="newhandler", display_name="新人", role="handler", password=PASSWORD, unit_id=unit_id
    )
    assert sessions.resolve_session(sessions.login(username="newhandler", password=PASSWORD).token).user_id == new_id


def test_purge_removes_only_long_ended_sessions(seeded):
    enterprise_accounts.register_enterprise(form=form())
    with use_clock(fixed(T0 - timedelta(days=40))):
        sessions.login(username="testco", password=PASSWORD)
    with use_clock(fixed(T0)):
        live = sessions.login(username="testco", password=PASSWORD).token
        assert sessions.purge_expired_sessions() == 1
        assert sessions.resolve_session(live) is not None
