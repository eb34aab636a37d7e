"""Read-only reference lists used by forms: units, topics."""

from __future__ import annotations

from sqlmodel import select

from portal.core.db import session_scope
from portal.models.dto import UnitOption
from portal.models.enums import UnitKind
from portal.models.tables import Unit


def unit_options(*, kinds: tuple[str, ...] | None = None) -> list[UnitOption]:
    with session_scope() as session:
        query = select(Unit).where(Unit.active == True).order_by(Unit.sort_order, Unit.id)  # noqa: E712
        if kinds:
            query = query.where(Unit.kind.in_(kinds))
        return [UnitOption(id=str(u.id), name=u.name, kind=u.kind) for u in session.exec(query)]


def town_options() -> list[UnitOption]:
    return unit_options(kinds=(UnitKind.TOWN, UnitKind.PARK))
