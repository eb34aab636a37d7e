"""The outbox (issue #27): the notices that matter outside the portal are queued for 邮件 and 短信 by
``notices.notify`` in the notice's own transaction, so a rolled-back event leaves no message and a sent
notice always has its messages. ``portal.services.delivery`` sends them.

Which notices go out is decided here, by kind, in a few categories a person can switch off; a unit's
notice goes to each active account of the unit that wants it, on each channel that is configured and
for which the account has an address. One row per (notice, person, channel): the notice's key is unique,
so a repeated notice queues nothing."""

from __future__ import annotations

from sqlalchemy import or_, update
from sqlmodel import Session, select

from portal.core.channels import get_channel_settings
from portal.core.clock import now
from portal.core.db import bulk_insert
from portal.core.security import is_mobile
from portal.models.enums import DeliveryChannel, DeliveryStatus
from portal.models.tables import DeliveryPreference, OutboxMessage, User

# category → the notice kinds in it (the kinds ``notify`` is called with across the services)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "新工单": ("新工单",),
    "督办预警": ("预警", "签收超时", "超期催办", "催办", "协办超时"),
    "红牌约谈": ("红牌", "约谈"),
    "差评整改": ("重办", "办结核查"),
    "诉求答复": ("请评价", "已办结", "不予受理"),
}
CATEGORY_OF = {kind: category for category, kinds in CATEGORIES.items() for kind in kinds}
ENTERPRISE_CATEGORIES = ("诉求答复",)
STAFF_CATEGORIES = tuple(c for c in CATEGORIES if c not in ENTERPRISE_CATEGORIES)


def configured_channels() -> tuple[str, ...]:
    settings = get_channel_settings()
    return tuple(
        channel
        for channel, on in ((DeliveryChannel.EMAIL, settings.email_on), (DeliveryChannel.SMS, settings.sms_on))
        if on
    )


def _recipients(session: Session, notices: list[dict]) -> tuple[dict, dict]:
    """The active accounts the notices address, in one query: (by user id, by unit id → accounts by id)."""
    user_ids = {n["user_id"] for n in notices if n["user_id"] is not None}
    unit_ids = {n["unit_id"] for n in notices if n["user_id"] is None and n["unit_id"] is not None}
    if not user_ids and not unit_ids:
        return {}, {}
    query = (
        select(
            User.id,
            User.email,
            User.phone,
            DeliveryPreference.email_on,
            DeliveryPreference.sms_on,
            DeliveryPreference.categories_off,
            User.unit_id,
        )
        .outerjoin(DeliveryPreference, DeliveryPreference.user_id == User.id)
        .where(User.is_active, or_(User.id.in_(user_ids or [0]), User.unit_id.in_(unit_ids or [0])))
        .order_by(User.id)
    )
    by_user, by_unit = {}, {}
    for person in session.exec(query).all():
        by_user[person[0]] = person
        by_unit.setdefault(person[6], []).append(person)
    return by_user, by_unit


def _wanted(person, category: str, channels: tuple[str, ...]) -> list[str]:
    _id, email, phone, email_on, sms_on, categories_off, _unit = person
    if category in (categories_off or "").split(","):
        return []
    wanted = []
    if DeliveryChannel.EMAIL in channels and email and email_on is not False:
        wanted.append(DeliveryChannel.EMAIL)
    if DeliveryChannel.SMS in channels and is_mobile(phone or "") and sms_on is not False:
        wanted.append(DeliveryChannel.SMS)
    return wanted


def _addressed(notice: dict, by_user: dict, by_unit: dict) -> list:
    """A notice to a person reaches that person if active; one to a unit, the unit's active accounts."""
    if notice["user_id"] is not None:
        return [by_user[notice["user_id"]]] if notice["user_id"] in by_user else []
    return by_unit.get(notice["unit_id"], [])


def enqueue(session: Session, notices: list[dict]) -> int:
    """Queue the messages of notices just written (``notices.inbox_row`` dicts, in their transaction): one
    query for every recipient of the batch, one INSERT; returns how many."""
    channels = configured_channels()
    notices = [n for n in notices if CATEGORY_OF.get(n["kind"])] if channels else []
    if not notices:
        return 0
    by_user, by_unit = _recipients(session, notices)
    moment = now()
    rows = [
        dict(
            notice_key=notice["unique_key"],
            user_id=person[0],
            channel=str(channel),
            kind=notice["kind"][:20],
            title=notice["title"][:100],
            body=notice["body"][:1000],
            link=notice["link"][:200],
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=moment,
            claim="",
            last_error="",
            created_at=moment,
        )
        for notice in notices
        for person in _addressed(notice, by_user, by_unit)
        for channel in _wanted(person, CATEGORY_OF[notice["kind"]], channels)
    ]
    if rows:
        bulk_insert(session, OutboxMessage.__table__, rows)
    return len(rows)


def rewrite_pending(session: Session, *, key: str, title: str, body: str) -> None:
    """A notice rewritten by ``notices.renotify``: messages not sent yet carry the new words. Sent ones are
    not sent again (the inbox shows the grown notice; a second text message for it would be noise)."""
    session.exec(
        update(OutboxMessage)
        .where(OutboxMessage.notice_key == key, OutboxMessage.status == DeliveryStatus.PENDING)
        .values(title=title[:100], body=body[:1000])
    )
