"""The card ladder (seed 001 通报制度, DESIGN §4), the one place it is counted: a work order overdue earns
its unit a 黄牌 in the month it fell overdue; every ``yellow_per_red`` standing (not revoked) yellow cards
of a unit in a month make a 红牌, and every ``red_per_interview`` red cards an interview (约谈) of the
unit's principal. Red cards and interviews are never stored: they follow from the yellow cards, so
revoking a yellow card takes back what it led to. The thresholds are rules (``supervision.rules``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from portal.models.enums import CardColor
from portal.models.tables import Card


@dataclass(frozen=True)
class Ladder:
    """Where ``yellow`` standing yellow cards of one unit in one month stand on the ladder."""

    yellow: int
    red: int
    interviews: int

    @property
    def color(self) -> CardColor:
        return CardColor.RED if self.red else CardColor.YELLOW if self.yellow else CardColor.GREEN


def ladder(yellow: int, thresholds: dict[str, int]) -> Ladder:
    red = yellow // thresholds["yellow_per_red"]
    return Ladder(yellow=yellow, red=red, interviews=red // thresholds["red_per_interview"])


def standing_yellows(session: Session, months: list[str], unit_id: int | None = None) -> dict[tuple[int, str], int]:
    """(unit id, month) → yellow cards standing (not revoked), for the given months (and unit)."""
    query = (
        select(Card.unit_id, Card.month, func.count())
        .where(Card.month.in_(months), Card.color == CardColor.YELLOW, Card.revoked_at.is_(None))
        .group_by(Card.unit_id, Card.month)
    )
    if unit_id is not None:
        query = query.where(Card.unit_id == unit_id)
    return {(unit, month): n for unit, month, n in session.exec(query).all()}
