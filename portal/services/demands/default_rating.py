"""默认好评 (issue #23): some provinces count a service the enterprise did not rate as 满意 after N working
days. Off by default; switched on, with its days, under /admin 时限规则 (``rule_setting`` keys
``default_good_on`` and ``default_good_days``). When on, a demand still 待评价 N working days after the reply
(never fewer than the 评价 window, which opens the phone 回访 as before) is rated 满意 with source 默认好评;
such ratings are reported apart and left out of 满意率 / 差评率. A demand in a 差评整改 case is never
rated by default (every 差评 is called back). When off, today's rule stands: phone 回访, and three failed
calls close the demand unrated."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import DemandStatus as S
from portal.models.enums import LimitLevel, RatingSource, Satisfaction
from portal.models.tables import Demand, RuleSetting
from portal.services.base.errors import Conflict
from portal.services.calendar.store import get_calendar
from portal.services.demands import rectification
from portal.services.demands.rating import apply_rating
from portal.services.demands.workflow import limit_days

log = logging.getLogger("portal.sweeps")
DEFAULTS = {"default_good_on": 0, "default_good_days": 15}
BATCH = 500


def settings(session: Session) -> tuple[bool, int]:
    stored = {row.key: row.value for row in session.exec(select(RuleSetting).where(RuleSetting.key.in_(DEFAULTS)))}
    values = {**DEFAULTS, **stored}
    return values["default_good_on"] == 1, max(1, values["default_good_days"])


def apply_default_ratings() -> int:
    """Rate 默认好评 every demand whose N working days have passed; each in its own transaction."""
    moment, done = now(), 0
    with session_scope() as session:
        enabled, days = settings(session)
        if not enabled:
            return 0
        extra = max(0, days - limit_days(session, LimitLevel.RATE))
        waiting = session.exec(
            select(Demand.id, Demand.rate_due_at)
            .where(Demand.status == S.FEEDBACK, Demand.rate_due_at < moment)
            .limit(BATCH)
        ).all()
        calendar = get_calendar(session)
        due = [i for i, rate_due in waiting if calendar.add_working_days(rate_due, extra) < moment]
    for demand_id in due:
        try:
            with session_scope() as session:
                demand = session.get(Demand, demand_id)
                if demand.status != S.FEEDBACK or rectification.open_case(session, demand) is not None:
                    continue
                apply_rating(
                    session, demand, None, satisfaction=Satisfaction.SATISFIED, contacted=True, comment="",
                    source=RatingSource.DEFAULT,
                )  # fmt: skip
                done += 1
        except (IntegrityError, Conflict):
            continue  # rated meanwhile
        except Exception:
            log.exception("the default rating of demand %s failed", demand_id)
    return done
