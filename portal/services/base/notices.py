"""In-app notices: writing them (idempotent by key) and reading a person's inbox.

A notice goes to one user or to a whole unit; a unit's notices are shared by its staff (one read marks
them read for all)."""

from __future__ import annotations

from sqlalchemy import func, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal import routes
from portal.core.clock import now
from portal.core.db import bulk_insert, one_of, session_scope
from portal.core.formatting import format_instant
from portal.models.enums import Role, UnitKind
from portal.models.records.common import NotificationRow, Page
from portal.models.tables import Demand, Notification, Unit, User
from portal.services.accounts.actor import Actor
from portal.services.base import outbox
from portal.services.base.paging import capped_count, paginate

# ── writing ─────────────────────────────────────────────────────────────────────────────────


def inbox_row(
    *, key: str, kind: str, title: str, body: str = "", link: str = "", user_id: int | None = None, unit_id=None
) -> dict:
    """The ``notification`` row of one notice, its texts cut to their columns."""
    return dict(
        user_id=user_id,
        unit_id=unit_id,
        kind=kind,
        title=title[:100],
        body=body[:1000],
        link=link,
        unique_key=key[:120],
        created_at=now(),
    )


def notify(
    session: Session,
    *,
    key: str,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    user_id: int | None = None,
    unit_id: int | None = None,
) -> None:
    """Idempotent by ``key``: sending the same notice twice stores it once. A plain INSERT, not an ORM
    object: nothing reads it back in the session."""
    if session.exec(select(Notification.id).where(Notification.unique_key == key[:120])).first():
        return
    row = inbox_row(key=key, kind=kind, title=title, body=body, link=link, user_id=user_id, unit_id=unit_id)
    session.exec(insert(Notification).values(**row))
    outbox.enqueue(session, [row])  # issue #27: e-mail and SMS, in this same transaction


def notify_many(session: Session, rows: list[dict]) -> None:
    """Many ``inbox_row``s at once (the scheduler's batches): one query for the keys already sent, one INSERT
    of the others; idempotent by key like ``notify``, and queued for e-mail and SMS like it."""
    keys = [row["unique_key"] for row in rows]
    stored = select(Notification.unique_key).where(one_of(session, Notification.unique_key, keys))
    sent = set(session.exec(stored).all())
    fresh = list({row["unique_key"]: row for row in rows if row["unique_key"] not in sent}.values())
    if fresh:
        bulk_insert(session, Notification.__table__, fresh)
        outbox.enqueue(session, fresh)


def renotify(session: Session, *, key: str, kind: str, title: str, body: str, link: str, unit_id: int) -> None:
    """One notice under ``key`` that grows: sent if new, else rewritten with the new words and unread again
    (two schedulers racing to send it first: the loser rewrites it)."""
    words = {"title": title[:100], "body": body[:1000], "read_at": None}
    if not session.exec(select(Notification.id).where(Notification.unique_key == key[:120])).first():
        try:
            with session.begin_nested():
                notify(session, key=key, kind=kind, title=title, body=body, link=link, unit_id=unit_id)
            return
        except IntegrityError:
            pass
    session.exec(update(Notification).where(Notification.unique_key == key[:120]).values(**words))
    outbox.rewrite_pending(session, key=key[:120], title=title, body=body)  # issue #27


def _about(demand: Demand, kind: str, title: str, body: str) -> dict:
    """A notice about the demand's current step: keyed by demand, kind, round and version."""
    return {"key": f"d{demand.id}:{kind}:{demand.round}:{demand.version}", "kind": kind, "title": title, "body": body}


def notify_enterprise(session: Session, demand: Demand, kind: str, title: str, body: str = "") -> None:
    """To the account that submitted the demand (or the enterprise's first account)."""
    user_id = demand.submitted_by_id
    if user_id is None or session.get(User, user_id).role != Role.ENTERPRISE:
        user_id = session.exec(
            select(User.id).where(User.enterprise_id == demand.enterprise_id).order_by(User.id)
        ).first()
    if user_id:
        notify(session, **_about(demand, kind, title, body), link=routes.my_demand(demand.id), user_id=user_id)


def centre_unit_id(session: Session) -> int | None:
    """The 推进中心 (the first unit of its kind): it hears of every new demand, sign timeout and card."""
    return session.exec(select(Unit.id).where(Unit.kind == UnitKind.CENTER).order_by(Unit.id)).first()


def notify_center(session: Session, demand: Demand, kind: str, title: str, body: str = "") -> None:
    """To the 推进中心's staff, about one demand."""
    if unit_id := centre_unit_id(session):
        notify(session, **_about(demand, kind, title, body), link=routes.staff_demand(demand.id), unit_id=unit_id)


def notify_center_of_batch(session: Session, *, key: str, kind: str, title: str, body: str, link: str) -> None:
    """To the 推进中心's staff, about many demands at once (a ledger import): one notice, not one per demand."""
    if unit_id := centre_unit_id(session):
        notify(session, key=key, kind=kind, title=title, body=body, link=link, unit_id=unit_id)


def notify_unit(
    session: Session, demand: Demand, *, key: str, kind: str, unit_id: int, title: str, body: str = ""
) -> None:
    """To a handling unit, linking to the staff page of the demand."""
    notify(session, key=key, kind=kind, unit_id=unit_id, title=title, body=body, link=routes.staff_demand(demand.id))


# ── reading ─────────────────────────────────────────────────────────────────────────────────


def _mine(actor: Actor):
    if actor.unit_id:
        return or_(Notification.user_id == actor.user_id, Notification.unit_id == actor.unit_id)
    return Notification.user_id == actor.user_id


def unread_count(*, actor: Actor) -> int:
    with session_scope() as session:
        return session.exec(
            select(func.count()).select_from(Notification).where(_mine(actor), Notification.read_at.is_(None))
        ).one()


def _rows(_session: Session, notices: list[Notification]) -> list[NotificationRow]:
    return [
        NotificationRow(
            id=n.id,
            title=n.title,
            body=n.body,
            link=n.link,
            at=format_instant(n.created_at),
            unread=n.read_at is None,
            kind=n.kind,
        )
        for n in notices
    ]


def _newest_first(*where):
    return select(Notification).where(*where).order_by(Notification.created_at.desc(), Notification.id.desc())


def list_notifications(*, actor: Actor, limit: int = 50) -> list[NotificationRow]:
    """The newest ``limit`` notices (the home page's 未读消息 card)."""
    with session_scope() as session:
        return _rows(session, session.exec(_newest_first(_mine(actor)).limit(limit)).all())


def notification_page(*, actor: Actor, page=1, unread_only: bool = False) -> Page:
    """消息: one page of the viewer's notices, newest first (20 a page, the count capped like every list);
    ``unread_only``: 只看未读."""
    where = [_mine(actor)] + ([Notification.read_at.is_(None)] if unread_only is True else [])
    with session_scope() as session:
        return paginate(session, _newest_first(*where), capped_count(Notification.id, *where), page, _rows)


def mark_all_read(*, actor: Actor) -> None:
    with session_scope() as session:
        session.exec(update(Notification).where(_mine(actor), Notification.read_at.is_(None)).values(read_at=now()))
