"""The 好差评 figures of every unit for a period (issue #23), merged into ``figures.unit_figures``:

- 满意率 = (非常满意 + 满意 + 基本满意) / rated; 差评率 = (不满意 + 非常不满意) / rated. Ratings by rating date
  and the round's lead unit. Left out of both: a rating whose appeal was upheld (申诉成立, ``excluded``)
  and a 默认好评 (counted apart); demands closed unrated have no rating.
- sub-scores (办理时效, 办理结果, 服务态度): the average of the ratings that gave one.
- 差评整改 over the cases opened in the period: 整改 (整改情况 fed back), 整改按期率 = fed back by the 整改期限 /
  cases due (fed back, or past the 整改期限), 差评回访率 = cases called back / cases fed back.
- 申诉: appeals made in the period (提出) and upheld (成立), by the appealing unit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, or_
from sqlmodel import Session, select

from portal.models.enums import AppealStatus
from portal.models.enums import RectificationStatus as R
from portal.models.tables import RatingAppeal, Rectification

EMPTY = {
    "rated": 0,
    "satisfied": 0,
    "bad": 0,
    "excluded": 0,
    "default_good": 0,
    "score_time": "—",
    "score_result": "—",
    "score_attitude": "—",
    "rectifications": 0,
    "rectified": 0,
    "rectify_due": 0,
    "rectified_on_time": 0,
    "revisited": 0,
    "appeals": 0,
    "appeals_upheld": 0,
}


def rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _average(value) -> str:
    return f"{float(value):.1f}" if value is not None else "—"


def _ratings(totals: dict[int, list], result: dict[int, dict]) -> None:
    """From the daily roll-up's ``totals`` (``rollup.rating_totals``)."""
    for unit_id, (rated, satisfied, bad, excluded, default, *scores, _) in totals.items():
        t_sum, t_n, r_sum, r_n, a_sum, a_n = scores
        result.setdefault(unit_id, dict(EMPTY)).update(
            rated=rated,
            satisfied=satisfied,
            bad=bad,
            excluded=excluded,
            default_good=default,
            score_time=_average(t_sum / t_n if t_n else None),
            score_result=_average(r_sum / r_n if r_n else None),
            score_attitude=_average(a_sum / a_n if a_n else None),
        )


def _cases(session: Session, lo: datetime, hi: datetime, moment: datetime, result: dict[int, dict]) -> None:
    reported = Rectification.reported_at.is_not(None)
    rows = session.exec(
        select(
            Rectification.unit_id,
            func.count(),
            _count(reported),
            _count(or_(reported, Rectification.due_at < moment)),
            _count(Rectification.on_time.is_(True)),
            _count(or_(Rectification.revisited_at.is_not(None), Rectification.status == R.CLOSED)),
        )
        .where(Rectification.created_at >= lo, Rectification.created_at < hi)
        .group_by(Rectification.unit_id)
    ).all()
    for unit_id, cases, fed_back, due, on_time, revisited in rows:
        result.setdefault(unit_id, dict(EMPTY)).update(
            rectifications=cases,
            rectified=fed_back or 0,
            rectify_due=due or 0,
            rectified_on_time=on_time or 0,
            revisited=revisited or 0,
        )


def _appeals(session: Session, lo: datetime, hi: datetime, result: dict[int, dict]) -> None:
    rows = session.exec(
        select(RatingAppeal.unit_id, func.count(), _count(RatingAppeal.status == AppealStatus.UPHELD))
        .where(RatingAppeal.created_at >= lo, RatingAppeal.created_at < hi)
        .group_by(RatingAppeal.unit_id)
    ).all()
    for unit_id, made, upheld in rows:
        result.setdefault(unit_id, dict(EMPTY)).update(appeals=made, appeals_upheld=upheld or 0)


def rating_counts(session: Session, lo: datetime, hi: datetime, moment: datetime, totals: dict) -> dict[int, dict]:
    """unit id → the 好差评 counts of ``EMPTY`` for [lo, hi) (the ratings' from the roll-up's ``totals``)."""
    result: dict[int, dict] = {}
    _ratings(totals, result)
    _cases(session, lo, hi, moment, result)
    _appeals(session, lo, hi, result)
    return result


def rates(counts: dict) -> dict[str, str]:
    """The rates shown beside the counts."""
    return {
        "satisfaction_rate": rate(counts["satisfied"], counts["rated"]),
        "bad_rate": rate(counts["bad"], counts["rated"]),
        "rectify_rate": rate(counts["rectified_on_time"], counts["rectify_due"]),
        "revisit_rate": rate(counts["revisited"], counts["rectified"]),
    }
