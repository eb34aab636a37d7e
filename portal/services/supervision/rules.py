"""时限规则 under /admin (issue #12): the working-day limits of each level and step, and the supervision
thresholds. A change applies to orders dispatched after it (each order keeps the limit it was given,
``work_order.limit_days``); every change is audited, before → after."""

from __future__ import annotations

from sqlmodel import select

from portal.core.db import session_scope
from portal.core.ids import parse_bounded_int
from portal.models.enums import LimitLevel, Role
from portal.models.records.admin import RuleRow
from portal.models.records.supervision import LimitPromise
from portal.models.tables import RuleSetting, TimeLimitRule
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role
from portal.services.base.audit import record_audit
from portal.services.base.errors import ValidationFailed
from portal.services.demands.default_rating import DEFAULTS as DEFAULT_RATING
from portal.services.demands.workflow import DEFAULT_LIMITS
from portal.services.supervision.sweep import RULE_DEFAULTS

# key → (label, unit, lowest, highest). 即时 is “the same working day” by definition and is not editable.
LIMIT_RULES = {
    LimitLevel.NORMAL: ("一般诉求办理时限", "个工作日", 1, 60),
    LimitLevel.COMPLEX: ("复杂诉求办理时限", "个工作日", 1, 60),
    LimitLevel.HARD: ("疑难诉求办理时限", "个工作日", 1, 60),
    LimitLevel.REDO: ("重办/差评整改时限", "个工作日", 1, 60),
    LimitLevel.SIGN: ("签收时限", "个工作日", 1, 60),
    LimitLevel.RATE: ("评价期限(逾期转电话回访)", "个工作日", 1, 60),
    LimitLevel.CO_OPINION: ("协办意见时限", "个工作日", 1, 60),
    LimitLevel.APPEAL: ("差评申诉期限(差评后)", "个工作日", 1, 60),
    LimitLevel.WINDOW: ("办不成事窗口诉求反馈时限", "个工作日", 1, 60),
}
SETTING_RULES = {
    "warning_days": ("预警提前", "个工作日", 1, 10),
    "yellow_per_red": ("每满几张黄牌升一张红牌", "张", 1, 10),
    "red_per_interview": ("每满几张红牌约谈主要负责人", "张", 1, 10),
    "default_good_on": ("默认好评开关(1开启,0关闭)", "", 0, 1),
    "default_good_days": ("默认好评:答复后未评价满", "个工作日", 1, 60),
}
SETTING_DEFAULTS = {**RULE_DEFAULTS, **DEFAULT_RATING}


def list_rules(*, actor: Actor) -> list[RuleRow]:
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        limits = dict(session.exec(select(TimeLimitRule.level, TimeLimitRule.working_days)).all())
        settings = dict(session.exec(select(RuleSetting.key, RuleSetting.value)).all())
    rows = [
        RuleRow(key=str(key), label=label, value=limits.get(key, DEFAULT_LIMITS[key]), unit=unit, low=low, high=high)
        for key, (label, unit, low, high) in LIMIT_RULES.items()
    ]
    rows += [
        RuleRow(key=key, label=label, value=settings.get(key, SETTING_DEFAULTS[key]), unit=unit, low=low, high=high)
        for key, (label, unit, low, high) in SETTING_RULES.items()
    ]
    return rows


def update_rule(*, actor: Actor, key: str, value) -> None:
    """Change one rule; a value out of its range is refused with nothing written."""
    require_role(actor, Role.ADMIN)
    spec = LIMIT_RULES.get(key) or SETTING_RULES.get(key)
    if spec is None:
        raise ValidationFailed({"key": "请选择规则"})
    label, unit, low, high = spec
    number = parse_bounded_int(value.strip() if isinstance(value, str) else value, low=low, high=high)
    if number is None:
        raise ValidationFailed({"value": f"{label}须为{low}–{high}{unit}"})
    with session_scope() as session:
        if key in LIMIT_RULES:
            row = session.exec(select(TimeLimitRule).where(TimeLimitRule.level == key)).first()
            row = row or TimeLimitRule(level=key, working_days=DEFAULT_LIMITS[LimitLevel(key)], description=label)
            before, row.working_days = row.working_days, number
        else:
            row = session.get(RuleSetting, key) or RuleSetting(key=key, value=SETTING_DEFAULTS[key], description=label)
            before, row.value = row.value, number
        session.add(row)
        record_audit(session, actor, "时限规则", label, f"{before}{unit} → {number}{unit}(此后派发的工单适用)")


def public_promise() -> list[LimitPromise]:
    """办理时限 as promised to everyone (home page, the enterprise's guide), from the rules in force."""
    with session_scope() as session:
        days = {**DEFAULT_LIMITS, **dict(session.exec(select(TimeLimitRule.level, TimeLimitRule.working_days)).all())}
    return [
        LimitPromise(what="签收", limit=f"派单后{days[LimitLevel.SIGN]}个工作日内"),
        LimitPromise(what="即时类诉求", limit="当日办结"),
        LimitPromise(what="一般诉求", limit=f"{days[LimitLevel.NORMAL]}个工作日内办结"),
        LimitPromise(what="复杂诉求", limit=f"{days[LimitLevel.COMPLEX]}个工作日内办结"),
        LimitPromise(what="疑难及历史遗留问题", limit=f"{days[LimitLevel.HARD]}个工作日内办结"),
        LimitPromise(what="评价不满意", limit=f"{days[LimitLevel.REDO]}个工作日内重新办理"),
        LimitPromise(what="评价", limit=f"答复后{days[LimitLevel.RATE]}个工作日内,逾期由推进中心电话回访"),
    ]
