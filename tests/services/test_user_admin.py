"""用户 (issue #12): editing staff accounts (never one's own role), password reset shown once, lifting a
login lock, enterprise account search, and admitting an early pilot credit code."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.core import security
from portal.core.db import session_scope
from portal.models.tables import AuditEntry, Enterprise, User
from portal.services.accounts import enterprise_accounts, sessions, staff_accounts, user_admin
from portal.services.base.errors import Forbidden, LoginFailed, ValidationFailed
from tests.services.test_lifecycle import actor, unit_id


def _user_id(username: str) -> int:
    with session_scope() as session:
        return session.exec(select(User.id).where(User.username == username)).one()


def test_edit_staff_account_but_never_ones_own_role(demo_accounts):
    admin = actor("admin")
    handler = _user_id("zhujianju")
    with session_scope() as session:
        phone = session.get(User, handler).phone  # the demo gives staff a mobile (issue #27); kept as it is
    user_admin.update_staff_user(
        actor=admin, user_id=handler, display_name="新承办员", role="handler", unit_id=unit_id("市财政局"), phone=phone
    )
    row = next(u for u in staff_accounts.list_users(actor=admin) if u["id"] == handler)
    assert (row["display_name"], row["unit_name"]) == ("新承办员", "市财政局")
    with pytest.raises(Forbidden):
        user_admin.update_staff_user(
            actor=admin, user_id=admin.user_id, display_name="管理员", role="leader", unit_id="", phone=""
        )
    with pytest.raises(Forbidden):
        staff_accounts.set_user_active(actor=admin, user_id=admin.user_id, active=False)
    with pytest.raises(ValidationFailed) as refused:
        user_admin.update_staff_user(
            actor=admin, user_id=handler, display_name="x", role="dispatcher", unit_id=unit_id("市财政局"), phone=""
        )
    assert "unit_id" in refused.value.errors
    with pytest.raises(Forbidden):
        user_admin.update_staff_user(
            actor=actor("zhongxin"), user_id=handler, display_name="x", role="admin", unit_id="", phone=""
        )
    with session_scope() as session:
        assert session.get(User, handler).role == "handler"
        details = session.exec(select(AuditEntry.detail).where(AuditEntry.target == "zhujianju")).all()
    assert details == ["姓名 住建局经办人 → 新承办员、单位 市住房和城乡建设局 → 市财政局"]


def test_admin_sets_a_staff_e_mail_checked_and_audited(demo_accounts):
    admin, handler = actor("admin"), _user_id("zhujianju")
    keep = dict(actor=admin, user_id=handler, display_name="住建局经办人", role="handler",
                unit_id=unit_id("市住房和城乡建设局"), phone="13905380003")  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        user_admin.update_staff_user(**keep, email="住建局@邮箱")
    assert refused.value.errors == {"email": "电子邮箱格式不正确,例如 name@example.com"}
    user_admin.update_staff_user(**keep)  # no e-mail given: it stays, nothing audited
    user_admin.update_staff_user(**keep, email="  New.Mailbox@Example.GOV.cn ")
    row = next(u for u in staff_accounts.list_users(actor=admin) if u["id"] == handler)
    assert row["email"] == "new.mailbox@example.gov.cn"
    user_admin.update_staff_user(**keep, email="")  # cleared: 通知设置's e-mail is off for them
    with session_scope() as session:
        assert session.get(User, handler).email == ""
        details = session.exec(
            select(AuditEntry.detail).where(AuditEntry.target == "zhujianju").order_by(AuditEntry.id)
        ).all()
    assert details == [
        "邮箱 zhujianju@example.gov.cn → new.mailbox@example.gov.cn",
        "邮箱 new.mailbox@example.gov.cn → —",
    ]


def test_reset_password_is_returned_once_and_ends_sessions(demo_accounts):
    old = sessions.login(username="qiye1", password="Demo@2026")
    password = user_admin.reset_password(actor=actor("admin"), user_id=_user_id("qiye1"))
    assert security.password_error(password) is None
    assert sessions.resolve_session(old.token) is None
    with pytest.raises(LoginFailed):
        sessions.login(username="qiye1", password="Demo@2026")
    assert sessions.login(username="qiye1", password=password).user["username"] == "qiye1"
    with session_scope() as session:
        audit = session.exec(select(AuditEntry.detail).where(AuditEntry.target == "qiye1")).all()
    assert audit and all(password not in d for d in audit)
    with pytest.raises(Forbidden):
        user_admin.reset_password(actor=actor("zhongxin"), user_id=_user_id("qiye1"))


def test_unlock_lifts_the_accounts_lock(demo_accounts):
    for _ in range(10):
        with pytest.raises(LoginFailed):
            sessions.login(username="qiye1", password="wrong-password", client_address="10.0.0.9")
    with pytest.raises(LoginFailed) as still:
        sessions.login(username="qiye1", password="Demo@2026", client_address="10.0.0.9")
    assert "次数过多" in still.value.message
    admin = actor("admin")
    assert next(a for a in user_admin.search_enterprise_accounts(actor=admin, query="qiye1"))["locked"] is True
    user_admin.unlock_account(actor=admin, user_id=_user_id("qiye1"))
    assert next(a for a in user_admin.search_enterprise_accounts(actor=admin, query="qiye1"))["locked"] is False
    assert sessions.login(username="qiye1", password="Demo@2026", client_address="10.0.0.9").user["username"] == "qiye1"


def test_enterprise_accounts_search(demo_accounts):
    admin = actor("admin")
    everyone = user_admin.search_enterprise_accounts(actor=admin, query="")
    assert {a["username"] for a in everyone} >= {"qiye1", "qiye2"}
    with session_scope() as session:
        code = session.exec(
            select(Enterprise.credit_code)
            .join(User, User.enterprise_id == Enterprise.id)
            .where(User.username == "qiye2")
        ).one()
    assert [a["username"] for a in user_admin.search_enterprise_accounts(actor=admin, query=code[:10])] == ["qiye2"]
    with pytest.raises(Forbidden):
        user_admin.search_enterprise_accounts(actor=actor("zhongxin"), query="")


def _registration(code: str) -> enterprise_accounts.EnterpriseRegistration:
    return enterprise_accounts.EnterpriseRegistration(
        enterprise_name="试点时期企业有限公司",
        credit_code=code,
        contact_name="赵经理",
        contact_phone="13805389999",
        username="pilot_firm",
        password="Pilot2026x",
        password_confirm="Pilot2026x",
        industry="制造业",
        scale="小型",
        town_unit_id="",
    )


def test_pilot_code_admitted_then_registers_marked(demo_accounts):
    good = "91370100MA3C5XXX1" + security.credit_code_check_char("91370100MA3C5XXX1")
    pilot = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationFailed) as refused:
        enterprise_accounts.register_enterprise(form=_registration(pilot))
    assert "credit_code" in refused.value.errors
    admin = actor("admin")
    for code, reason, field in [
        (good, "试点批文", "pilot_code"),
        ("12345", "试点批文", "pilot_code"),
        (pilot, "", "pilot_reason"),
    ]:
        with pytest.raises(ValidationFailed) as bad:
            user_admin.admit_pilot_code(actor=admin, credit_code=code, reason=reason)
        assert field in bad.value.errors
    with pytest.raises(Forbidden):
        user_admin.admit_pilot_code(actor=actor("zhongxin"), credit_code=pilot, reason="试点批文")
    user_admin.admit_pilot_code(actor=admin, credit_code=pilot.lower(), reason="2015年试点批文,营业执照原件已核")
    enterprise_accounts.register_enterprise(form=_registration(pilot))
    with session_scope() as session:
        enterprise = session.exec(select(Enterprise).where(Enterprise.credit_code == pilot)).one()
        assert enterprise.credit_code_override is True
        assert session.exec(select(AuditEntry).where(AuditEntry.target == pilot)).one()
