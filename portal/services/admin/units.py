"""部门 under /admin (issue #12): the unit tree (市直部门, 镇街, 园区, 推进中心, 兜底办) with name, code, kind,
parent, contact person and phone. A deactivated unit leaves the dispatch choices; a unit with any work
orders, accounts or catalogue entries cannot be deleted (only deactivated); a parent that would make a
cycle is refused. Every change is audited, before → after."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.core.db import session_scope
from portal.core.ids import parse_id
from portal.models.enums import Role, UnitKind
from portal.models.enums import WorkOrderStatus as W
from portal.models.records.admin import UnitAdminRow
from portal.models.tables import DispatchRule, Unit, User, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.access import get_row, require_role
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, ValidationFailed
from portal.services.base.text import clean_text

_CODE = re.compile(r"^[A-Za-z0-9_-]{2,30}$")
_FIELDS = {
    "name": "名称",
    "code": "编码",
    "kind": "类型",
    "parent_id": "上级",
    "contact_name": "联系人",
    "contact_phone": "电话",
}


@dataclass
class UnitForm:
    name: str = ""
    code: str = ""
    kind: str = ""
    parent_id: str = ""
    contact_name: str = ""
    contact_phone: str = ""


def list_units(*, actor: Actor) -> list[UnitAdminRow]:
    """Every unit in tree order (children under their parent), with its open orders."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        units = session.exec(select(Unit).order_by(Unit.sort_order, Unit.id)).all()
        open_orders = dict(
            session.exec(
                select(WorkOrder.unit_id, func.count())
                .where(WorkOrder.status.in_((W.PENDING_SIGN, W.HANDLING)))
                .group_by(WorkOrder.unit_id)
            ).all()
        )
    names = {u.id: u.name for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in names else None
        children.setdefault(parent, []).append(unit)
    rows: list[UnitAdminRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            rows.append(
                UnitAdminRow(
                    id=unit.id,
                    name=unit.name,
                    code=unit.code or "",
                    kind=unit.kind,
                    depth=depth,
                    parent=names.get(unit.parent_id, ""),
                    parent_id=str(unit.parent_id or ""),
                    contact_name=unit.contact_name,
                    contact_phone=unit.contact_phone,
                    active=unit.active,
                    open_orders=open_orders.get(unit.id, 0),
                )
            )
            walk(unit.id, depth + 1)

    walk(None, 0)
    return rows


def _checked(session: Session, form: UnitForm, unit_id: int | None) -> dict:
    values = {
        "name": clean_text(form.name, limit=100),
        "code": clean_text(form.code, limit=30),
        "kind": clean_text(form.kind, limit=20),
        "contact_name": clean_text(form.contact_name, limit=50),
        "contact_phone": clean_text(form.contact_phone, limit=30),
        "parent_id": parse_id(form.parent_id) if (form.parent_id or "").strip() else None,
    }
    errors = {}
    if not 2 <= len(values["name"]) <= 100:
        errors["name"] = "请填写单位名称(2–100字)"
    if not _CODE.match(values["code"]):
        errors["code"] = "编码为2–30位字母、数字、下划线或连字符"
    if values["kind"] not in {k.value for k in UnitKind}:
        errors["kind"] = "请选择单位类型"
    if len(values["contact_name"]) > 50 or len(values["contact_phone"]) > 30:
        errors["contact_phone"] = "联系人不超过50字,电话不超过30字"
    if (form.parent_id or "").strip() and values["parent_id"] is None:
        errors["parent_id"] = "上级单位不存在"
    taken = session.exec(
        select(Unit.name, Unit.code).where(
            or_(Unit.name == values["name"], Unit.code == values["code"]), Unit.id != (unit_id or 0)
        )
    ).all()
    if any(name == values["name"] for name, _ in taken):
        errors["name"] = "已有同名单位"
    if any(code == values["code"] for _, code in taken):
        errors["code"] = "编码已被使用"
    parent = values["parent_id"]
    seen = set()
    while parent is not None and "parent_id" not in errors:
        if parent == unit_id or parent in seen:
            errors["parent_id"] = "上级单位不能是本单位或其下级(会形成循环)"
            break
        seen.add(parent)
        row = session.get(Unit, parent)
        if row is None:
            errors["parent_id"] = "上级单位不存在"
            break
        parent = row.parent_id
    if errors:
        raise ValidationFailed(errors)
    return values


def save_unit(*, actor: Actor, unit_id=None, form: UnitForm) -> int:
    """新建 or 保存 a unit. Returns its id."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        unit = get_row(session, Unit, unit_id, "单位不存在") if unit_id else None
        values = _checked(session, form, unit.id if unit else None)
        if unit is None:
            order = (session.exec(select(func.max(Unit.sort_order))).one() or 0) + 1
            unit = Unit(sort_order=order, **values)
            changes = "新建:" + "、".join(f"{_FIELDS[k]} {v}" for k, v in values.items() if v not in (None, ""))
        else:
            changes = (
                "、".join(
                    f"{_FIELDS[k]} {getattr(unit, k) or '—'} → {v or '—'}"
                    for k, v in values.items()
                    if getattr(unit, k) != v
                )
                or "无变化"
            )
            for key, value in values.items():
                setattr(unit, key, value)
        unit.is_fallback = unit.kind == UnitKind.FALLBACK
        session.add(unit)
        session.flush()
        record_audit(session, actor, "部门", unit.name, changes)
        return unit.id


def set_unit_active(*, actor: Actor, unit_id, active: bool) -> None:
    """停用 (it leaves the dispatch choices; its running orders go on) or 启用."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        unit = get_row(session, Unit, unit_id, "单位不存在")
        if unit.kind == UnitKind.CENTER and not active:
            raise Conflict("推进中心不能停用")
        before, unit.active = unit.active, active is True
        session.add(unit)
        record_audit(
            session,
            actor,
            "部门",
            unit.name,
            f"{'正常' if before else '已停用'} → {'正常' if unit.active else '已停用'}",
        )


def delete_unit(*, actor: Actor, unit_id) -> None:
    """删除 a unit nothing refers to; otherwise it can only be deactivated."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        unit = get_row(session, Unit, unit_id, "单位不存在")
        open_count = session.exec(
            select(func.count())
            .select_from(WorkOrder)
            .where(WorkOrder.unit_id == unit.id, WorkOrder.status.in_((W.PENDING_SIGN, W.HANDLING)))
        ).one()
        if open_count:
            raise Conflict(f"该单位有{open_count}件办理中的工单,不能删除,只能停用")
        used = (
            session.exec(select(WorkOrder.id).where(WorkOrder.unit_id == unit.id)).first()
            or session.exec(select(User.id).where(User.unit_id == unit.id)).first()
            or session.exec(select(Unit.id).where(Unit.parent_id == unit.id)).first()
            or session.exec(select(DispatchRule.id).where(DispatchRule.lead_unit_id == unit.id)).first()
        )
        if used:
            raise Conflict("该单位已有办理记录、账号、下级单位或派单目录,不能删除,只能停用")
        record_audit(session, actor, "部门", unit.name, "删除")
        session.delete(unit)
        try:
            session.flush()
        except IntegrityError as exc:  # referred to elsewhere (an enterprise's 镇街, a notice …)
            raise Conflict("该单位已被企业、诉求或通知引用,不能删除,只能停用") from exc
