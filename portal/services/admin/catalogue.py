"""派单目录 under /admin (issue #12, seed 001: 权责对等、职责清晰): topics grouped in 政策咨询类 / 业务办理类 /
要素保障类, each with a lead unit, optional co-units, a default time-limit level and keywords.

Every saved change is one catalogue version (``catalogue_change``: who, when, the topic's fields before →
after; the seeded catalogue is version 1). The keywords are used: when a demand's text matches another
topic's keywords better than the topic the enterprise chose, the dispatcher is shown that topic's
routing as well, with the matched words; a dispatch records the version whose suggestion it saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_id
from portal.models.enums import DISPATCH_LEVELS, DemandStatus, LimitLevel, Role, TopicClass, UnitKind
from portal.models.enums import WorkOrderStatus as W
from portal.models.records.admin import CatalogueChangeRow, CatalogueTopicRow
from portal.models.records.demands import DispatchSuggestion, KeywordSuggestion
from portal.models.tables import CatalogueChange, Demand, DispatchRule, Topic, Unit, WorkOrder
from portal.services.accounts.actor import Actor
from portal.services.base.access import actor_label, get_row, require_role
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, ValidationFailed
from portal.services.base.text import clean_text

MAX_KEYWORDS = 30
_KEYWORD_SPLIT = re.compile(r"[\s,，、;；]+")
# The fields a change lists, in this order, with the words the history shows.
_LABELS = {
    "name": "事项",
    "topic_class": "分类",
    "lead": "承办单位",
    "co": "协办单位",
    "level": "时限等级",
    "keywords": "关键词",
    "active": "状态",
}


@dataclass
class TopicForm:
    name: str = ""
    topic_class: str = ""
    lead_unit_id: str = ""
    co_unit_ids: tuple[str, ...] = ()
    level: str = LimitLevel.NORMAL
    keywords: str = ""
    active: bool = True


def split_keywords(raw: str) -> list[str]:
    """Keywords as typed (separated by spaces, commas or 、), stripped and without repeats, in order."""
    seen: list[str] = []
    for word in _KEYWORD_SPLIT.split(raw or ""):
        if word and word not in seen:
            seen.append(word)
    return seen


def _rule_of(session: Session, topic_id) -> DispatchRule | None:
    return session.exec(select(DispatchRule).where(DispatchRule.topic_id == topic_id)).first()


def _joined(ids) -> str:
    return ",".join(str(i) for i in ids)


def current_version(session: Session) -> int:
    return session.exec(select(func.max(CatalogueChange.version))).one() or 1


def _snapshot(session: Session, topic: Topic | None, rule: DispatchRule | None) -> dict:
    """A topic's fields as people read them (unit names, not ids), for the history."""
    if topic is None:
        return {}
    names = dict(session.exec(select(Unit.id, Unit.name)).all())
    return {
        "name": topic.name,
        "topic_class": topic.topic_class,
        "lead": names.get(rule.lead_unit_id, "") if rule else "",
        "co": "、".join(names.get(i, "") for i in rule.co_unit_ids) if rule else "",
        "level": rule.level if rule else "",
        "keywords": rule.keywords if rule else "",
        "active": "启用" if topic.active else "停用",
    }


def list_catalogue(*, actor: Actor) -> list[CatalogueTopicRow]:
    """Every topic, grouped by class in the catalogue's order, with its routing."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        names = dict(session.exec(select(Unit.id, Unit.name)).all())
        rules = {r.topic_id: r for r in session.exec(select(DispatchRule))}
        classes = [c.value for c in TopicClass]
        topics = sorted(
            session.exec(select(Topic)).all(),
            key=lambda t: (classes.index(t.topic_class) if t.topic_class in classes else 9, t.sort_order, t.id),
        )
        rows = []
        for topic in topics:
            rule = rules.get(topic.id)
            co_ids = rule.co_unit_ids if rule else []
            rows.append(
                CatalogueTopicRow(
                    id=topic.id,
                    name=topic.name,
                    topic_class=topic.topic_class,
                    lead_id=str(rule.lead_unit_id) if rule else "",
                    lead=names.get(rule.lead_unit_id, "") if rule else "",
                    co_ids=_joined(co_ids),
                    co="、".join(names.get(i, "") for i in co_ids),
                    level=rule.level if rule else "",
                    keywords=rule.keywords if rule else "",
                    active=topic.active,
                )
            )
        return rows


def catalogue_version(*, actor: Actor) -> int:
    require_role(actor, Role.ADMIN, Role.DISPATCHER)
    with session_scope() as session:
        return current_version(session)


def _dispatchable(session: Session, raw) -> Unit | None:
    unit = session.get(Unit, parse_id(raw) or 0)
    return unit if unit is not None and unit.active and unit.kind != UnitKind.CENTER else None


def _checked(session: Session, form: TopicForm, topic_id: int | None) -> dict:
    name = clean_text(form.name, limit=50)
    errors = {}
    if not 2 <= len(name) <= 50:
        errors["name"] = "请填写事项名称(2–50字)"
    elif session.exec(select(Topic.id).where(Topic.name == name, Topic.id != (topic_id or 0))).first():
        errors["name"] = "已有同名事项"
    if form.topic_class not in {c.value for c in TopicClass}:
        errors["topic_class"] = "请选择分类(政策咨询类、业务办理类或要素保障类)"
    lead = _dispatchable(session, form.lead_unit_id)
    if lead is None:
        errors["lead_unit_id"] = "请选择承办单位(启用中的承办单位)"
    co_units = []
    for raw in dict.fromkeys(form.co_unit_ids or ()):
        unit = _dispatchable(session, raw)
        if unit is None:
            errors["co_unit_ids"] = "协办单位须为启用中的承办单位"
        elif lead is not None and unit.id == lead.id:
            errors["co_unit_ids"] = "协办单位不能与承办单位相同"
        else:
            co_units.append(unit.id)
    if form.level not in DISPATCH_LEVELS:
        errors["level"] = "请选择时限等级"
    keywords = split_keywords(clean_text(form.keywords, limit=500))
    if len(keywords) > MAX_KEYWORDS or any(len(k) > 20 for k in keywords) or len(" ".join(keywords)) > 500:
        errors["keywords"] = f"关键词至多{MAX_KEYWORDS}个,每个不超过20字"
    if errors:
        raise ValidationFailed(errors)
    return {
        "name": name,
        "topic_class": form.topic_class,
        "lead_unit_id": lead.id,
        "co_unit_ids": co_units,
        "level": form.level,
        "keywords": " ".join(keywords),
        "active": form.active is True,
    }


def save_topic(*, actor: Actor, topic_id=None, form: TopicForm) -> int:
    """新建 or 保存 a topic and its routing: one new catalogue version, audited. Returns the topic's id."""
    require_role(actor, Role.ADMIN)
    try:
        with session_scope() as session:
            topic = get_row(session, Topic, topic_id, "事项不存在") if topic_id else None
            rule = _rule_of(session, topic.id) if topic else None
            values = _checked(session, form, topic.id if topic else None)
            before = _snapshot(session, topic, rule)
            if topic is None:
                order = (session.exec(select(func.max(Topic.sort_order))).one() or 0) + 1
                topic = Topic(sort_order=order, name=values["name"], topic_class=values["topic_class"])
            topic.name, topic.topic_class, topic.active = values["name"], values["topic_class"], values["active"]
            session.add(topic)
            session.flush()
            rule = rule or DispatchRule(topic_id=topic.id, lead_unit_id=values["lead_unit_id"])
            rule.lead_unit_id, rule.co_unit_ids = values["lead_unit_id"], values["co_unit_ids"]
            rule.level, rule.keywords = values["level"], values["keywords"]
            session.add(rule)
            session.flush()
            after = _snapshot(session, topic, rule)
            if before == after:
                return topic.id
            version = current_version(session) + 1
            session.add(
                CatalogueChange(
                    version=version,
                    topic_id=topic.id,
                    created_at=now(),
                    actor_id=actor.user_id,
                    actor_label=actor_label(session, actor),
                    before=before,
                    after=after,
                )
            )
            record_audit(session, actor, "派单目录", topic.name, f"第{version}版:" + describe_change(before, after))
            session.flush()
            return topic.id
    except IntegrityError as exc:  # another admin saved a version at the same moment
        raise Conflict("派单目录刚被他人修改,请刷新后重试") from exc


def describe_change(before: dict, after: dict) -> str:
    if not before:
        return "新建:" + ";".join(f"{_LABELS[k]} {after[k]}" for k in _LABELS if after.get(k))
    return ";".join(
        f"{_LABELS[k]} {before.get(k) or '—'} → {after.get(k) or '—'}" for k in _LABELS if before.get(k) != after.get(k)
    )


def topic_history(*, actor: Actor, topic_id) -> list[CatalogueChangeRow]:
    """A topic's versions, newest first."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        topic = get_row(session, Topic, topic_id, "事项不存在")
        changes = session.exec(
            select(CatalogueChange).where(CatalogueChange.topic_id == topic.id).order_by(CatalogueChange.version.desc())
        ).all()
        return [
            CatalogueChangeRow(
                version=c.version,
                at=format_instant(c.created_at),
                who=c.actor_label,
                changes=describe_change(c.before, c.after),
            )
            for c in changes
        ]


def keyword_matches(text: str, keywords: str) -> list[str]:
    return [word for word in split_keywords(keywords) if word in (text or "")]


NOT_OURS = "非本单位职责"  # a return kind (demands/handling.RETURN_KINDS)


@dataclass(frozen=True)
class _Declined:
    """Units that returned the demand: none leads it again unasked; one that said 非本单位职责 is not put
    down as its 协办 either (the enterprise would see it as helping with what it refused)."""

    lead: frozenset[int] = frozenset()
    co: frozenset[int] = frozenset()

    @classmethod
    def of(cls, session: Session, demand: Demand) -> _Declined:
        if demand.status != DemandStatus.RETURNED:
            return cls()
        rows = session.exec(
            select(WorkOrder.unit_id, WorkOrder.return_kind).where(
                WorkOrder.demand_id == demand.id, WorkOrder.status == W.RETURNED
            )
        ).all()
        return cls(lead=frozenset(u for u, _ in rows), co=frozenset(u for u, kind in rows if kind == NOT_OURS))

    def routed(self, lead_id: int, co_ids, level: str) -> tuple[str, str, str]:
        """(lead, co, level) of a catalogue rule without the declined units (no lead preselected then)."""
        lead = "" if lead_id in self.lead else str(lead_id)
        return lead, _joined(i for i in co_ids if i not in self.co and i != lead_id), level


def _keyword_suggestion(session: Session, demand: Demand, declined: _Declined) -> KeywordSuggestion | dict:
    """The active topic whose keywords match the demand's title and content most, when it beats the topic
    the enterprise chose (a tie keeps the chosen one)."""
    text = f"{demand.title} {demand.content}"
    rules = session.exec(
        select(DispatchRule, Topic).join(Topic, Topic.id == DispatchRule.topic_id).where(Topic.active == True)  # noqa: E712
    ).all()
    scored = [(keyword_matches(text, rule.keywords), rule, topic) for rule, topic in rules]
    chosen = next((len(m) for m, _, topic in scored if topic.id == demand.topic_id), 0)
    best = max(scored, key=lambda item: (len(item[0]), -item[2].sort_order), default=None)
    if best is None or len(best[0]) <= chosen or best[2].id == demand.topic_id:
        return {}
    matched, rule, topic = best
    lead_id, co, level = declined.routed(rule.lead_unit_id, rule.co_unit_ids, rule.level)
    lead = session.get(Unit, rule.lead_unit_id) if lead_id else None
    return KeywordSuggestion(
        topic_id=str(topic.id),
        topic=topic.name,
        lead=lead_id,
        lead_name=lead.name if lead else "另选(原承办单位已退回)",
        co=co,
        level=level,
        matched="、".join(matched),
    )


def dispatch_suggestions(*, actor: Actor, demand_id) -> tuple[DispatchSuggestion, KeywordSuggestion | dict, int]:
    """For the dispatch form: the chosen topic's routing, a keyword suggestion when another topic fits
    better (else {}), and the catalogue version both come from."""
    require_role(actor, Role.DISPATCHER)
    with session_scope() as session:
        demand = get_row(session, Demand, demand_id, "诉求不存在")
        rule = _rule_of(session, demand.topic_id)
        topic = session.get(Topic, demand.topic_id)
        routed = rule is not None and topic is not None and topic.active
        declined = _Declined.of(session, demand)
        lead, co, level = declined.routed(rule.lead_unit_id, rule.co_unit_ids, rule.level) if routed else ("", "", "")
        suggestion = DispatchSuggestion(lead=lead, co=co, level=level or LimitLevel.NORMAL)
        return suggestion, _keyword_suggestion(session, demand, declined), current_version(session)


def checked_version(session: Session, raw) -> int:
    """The catalogue version a dispatch form was prepared from: an existing version, else the current one."""
    latest = current_version(session)
    version = parse_id(raw)
    return version if version is not None and 1 <= version <= latest else latest
