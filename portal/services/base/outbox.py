"""The outbox (issue #27): the notices that matter outside the portal are queued for 邮件 and 短信 by
``notices.notify`` in the notice's own transaction, so a rolled-back event leaves no message and a sent
notice always has its messages. ``portal.services.delivery`` sends them.

Which notices go out is decided here, by kind, in a few categories a person can switch off; a unit's
notice goes to each active account of the unit that wants it, on each channel that is configured and
for which the account has an address. One row per (notice, person, channel): the notice's key is unique,
so a repeated notice queues nothing."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlmodel import Session, select

from portal.core.channels import get_channel_settings
from portal.core.clock import now
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


def _recipients(session: Session, user_id: int | None, unit_id: int | None):
    query = (
        select(
            User.id,
            User.email,
            User.phone,
            DeliveryPreference.email_on,
            DeliveryPreference.sms_on,
            DeliveryPreference.categories_off,
        )
        .outerjoin(DeliveryPreference, DeliveryPreference.user_id == User.id)
        .where(User.is_active)
    )
    if user_id is not None:
        return session.exec(query.where(User.id == user_id)).all()
    if unit_id is not None:
        return session.exec(query.where(User.unit_id == unit_id).order_by(User.id)).all()
    return []


def _wanted(person, category: str, channels: tuple[str, ...]) -> list[str]:
    _id, email, phone, email_on, sms_on, categories_off = person
    if category in (categories_off or "").split(","):
        return []
    wanted = []
    if DeliveryChannel.EMAIL in channels and email and email_on is not False:
        wanted.append(DeliveryChannel.EMAIL)
    if DeliveryChannel.SMS in channels and is_mobile(phone or "") and sms_on is not False:
        wanted.append(DeliveryChannel.SMS)
    return wanted


def enqueue(
    session: Session, *, key: str, kind: str, title: str, body: str, link: str, user_id: int | None, unit_id: int | None
) -> int:
    """Queue the messages of a notice just written (in its transaction); returns how many."""
    category = CATEGORY_OF.get(kind)
    channels = configured_channels() if category else ()
    if not channels:
        return 0
    moment = now()
    rows = [
        dict(
            notice_key=key,
            user_id=person[0],
            channel=str(channel),
            kind=kind[:20],
            title=title[:100],
            body=body[:1000],
            link=link[:200],
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=moment,
            claim="",
            last_error="",
            created_at=moment,
        )
        for person in _recipients(session, user_id, unit_id)
        for channel in _wanted(person, category, channels)
    ]
    if rows:
        session.exec(insert(OutboxMessage), params=rows)
    return len(rows)


def rewrite_pending(session: Session, *, key: str, title: str, body: str) -> None:
    """A notice rewritten by ``notices.renotify``: messages not sent yet carry the new words. Sent ones are
    not sent again (the inbox shows the grown notice; a second text message for it would be noise)."""
    session.exec(
        update(OutboxMessage)
        .where(OutboxMessage.notice_key == key, OutboxMessage.status == DeliveryStatus.PENDING)
        .values(title=title[:100], body=body[:1000])
    )
