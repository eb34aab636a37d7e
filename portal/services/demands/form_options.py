"""Read-only reference lists used by forms: units, and the catalogue's topics with their dispatch suggestion."""

from __future__ import annotations

from sqlmodel import select

from portal.core.db import session_scope
from portal.models.enums import UnitKind
from portal.models.records.common import UnitOption
from portal.models.records.demands import FormOptions, TopicOption
from portal.models.tables import DispatchRule, Topic, Unit


def unit_options(*, kinds: tuple[str, ...] | None = None) -> list[UnitOption]:
    with session_scope() as session:
        query = select(Unit).where(Unit.active == True).order_by(Unit.sort_order, Unit.id)  # noqa: E712
        if kinds:
            query = query.where(Unit.kind.in_(kinds))
        return [UnitOption(id=str(u.id), name=u.name, kind=u.kind) for u in session.exec(query)]


def town_options() -> list[UnitOption]:
    return unit_options(kinds=(UnitKind.TOWN, UnitKind.PARK))


def form_options() -> FormOptions:
    """Options for the demand form and the dispatch form: active topics with the 派单目录's suggestion, and
    the units that can be given work (the 推进中心 cannot)."""
    with session_scope() as session:
        rules = {r.topic_id: r for r in session.exec(select(DispatchRule))}
        topics = []
        for t in session.exec(select(Topic).where(Topic.active == True).order_by(Topic.sort_order)):  # noqa: E712
            rule = rules.get(t.id)
            topics.append(
                TopicOption(
                    id=str(t.id),
                    name=t.name,
                    topic_class=t.topic_class,
                    lead=str(rule.lead_unit_id) if rule else "",
                    co=",".join(str(i) for i in rule.co_unit_ids) if rule else "",
                    level=rule.level if rule else "一般",
                )
            )
    units = [u for u in unit_options() if u["kind"] != UnitKind.CENTER]
    return FormOptions(topics=topics, units=units)
