"""Writing the enterprise file (企业台账): 新增企业 for an enterprise without an account (also on the spot,
while registering a demand for it) and editing its profile, 1+1+X and notes (compare-and-set on
``version``, audited).

Who writes: the 推进中心 everything; a 镇街 handler the enterprises of its own 镇街 (a new one is put in its
镇街); a 兜底办 handler may create records (the window serves the whole city). Leaders only read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from portal.core import security
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.ids import parse_id
from portal.models.enums import INDUSTRIES, EnterpriseScale, Role, UnitKind
from portal.models.records.enterprises import StaffOption
from portal.models.tables import Enterprise, Unit, User
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, Forbidden, ValidationFailed
from portal.services.base.text import clean_text
from portal.services.enterprises.directory import visible_enterprise

NOTES_MAX = 2000
WRITE_ROLES = (Role.DISPATCHER, Role.HANDLER)


@dataclass
class EnterpriseForm:
    """The fields of 新增企业 and of editing the file, as typed (every value raw from the client)."""

    name: str = ""
    credit_code: str = ""
    town_unit_id: int | str | None = None
    industry: str = ""
    scale: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    industry_unit_id: int | str | None = None
    service_user_id: int | str | None = None
    operations: str = ""
    difficulties: str = ""
    development_plans: str = ""


def writer_unit(session: Session, actor: Actor) -> Unit | None:
    """The unit whose rules bind ``actor`` when writing (None: the 推进中心, bound by none); ``Forbidden`` for
    a reader or a unit that does not take enterprises in (only 镇街 and 兜底办 do)."""
    require_role(actor, *WRITE_ROLES)
    if actor.role == Role.DISPATCHER:
        return None
    unit = session.get(Unit, actor.unit_id) if actor.unit_id else None
    if unit is None or unit.kind not in (UnitKind.TOWN, UnitKind.FALLBACK):
        raise Forbidden("只有推进中心、镇街和兜底办可以登记企业和代企业登记诉求")
    return unit


def may_register(*, actor: Actor) -> bool:
    """Whether ``actor`` may record enterprises and register demands for them (the page shows why not)."""
    with session_scope() as session:
        try:
            writer_unit(session, actor)
        except Forbidden:
            return False
    return True


def _unit_of_kind(session: Session, raw, kinds: tuple[str, ...]) -> Unit | None:
    unit_id = parse_id(raw)
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit if unit is not None and unit.active and unit.kind in kinds else None


def _service_user(session: Session, raw) -> User | None:
    user_id = parse_id(raw)
    user = session.get(User, user_id) if user_id else None
    ok = user is not None and user.is_active and user.role in (Role.DISPATCHER, Role.HANDLER)
    return user if ok else None


def _checked_profile(session: Session, form: EnterpriseForm, errors: dict[str, str]) -> dict:
    """The profile fields every write carries, cleaned; each problem named in ``errors``."""
    values = {
        "industry": form.industry if form.industry in INDUSTRIES else None,
        "scale": form.scale if form.scale in {s.value for s in EnterpriseScale} else None,
        "contact_name": clean_text(form.contact_name, limit=50),
        "contact_phone": security.normalise_phone(clean_text(form.contact_phone, limit=30)),
        "address": clean_text(form.address, limit=200),
    }
    if values["industry"] is None:
        errors["industry"] = "请选择所属行业"
    if values["scale"] is None:
        errors["scale"] = "请选择企业规模"
    if not values["contact_name"]:
        errors["contact_name"] = "请填写联系人"
    elif len(values["contact_name"]) > 50:
        errors["contact_name"] = "联系人不超过50字"
    if err := security.phone_error(values["contact_phone"]):
        errors["contact_phone"] = err
    if len(values["address"]) > 200:
        errors["address"] = "地址不超过200字"
    return values


def _checked_file(session: Session, form: EnterpriseForm, errors: dict[str, str]) -> dict:
    """1+1+X and the notes (经营情况, 困难, 发展计划), all optional."""
    values: dict = {"industry_unit_id": None, "service_user_id": None}
    if form.industry_unit_id not in (None, "", 0):
        unit = _unit_of_kind(session, form.industry_unit_id, (UnitKind.DEPARTMENT,))
        if unit is None:
            errors["industry_unit_id"] = "请选择行业主管部门(市直部门)"
        else:
            values["industry_unit_id"] = unit.id
    if form.service_user_id not in (None, "", 0):
        user = _service_user(session, form.service_user_id)
        if user is None:
            errors["service_user_id"] = "请选择服务专员(在用的工作人员账号)"
        else:
            values["service_user_id"] = user.id
    for key, label in (("operations", "经营情况"), ("difficulties", "困难"), ("development_plans", "发展计划")):
        text = clean_text(getattr(form, key), limit=NOTES_MAX + 1)
        if len(text) > NOTES_MAX:
            errors[key] = f"{label}不超过{NOTES_MAX}字"
        values[key] = text
    return values


def _checked_town(session: Session, raw, unit: Unit | None, errors: dict[str, str]) -> int | None:
    """所属镇街: a 镇街 handler's own; otherwise a 镇街 or 园区 chosen."""
    if unit is not None and unit.kind == UnitKind.TOWN:
        return unit.id
    town = _unit_of_kind(session, raw, (UnitKind.TOWN, UnitKind.PARK))
    if town is None:
        errors["town_unit_id"] = "请选择所属镇街"
        return None
    return town.id


def check_new_enterprise(session: Session, actor: Actor, form: EnterpriseForm) -> tuple[dict[str, str], Enterprise]:
    """新增企业's checks: (field → message, the record to add when there is none). Writes nothing."""
    unit = writer_unit(session, actor)
    errors: dict[str, str] = {}
    name = clean_text(form.name, limit=101)
    code = security.normalise_credit_code(clean_text(form.credit_code, limit=30))
    if not 2 <= len(name) <= 100:
        errors["name"] = "请填写企业名称(2–100字)"
    elif session.exec(select(Enterprise.id).where(Enterprise.name == name)).first():
        errors["name"] = "企业台账中已有同名企业,请在“企业”中查找选择"
    if err := security.credit_code_error(code):
        errors["credit_code"] = err
    elif session.exec(select(Enterprise.id).where(Enterprise.credit_code == code)).first():
        errors["credit_code"] = "该统一社会信用代码已在企业台账中,请在“企业”中查找选择"
    town_id = _checked_town(session, form.town_unit_id, unit, errors)
    values = _checked_profile(session, form, errors) | _checked_file(session, form, errors)
    record = Enterprise(name=name, credit_code=code, town_unit_id=town_id, created_by_id=actor.user_id, **values)
    return errors, record


def add_enterprise(session: Session, actor: Actor, record: Enterprise) -> Enterprise:
    """Store a record ``check_new_enterprise`` passed (no account: it may register later with the same credit
    code and is then linked, ``accounts.enterprise_accounts.register_enterprise``), audited."""
    session.add(record)
    session.flush()
    record_audit(session, actor, "新增企业", f"{record.name}({record.credit_code})", "企业台账新增,无账号")
    return record


@transactional
def create_enterprise(*, actor: Actor, form: EnterpriseForm) -> int:
    """新增企业 on /staff/enterprises. Returns its id."""
    with session_scope() as session:
        errors, record = check_new_enterprise(session, actor, form)
        if errors:
            raise ValidationFailed(errors)
        return add_enterprise(session, actor, record).id


def may_edit(session: Session, actor: Actor, enterprise: Enterprise) -> bool:
    """The 推进中心 edits every file; a 镇街 handler the files of its own 镇街."""
    if actor.role == Role.DISPATCHER:
        return True
    if actor.role != Role.HANDLER or not actor.unit_id:
        return False
    unit = session.get(Unit, actor.unit_id)
    return unit is not None and unit.kind == UnitKind.TOWN and enterprise.town_unit_id == unit.id


_EDITED = {
    "town_unit_id": "所属镇街",
    "industry": "所属行业",
    "scale": "企业规模",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "address": "地址",
    "industry_unit_id": "行业主管部门",
    "service_user_id": "服务专员",
    "operations": "经营情况",
    "difficulties": "困难",
    "development_plans": "发展计划",
}


@transactional
def update_enterprise(*, actor: Actor, enterprise_id, version, form: EnterpriseForm) -> None:
    """Save the file: one conditional UPDATE on the version the form was loaded with (another person's save
    in between → ``Conflict``), audited with the fields changed, before → after."""
    require_role(actor, *WRITE_ROLES)
    with session_scope() as session:
        enterprise = visible_enterprise(session, actor, enterprise_id)
        if not may_edit(session, actor, enterprise):
            raise Forbidden("只有推进中心和企业所属镇街可以编辑企业档案")
        errors: dict[str, str] = {}
        values = _checked_profile(session, form, errors) | _checked_file(session, form, errors)
        if actor.role == Role.DISPATCHER:
            values["town_unit_id"] = _checked_town(session, form.town_unit_id, None, errors)
        if errors:
            raise ValidationFailed(errors)
        loaded = parse_id(version)
        before = {key: getattr(enterprise, key) for key in values}
        result = session.exec(
            update(Enterprise)
            .where(Enterprise.id == enterprise.id, Enterprise.version == loaded)
            .values(**values, version=Enterprise.version + 1, updated_at=now())
        )
        if result.rowcount != 1:
            raise Conflict("企业档案已被他人修改,请刷新后重试")
        changed = [
            f"{_EDITED[k]}:{before[k] or '(空)'} → {values[k] or '(空)'}" for k in values if before[k] != values[k]
        ]
        record_audit(session, actor, "编辑企业档案", enterprise.name, ";".join(changed) or "未改动")


def service_user_options() -> list[StaffOption]:
    """Staff accounts that may be named 服务专员 (active dispatchers and handlers), by unit."""
    with session_scope() as session:
        rows = session.exec(
            select(User.id, User.display_name, Unit.name)
            .join(Unit, Unit.id == User.unit_id, isouter=True)
            .where(User.is_active == True, User.role.in_((Role.DISPATCHER, Role.HANDLER)))  # noqa: E712
            .order_by(Unit.sort_order, Unit.id, User.id)
        ).all()
    return [StaffOption(id=str(uid), name=f"{unit or ''}·{name}") for uid, name, unit in rows]
