"""账号认领: when someone else registered an enterprise's 统一社会信用代码 (a former employee, an agent,
an impostor), the real enterprise brings its business licence to the 推进中心, which checks it and
hands the enterprise a new account. The old accounts are disabled (their sessions end), the new one
gets a generated password shown once, and the change is written to the audit in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import select

from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import Role
from portal.models.records.accounts import ClaimableEnterprise
from portal.models.tables import Enterprise, Unit, User, UserSession
from portal.services.accounts import sessions
from portal.services.accounts.actor import Actor
from portal.services.accounts.enterprise_accounts import clean, username_taken
from portal.services.accounts.user_admin import enterprise_account_row
from portal.services.base.access import require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import NotFound, ValidationFailed

CLAIM_ACTION = "企业账号认领"


def _enterprise_by_code(session, raw_code) -> Enterprise:
    code = security.normalise_credit_code(clean(raw_code))
    if error := security.credit_code_error(code):
        raise ValidationFailed({"credit_code": error})
    enterprise = session.exec(select(Enterprise).where(Enterprise.credit_code == code)).first()
    if enterprise is None:
        raise NotFound("没有以该统一社会信用代码注册的企业")
    return enterprise


def find_claimable(*, actor: Actor, credit_code) -> ClaimableEnterprise:
    """The enterprise registered under ``credit_code`` and its accounts, for the centre to check."""
    require_role(actor, Role.DISPATCHER, Role.ADMIN)
    with session_scope() as session:
        enterprise = _enterprise_by_code(session, credit_code)
        users = session.exec(select(User).where(User.enterprise_id == enterprise.id).order_by(User.id)).all()
        town_unit = session.get(Unit, enterprise.town_unit_id) if enterprise.town_unit_id else None
        town = town_unit.name if town_unit else ""
        return ClaimableEnterprise(
            name=enterprise.name,
            credit_code=enterprise.credit_code,
            contact_name=enterprise.contact_name,
            accounts=[enterprise_account_row(u, enterprise, town) for u in users],
        )


def _claim_errors(contact_name: str, phone: str, username: str, evidence: str) -> dict[str, str]:
    errors = {}
    if not (1 <= len(contact_name) <= 50):
        errors["contact_name"] = "请填写新联系人姓名"
    if err := security.phone_error(phone):
        errors["contact_phone"] = err
    if err := security.username_error(username):
        errors["username"] = err
    if len(evidence) < 4:
        errors["evidence"] = "请写明核验了哪些材料(如营业执照原件、法定代表人身份证)"
    elif len(evidence) > 500:
        errors["evidence"] = "核验说明不超过500字"
    return errors


@transactional
def reassign_account(*, actor: Actor, credit_code, contact_name, contact_phone, username, evidence) -> tuple[str, str]:
    """Disable the enterprise's accounts and create the real enterprise's. Returns (username, the new
    account's initial password, to be handed over once)."""
    require_role(actor, Role.DISPATCHER, Role.ADMIN)
    contact_name, username = clean(contact_name), clean(username)
    phone = security.normalise_phone(clean(contact_phone))
    evidence = clean(evidence)[:501]
    errors = _claim_errors(contact_name, phone, username, evidence)
    password = security.generate_password()
    with session_scope() as session:
        enterprise = _enterprise_by_code(session, credit_code)
        if "username" not in errors and username_taken(session, username):
            errors["username"] = "该用户名已被使用"
        if errors:
            raise ValidationFailed(errors)
        old = session.exec(select(User).where(User.enterprise_id == enterprise.id)).all()
        for user in old:
            user.is_active = False
            session.add(user)
        if old:
            session.exec(
                update(UserSession)
                .where(UserSession.user_id.in_([u.id for u in old]), UserSession.revoked_at.is_(None))
                .values(revoked_at=now())
            )
        session.add(
            User(
                username=username,
                password_hash=security.hash_password(password),
                role=Role.ENTERPRISE,
                display_name=contact_name,
                phone=phone,
                enterprise_id=enterprise.id,
                must_change_password=True,  # the centre saw the generated password: the owner picks their own
            )
        )
        enterprise.contact_name, enterprise.contact_phone = contact_name, phone
        session.add(enterprise)
        record_audit(
            session,
            actor,
            CLAIM_ACTION,
            f"{enterprise.name}({enterprise.credit_code})",
            f"停用账号:{'、'.join(u.username for u in old) or '无'};新账号:{username}({contact_name});核验:{evidence}",
        )
        old_ids = [u.id for u in old]
    sessions.forget_cached(user_ids=old_ids)
    return username, password
