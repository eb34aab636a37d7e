"""The figures of every unit for a period (DESIGN §4, seed 001 三率, seed 002 承诺用时 vs 实际用时) and the
monthly bulletin (一月一通报) that freezes them.

Counted over the lead (主办) orders dispatched in the period, one grouped query per table:
- 收件 received: orders the unit kept (returned or cancelled orders are counted apart, as 退回).
- 按时签收 signed on or before the sign deadline; 按时签收率 = 按时签收 / 收件.
- 办结 fed back; 按期办结 fed back by the due date; 超期 fed back late, or still open past the due date.
  按期办结率 = 按期办结 / (办结 + 超期未办结): an order still open past its date counts against the unit.
- 承诺用时: the working days its level allowed, averaged; 实际用时: working days from dispatch to feedback
  (fixed on the order when the reply is given), average and maximum.
- 满意率, 差评率, sub-scores, 差评整改 and 申诉: ``rating_figures`` (a rating whose appeal was upheld and a
  默认好评 are left out of the rates; demands closed as unreachable have no rating).
- 黄牌 standing (not revoked) in the period's months; 红牌 per month = yellows // ``yellow_per_red``.
Ranking: 按期办结率, then 满意率, then 按时签收率 (undefined rates last), then 收件.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import case, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant, local_zone
from portal.models.enums import DemandStatus, Role, UnitKind
from portal.models.records.supervision import BulletinRow, CountPoint, MonthPoint, PeriodSummary, UnitFigures
from portal.models.tables import BulletinSnapshot, Demand, TimeLimitRule, Topic, Unit
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role
from portal.services.base.errors import ValidationFailed
from portal.services.demands.workflow import DEFAULT_LIMITS
from portal.services.enterprises.consultation import consult_counts
from portal.services.supervision import rollup
from portal.services.supervision.cards import ladder, standing_yellows
from portal.services.supervision.rating_figures import EMPTY, rates, rating_counts
from portal.services.supervision.sweep import rules

PERIOD_KINDS = {"month": "月", "quarter": "季度", "half": "半年", "year": "年"}
MAX_RANGE_DAYS = 3 * 366


def period_bounds(kind: str, anchor: date) -> tuple[date, date, str]:
    """[start, end) and a label for the month / quarter / half year / year containing ``anchor``."""
    year = anchor.year
    if kind == "year":
        return date(year, 1, 1), date(year + 1, 1, 1), f"{year}年"
    if kind == "half":
        first = 1 if anchor.month <= 6 else 7
        return date(year, first, 1), _add_months(date(year, first, 1), 6), f"{year}年{'上' if first == 1 else '下'}半年"
    if kind == "quarter":
        q = (anchor.month - 1) // 3
        return date(year, 3 * q + 1, 1), _add_months(date(year, 3 * q + 1, 1), 3), f"{year}年第{q + 1}季度"
    start = date(year, anchor.month, 1)
    return start, _add_months(start, 1), f"{year}年{anchor.month}月"


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


_instant = rollup.start_of


def _months(start: date, end: date) -> list[str]:
    months, day = [], date(start.year, start.month, 1)
    while day < end:
        months.append(day.strftime("%Y-%m"))
        day = _add_months(day, 1)
    return months


def _rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _order_counts(session: Session, start: date, end: date, moment: datetime, totals: dict) -> dict[int, tuple]:
    """unit id → (received, signed on time, closed, closed on time, overdue, open late, returned, promised
    days avg, used days avg, used days max) over the lead orders dispatched in [start, end), from the daily
    roll-up's ``totals`` (``rollup.order_totals``) and the orders open past their date at ``moment``."""
    rules_rows = session.exec(select(TimeLimitRule.level, TimeLimitRule.working_days)).all()
    limits = {**{k.value: v for k, v in DEFAULT_LIMITS.items()}, **dict(rules_rows)}
    units: dict[int, list] = {}
    for (unit_id, level), (*sums, used_max) in totals.items():
        row = units.setdefault(unit_id, [0] * 9 + [None])
        for i, value in enumerate([*sums, sums[0] * limits.get(level, 0)]):
            row[i] += value
        if used_max is not None:
            row[9] = used_max if row[9] is None else max(row[9], used_max)
    late = rollup.open_late(session, start, end, moment)
    result = {}
    for unit_id, row in units.items():
        received, signed_ok, closed, closed_ok, closed_late, returned, used_sum, used_count, promised, used_max = row
        open_late = late.get(unit_id, 0)
        result[unit_id] = (
            received, signed_ok, closed, closed_ok, closed_late + open_late, open_late, returned,
            promised / received if received else None, used_sum / used_count if used_count else None, used_max,
        )  # fmt: skip
    return result


def _card_counts(session: Session, start: date, end: date) -> dict[int, tuple[int, int]]:
    """unit id → (yellow cards standing, red cards) in the months of [start, end)."""
    thresholds = rules(session)
    counts: dict[int, tuple[int, int]] = {}
    for (unit_id, _month), n in standing_yellows(session, _months(start, end)).items():
        yellow, red = counts.get(unit_id, (0, 0))
        counts[unit_id] = (yellow + n, red + ladder(n, thresholds).red)
    return counts


def _days(value) -> str:
    return f"{float(value):.1f}" if value is not None else "—"


def unit_figures(session: Session, start: date, end: date, moment: datetime | None = None) -> list[UnitFigures]:
    """Every handling unit's figures for [start, end), ranked."""
    lo, hi = _instant(start), _instant(end)
    moment = moment or now()
    order_totals, rating_totals = rollup.period_totals(session, start, end)
    orders = _order_counts(session, start, end, moment, order_totals)
    ratings, card_counts = rating_counts(session, lo, hi, moment, rating_totals), _card_counts(session, start, end)
    units = session.exec(select(Unit).where(Unit.kind != UnitKind.CENTER).order_by(Unit.sort_order, Unit.id)).all()
    consulted = {c["unit_id"]: c["total"] for c in consult_counts(session, start, end)}
    figures = []
    for unit in units:
        counts = [value or 0 for value in orders.get(unit.id, (0,) * 7)[:7]]
        received, signed_ok, closed, closed_ok, overdue, open_late, returned = counts
        promised, used_avg, used_max = orders.get(unit.id, (None,) * 10)[7:]
        if not unit.active and not received and not returned:
            continue
        rating = ratings.get(unit.id, EMPTY)
        yellow, red = card_counts.get(unit.id, (0, 0))
        figures.append(
            UnitFigures(
                rank=0,
                unit_id=unit.id,
                unit=unit.name,
                received=received,
                signed_on_time=signed_ok,
                closed=closed,
                closed_on_time=closed_ok,
                overdue=overdue,
                returned=returned,
                promised_days=_days(promised),
                avg_days=_days(used_avg),
                max_days=used_max or 0,
                sign_rate=_rate(signed_ok, received),
                close_rate=_rate(closed_ok, closed + open_late),
                yellow=yellow,
                red=red,
                consultations=str(consulted[unit.id]) if unit.id in consulted else "—",
                **rating,
                **rates(rating),
            )
        )
    return _ranked(figures)


def _ranked(figures: list[UnitFigures]) -> list[UnitFigures]:
    def value(rate: str) -> float:
        return float(rate.rstrip("%")) if rate != "—" else -1.0

    figures.sort(
        key=lambda f: (
            -value(f["close_rate"]),
            -value(f["satisfaction_rate"]),
            -value(f["sign_rate"]),
            -f["received"],
            f["unit_id"],
        )
    )
    for i, row in enumerate(figures, start=1):
        row["rank"] = i
    return figures


def figures_for(*, actor: Actor, start: date, end: date) -> list[UnitFigures]:
    """统计: leaders and the 推进中心; any range up to three years."""
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    if end <= start:
        raise ValidationFailed({"end": "结束日期须晚于开始日期"})
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed({"end": "统计区间最长三年"})
    with session_scope() as session:
        return unit_figures(session, start, end)


# ── 一月一通报 ────────────────────────────────────────────────────────────────────────────


def take_monthly_bulletin(*, month: str | None = None) -> int:
    """Freeze last month's figures (or ``month``'s, YYYY-MM) once: rows already taken are never
    recomputed. Returns the number of unit rows stored by this call."""
    if month is None:
        first = now().astimezone(local_zone()).date().replace(day=1)
        month = (first - timedelta(days=1)).strftime("%Y-%m")
    start = date(int(month[:4]), int(month[5:7]), 1)
    with session_scope() as session:
        if session.exec(select(BulletinSnapshot.id).where(BulletinSnapshot.period == month)).first():
            return 0
        rows = unit_figures(session, start, _add_months(start, 1))
    try:
        with session_scope() as session:
            for row in rows:
                session.add(BulletinSnapshot(period=month, unit_id=row["unit_id"], figures=dict(row), created_at=now()))
    except IntegrityError:
        return 0  # another scheduler took it first
    return len(rows)


def bulletins(*, actor: Actor) -> list[BulletinRow]:
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    with session_scope() as session:
        rows = session.exec(
            select(BulletinSnapshot.period, func.count(), func.min(BulletinSnapshot.created_at))
            .group_by(BulletinSnapshot.period)
            .order_by(BulletinSnapshot.period.desc())
        ).all()
    return [BulletinRow(period=p, units=n, taken_at=format_instant(at)) for p, n, at in rows]


def bulletin(*, actor: Actor, period: str) -> list[UnitFigures]:
    """A stored bulletin as it was taken, ranked as it was."""
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    with session_scope() as session:
        rows = session.exec(select(BulletinSnapshot.figures).where(BulletinSnapshot.period == str(period)[:10])).all()
    # Bulletins taken before issue #22 have no 征询 column, before issue #23 no 好差评 columns: they read as
    # none / undefined.
    blank = {"consultations": "—", **EMPTY, **rates(EMPTY)}
    return sorted((UnitFigures(**{**blank, **row}) for row in rows), key=lambda f: f["rank"])


# ── the public figures (home page) and the monthly series (charts) ─────────────────────────────

PUBLIC_CACHE_SECONDS = 300
_public_cache: dict[str, tuple[float, list[PeriodSummary]]] = {}


def _summary(label: str, period: str, rows: list[UnitFigures]) -> PeriodSummary:
    received = sum(r["received"] for r in rows)
    closed = sum(r["closed"] for r in rows)
    on_time = sum(r["closed_on_time"] for r in rows)
    open_late = sum(r["overdue"] for r in rows) - sum(r["closed"] - r["closed_on_time"] for r in rows)
    rated, satisfied = sum(r["rated"] for r in rows), sum(r["satisfied"] for r in rows)
    cases, rectified = sum(r["rectifications"] for r in rows), sum(r["rectified"] for r in rows)
    weighted = [(float(r["avg_days"]), r["closed"]) for r in rows if r["avg_days"] != "—" and r["closed"]]
    days = sum(a * n for a, n in weighted) / sum(n for _, n in weighted) if weighted else None
    return PeriodSummary(
        label=label,
        period=period,
        received=received,
        closed=closed,
        close_rate=_rate(on_time, closed + max(0, open_late)).rstrip("%"),
        satisfaction_rate=_rate(satisfied, rated).rstrip("%"),
        avg_days=_days(days),
        rectify_rate=_rate(rectified, cases).rstrip("%"),
    )


def public_summary() -> list[PeriodSummary]:
    """本月 and 本年 for everyone (no login): received, closed, 按期办结率, 满意率, 差评整改率, average working
    days to close, from the same figures as the units'; cached for five minutes per process."""
    import time

    from portal.core.settings import get_settings

    key = get_settings().database_url
    cached = _public_cache.get(key)
    if cached and time.monotonic() - cached[0] < PUBLIC_CACHE_SECONDS:
        return cached[1]
    today = now().astimezone(local_zone()).date()
    result = []
    with session_scope() as session:
        for kind, label in (("month", "本月"), ("year", "本年")):
            start, end, name = period_bounds(kind, today)
            result.append(_summary(label, name, unit_figures(session, start, end)))
    _public_cache[key] = (time.monotonic(), result)
    return result


def monthly_series(*, actor: Actor, months: int = 12) -> list[MonthPoint]:
    """The last ``months`` months: demands received and closed by the units (lead orders), for the chart."""
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    first = now().astimezone(local_zone()).date().replace(day=1)
    starts = [_add_months(first, -i) for i in range(months - 1, -1, -1)]
    points = []
    with session_scope() as session:
        for start in starts:
            rows = unit_figures(session, start, _add_months(start, 1))
            points.append(
                MonthPoint(
                    month=start.strftime("%Y-%m"),
                    received=sum(r["received"] for r in rows),
                    closed=sum(r["closed"] for r in rows),
                )
            )
    return points


def breakdown(*, actor: Actor, start: date, end: date) -> dict[str, list[CountPoint]]:
    """Demands received in [start, end) and how many are closed, by topic class, by topic and by channel
    (most received first)."""
    require_role(actor, Role.DISPATCHER, Role.LEADER)
    closed = func.sum(case((Demand.status == DemandStatus.CLOSED, 1), else_=0))
    period = (Demand.created_at >= _instant(start), Demand.created_at < _instant(end))
    result = {}
    with session_scope() as session:
        for key, column, join in (
            ("topic_class", Topic.topic_class, True),
            ("topic", Topic.name, True),
            ("channel", Demand.channel, False),
        ):
            query = select(column, func.count(), closed).select_from(Demand)
            if join:
                query = query.join(Topic, Topic.id == Demand.topic_id)
            rows = session.exec(query.where(*period).group_by(column).order_by(func.count().desc())).all()
            result[key] = [CountPoint(name=name or "未分类", received=n, closed=int(c or 0)) for name, n, c in rows]
    return result
