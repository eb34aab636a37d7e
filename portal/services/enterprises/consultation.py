"""本周征询 (seed 001: 各镇街每周征询不少于一次): how many visits and meetings each 镇街's people held in a week
(Monday–Sunday, portal time zone) or any period, and the weekly reminder to a 镇街 that has held none by
Thursday — claimed by inserting ``ConsultReminder`` (unit, week), so running twice reminds once."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal import routes
from portal.core.calendar import local_date
from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import UnitKind
from portal.models.records.collection import ConsultCount
from portal.models.tables import ConsultReminder, Meeting, Unit, Visit
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role
from portal.services.base.notices import notify
from portal.services.enterprises.collected import READERS

log = logging.getLogger("portal.sweeps")
REMIND_FROM_WEEKDAY = 3  # Thursday (Monday is 0)


def week_of(day: date) -> tuple[date, date]:
    """[Monday, next Monday) of the week ``day`` is in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


def consult_counts(session: Session, start: date, end: date) -> list[ConsultCount]:
    """Every active 镇街 with its visits and meetings held on days in [start, end), in the units' order."""
    towns = session.exec(
        select(Unit).where(Unit.kind == UnitKind.TOWN, Unit.active == True).order_by(Unit.sort_order, Unit.id)  # noqa: E712
    ).all()

    def per_unit(model, day_column) -> dict[int, int]:
        query = select(model.unit_id, func.count()).where(day_column >= start, day_column < end)
        return dict(session.exec(query.group_by(model.unit_id)).all())

    visits, meetings = per_unit(Visit, Visit.visited_on), per_unit(Meeting, Meeting.held_on)
    return [
        ConsultCount(
            unit_id=u.id,
            unit=u.name,
            visits=visits.get(u.id, 0),
            meetings=meetings.get(u.id, 0),
            total=visits.get(u.id, 0) + meetings.get(u.id, 0),
        )
        for u in towns
    ]


def week_counts(*, actor: Actor, day: date | None = None) -> list[ConsultCount]:
    """本周征询: the counts of the current week (or the week of ``day``)."""
    require_role(actor, *READERS)
    start, end = week_of(day or local_date(now()))
    with session_scope() as session:
        return consult_counts(session, start, end)


def send_consult_reminders(*, day: date | None = None) -> int:
    """From Thursday on, each 镇街 with no visit or meeting this week gets one 站内消息 (to its staff) per
    week. The ``ConsultReminder`` row is the claim: a second run, or a second scheduler, inserts nothing and
    sends nothing. Each 镇街 in a transaction of its own. Returns the number of reminders sent."""
    day = day or local_date(now())
    if day.weekday() < REMIND_FROM_WEEKDAY:
        return 0
    start, end = week_of(day)
    with session_scope() as session:
        idle = [c for c in consult_counts(session, start, end) if c["total"] == 0]
        claimed = set(session.exec(select(ConsultReminder.unit_id).where(ConsultReminder.week_start == start)).all())
    sent = 0
    for count in idle:
        if count["unit_id"] in claimed:
            continue
        try:
            with session_scope() as session:
                session.add(ConsultReminder(unit_id=count["unit_id"], week_start=start, created_at=now()))
                session.flush()  # the claim: a unit already reminded this week fails here
                notify(
                    session,
                    key=f"consult:u{count['unit_id']}:{start.isoformat()}",
                    kind="征询提醒",
                    title=f"{count['unit']}本周尚未开展征询",
                    body=f"各镇街每周征询不少于一次。本周({start.isoformat()}起)尚无走访或座谈会记录,请及时开展。",
                    link=routes.STAFF_VISITS,
                    unit_id=count["unit_id"],
                )
            sent += 1
        except IntegrityError:
            continue  # another run claimed this week first
        except Exception:
            log.exception("the 征询 reminder of unit %s failed", count["unit_id"])
    return sent
