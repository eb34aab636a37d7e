"""Enterprise accounts: self-registration, the enterprise's profile, and who a user is for display."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_id
from portal.core.settings import get_settings
from portal.models.enums import INDUSTRIES, ROLE_LABELS, EnterpriseScale, Role, UnitKind
from portal.models.records.accounts import UserPublic
from portal.models.tables import AdmittedCreditCode, Demand, Enterprise, Unit, User
from portal.services.accounts.actor import Actor
from portal.services.accounts.throttle import Limit, locked, record_failure, throttle_key
from portal.services.base.errors import Forbidden, ServiceError, ValidationFailed
from portal.services.base.text import clean_text

# ── registration ────────────────────────────────────────────────────────────────────────────


@dataclass
class EnterpriseRegistration:
    enterprise_name: str
    credit_code: str
    contact_name: str
    contact_phone: str
    username: str
    password: str
    password_confirm: str
    town_unit_id: int | str | None = None
    industry: str = "其他"
    scale: str = "小型"


def clean(value) -> str:
    """A typed account field (name, contact, username, reason…) as stored: ``clean_text``; each caller
    checks its own length, all far below this cut."""
    return clean_text(value, limit=1000)


def _registration_field_errors(
    form: EnterpriseRegistration, *, name: str, code: str, contact: str, phone: str, username: str, password: str
) -> dict[str, str]:
    """What is wrong with the registration form on its own, before looking at the database."""
    errors: dict[str, str] = {}
    if not (2 <= len(name) <= 100):
        errors["enterprise_name"] = "请填写企业名称(2–100字)"
    if err := security.credit_code_error(code):
        errors["credit_code"] = err
    if not (1 <= len(contact) <= 50):
        errors["contact_name"] = "请填写联系人"
    if err := security.phone_error(phone):
        errors["contact_phone"] = err
    if err := security.username_error(username):
        errors["username"] = err
    if err := security.password_strength_error(password, username):
        errors["password"] = err
    elif password != form.password_confirm:
        errors["password_confirm"] = "两次输入的密码不一致"
    if form.industry not in INDUSTRIES:
        errors["industry"] = "请选择所属行业"
    if form.scale not in {s.value for s in EnterpriseScale}:
        errors["scale"] = "请选择企业规模"
    return errors


# The real enterprise must have a way in when someone else registered its code (or it forgot which
# colleague did): the 推进中心 verifies the licence and reassigns the account (recorded in the audit).
CREDIT_CODE_TAKEN = "该统一社会信用代码已注册。如非本企业人员所注册,请携营业执照联系推进中心核实后认领账号"


def _unclaimed_record(session: Session, code: str) -> Enterprise | None:
    """The 企业台账 record staff made for this credit code (新增企业, 代企业登记诉求, 导入台账) while the enterprise
    had no account: its registration takes that record over instead of making a second one."""
    enterprise = session.exec(select(Enterprise).where(Enterprise.credit_code == code)).first()
    if enterprise is None:
        return None
    has_account = session.exec(select(User.id).where(User.enterprise_id == enterprise.id)).first()
    return None if has_account else enterprise


# Name and credit code are public: the staff's record (and the demands on it) goes only to someone who also
# gives a phone staff recorded for the enterprise; anyone else brings the licence to the 推进中心 (认领).
RECORD_PHONE_MISMATCH = "该企业已由推进中心登记,请填写登记时留下的联系电话;如已更换,请携营业执照联系推进中心认领账号"


def _phone_on_record(session: Session, record: Enterprise, phone: str) -> bool:
    """Whether ``phone`` is the record's contact phone or the contact phone of one of its demands."""
    known = {record.contact_phone} | set(
        session.exec(select(Demand.contact_phone).where(Demand.enterprise_id == record.id)).all()
    )
    return bool(phone) and phone in {security.normalise_phone(p) for p in known if p}


def _registration_conflicts(
    session: Session,
    errors: dict[str, str],
    *,
    name: str,
    code: str,
    username: str,
    record: Enterprise | None,
    phone: str = "",
) -> None:
    """Add the messages for a username, enterprise name or credit code that is already taken (a record
    without any account is not taken: it is linked, when the name matches it)."""
    if "username" not in errors and username_taken(session, username):
        errors["username"] = "该用户名已被使用"
    if record is not None:
        if "enterprise_name" not in errors and record.name != name:
            errors["enterprise_name"] = "企业名称与该统一社会信用代码在企业台账中登记的名称不一致,请核对营业执照"
        elif "contact_phone" not in errors and not _phone_on_record(session, record, phone):
            errors["contact_phone"] = RECORD_PHONE_MISMATCH
        return
    if "enterprise_name" not in errors and session.exec(select(Enterprise.id).where(Enterprise.name == name)).first():
        errors["enterprise_name"] = "该企业已注册,请联系本企业已有账号或推进中心"
    if (
        "credit_code" not in errors
        and session.exec(select(Enterprise.id).where(Enterprise.credit_code == code)).first()
    ):
        errors["credit_code"] = CREDIT_CODE_TAKEN


def _town_id(session: Session, raw, errors: dict[str, str]) -> int | None:
    if raw in (None, "", 0):
        return None
    unit_id = parse_id(raw)
    town = session.get(Unit, unit_id) if unit_id else None
    if town is None or town.kind not in (UnitKind.TOWN, UnitKind.PARK) or not town.active:
        errors["town_unit_id"] = "请选择所属镇街"
        return None
    return town.id


REGISTRATION_THROTTLED = "注册尝试过于频繁,请一小时后再试"


def _count_registration_attempt(client_address: str) -> None:
    """Every well-formed attempt from an address counts, whatever its outcome: the answers for a taken
    username, name or credit code are then no free oracle for enumerating them (DESIGN §8)."""
    limit = Limit("register-addr", get_settings().registrations_per_address_hour, timedelta(hours=1))
    key = throttle_key(limit.kind, (client_address or "")[:64])
    moment = now()
    with session_scope() as session:
        if locked(session, key, moment):
            raise ServiceError(REGISTRATION_THROTTLED)
        record_failure(session, key, limit, moment)


def register_enterprise(*, form: EnterpriseRegistration, client_address: str = "") -> int:
    """Create an enterprise and its first account in one transaction. Returns the new user's id. When staff
    already recorded the enterprise (same credit code and name, no account yet), the account is linked to
    that record — its demands then show in 我的诉求 — and the record keeps what staff wrote, the contact
    aside. Hashes a password (argon2): callers on an event loop run it in a thread."""
    name, contact, username = clean(form.enterprise_name), clean(form.contact_name), clean(form.username)
    code = security.normalise_credit_code(clean(form.credit_code))
    phone = security.normalise_phone(clean(form.contact_phone))
    password = form.password if isinstance(form.password, str) else ""
    errors = _registration_field_errors(
        form, name=name, code=code, contact=contact, phone=phone, username=username, password=password
    )
    pilot = "credit_code" in errors and is_pilot_shaped(code) and pilot_code_admitted(code)
    if pilot:  # an early pilot code an admin admitted (DESIGN §9): accepted as it is, marked
        del errors["credit_code"]
    if not errors:
        _count_registration_attempt(client_address)
    with session_scope() as session:
        town_id = _town_id(session, form.town_unit_id, errors)
        record = None if "credit_code" in errors else _unclaimed_record(session, code)
        _registration_conflicts(session, errors, name=name, code=code, username=username, record=record, phone=phone)
        if errors:
            raise ValidationFailed(errors)
        if record is not None:
            enterprise = _take_over(session, record, contact=contact, phone=phone, town_id=town_id)
        else:
            enterprise = Enterprise(
                name=name,
                credit_code=code,
                contact_name=contact,
                contact_phone=phone,
                town_unit_id=town_id,
                industry=form.industry,
                scale=form.scale,
                credit_code_override=pilot,
            )
            session.add(enterprise)
        try:
            session.flush()
            user = User(
                username=username,
                password_hash=security.hash_password(password),
                role=Role.ENTERPRISE,
                display_name=contact,
                phone=phone,
                enterprise_id=enterprise.id,
            )
            session.add(user)
            session.flush()
        except IntegrityError as exc:
            # Lost a race with a simultaneous registration of the same name, code or username.
            session.rollback()
            raise ValidationFailed({"username": "用户名或企业信息刚被他人注册,请核对后重试"}) from exc
        return user.id


def _take_over(session: Session, record: Enterprise, *, contact: str, phone: str, town_id: int | None) -> Enterprise:
    """Link a registration to the staff's record: a compare-and-set on its version, so of two registrations
    of the same code at once only one gets it."""
    result = session.exec(
        update(Enterprise)
        .where(Enterprise.id == record.id, Enterprise.version == record.version)
        .values(
            contact_name=contact,
            contact_phone=phone,
            town_unit_id=record.town_unit_id or town_id,
            version=Enterprise.version + 1,
            updated_at=now(),
        )
    )
    if result.rowcount != 1:
        raise ValidationFailed({"credit_code": CREDIT_CODE_TAKEN})
    return record


def username_taken(session: Session, username: str) -> bool:
    from sqlalchemy import func

    return session.exec(select(User.id).where(func.lower(User.username) == username.lower())).first() is not None


def enterprise_profile(*, actor: Actor) -> dict[str, str]:
    """The enterprise's own record, as shown on /my/profile."""
    if actor.role != Role.ENTERPRISE or not actor.enterprise_id:
        raise Forbidden()
    with session_scope() as session:
        enterprise = session.get(Enterprise, actor.enterprise_id)
        town = session.get(Unit, enterprise.town_unit_id) if enterprise.town_unit_id else None
        return {
            "企业名称": enterprise.name,
            "统一社会信用代码": enterprise.credit_code,
            "所属镇街": town.name if town else "",
            "所属行业": enterprise.industry,
            "企业规模": enterprise.scale,
            "联系人": enterprise.contact_name,
            "联系电话": enterprise.contact_phone,
            "地址": enterprise.address,
            "注册时间": format_instant(enterprise.created_at, with_time=False),
        }


def public_user(session: Session, user: User) -> UserPublic:
    unit = session.get(Unit, user.unit_id) if user.unit_id else None
    enterprise = session.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
    return public_user_named(user, unit.name if unit else None, enterprise.name if enterprise else None)


def public_user_named(user: User, unit_name: str | None, enterprise_name: str | None) -> UserPublic:
    """``public_user`` with the unit's and enterprise's names already read (a session's one joined read)."""
    return UserPublic(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=ROLE_LABELS.get(Role(user.role), user.role),
        unit_name=unit_name or "",
        enterprise_name=enterprise_name or "",
    )


def is_pilot_shaped(code: str) -> bool:
    """18 characters of the code's alphabet: only the check digit may be wrong."""
    return len(code) == 18 and all(ch in security.CREDIT_CODE_CHARSET for ch in code)


def pilot_code_admitted(code: str) -> bool:
    with session_scope() as session:
        admitted = select(AdmittedCreditCode.id).where(AdmittedCreditCode.credit_code == code)
        return session.exec(admitted).first() is not None
