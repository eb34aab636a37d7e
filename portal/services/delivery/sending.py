"""Delivering the outbox (issue #27), run by the ``deliver_outbox`` job every minute.

A batch is claimed with one conditional UPDATE (due rows: waiting and due, or claimed by a sender whose
lease ran out) that writes a random claim token; the sender then reads the rows carrying its token, so
two schedulers never hold the same row. Each message is tried at most ``max_attempts`` times, waiting
longer after each failure, then marked 失败 for the admin (``delivery.admin``). A text message whose
recipient is in their 免打扰时段 waits until it ends without spending a try. A sender that dies mid-batch
leaves rows 发送中; after the lease they are claimed again (a message may then go twice: the one case)."""

from __future__ import annotations

import logging
import secrets
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, select

from portal.core.channels import ChannelSettings, get_channel_settings
from portal.core.clock import now
from portal.core.db import session_scope
from portal.models.enums import DeliveryChannel, DeliveryStatus
from portal.models.tables import DeliveryPreference, OutboxMessage, User
from portal.services.delivery import gateways
from portal.services.delivery.gateways import Outgoing
from portal.services.delivery.preferences import quiet_until

log = logging.getLogger("portal.delivery")
S = DeliveryStatus
LEASE = timedelta(minutes=5)
BACKOFF_MINUTES = (1, 5, 15, 60, 240)  # after the 1st, 2nd … failure
SENDERS = {DeliveryChannel.EMAIL: gateways.send_emails, DeliveryChannel.SMS: gateways.send_sms}


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def _due(moment: datetime):
    return or_(
        and_(OutboxMessage.status == S.PENDING, OutboxMessage.next_attempt_at <= moment),
        and_(OutboxMessage.status == S.SENDING, OutboxMessage.lease_until < moment),
    )


def _claim(limit: int) -> tuple[str, datetime, list]:
    """Claim up to ``limit`` due messages; returns the token, the moment and the claimed rows with their
    recipient's address and quiet hours."""
    token, moment = secrets.token_hex(16), now()
    with session_scope() as session:
        ids = session.exec(
            select(OutboxMessage.id)
            .where(_due(moment))
            .order_by(OutboxMessage.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL: two senders take different rows; SQLite ignores it
        ).all()
        if not ids:
            return token, moment, []
        session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _due(moment))
            .values(status=S.SENDING, claim=token, lease_until=moment + LEASE, attempts=OutboxMessage.attempts + 1)
        )
        rows = session.exec(
            select(OutboxMessage, User.email, User.phone, User.display_name, User.is_active, DeliveryPreference)
            .join(User, User.id == OutboxMessage.user_id)
            .outerjoin(DeliveryPreference, DeliveryPreference.user_id == OutboxMessage.user_id)
            .where(OutboxMessage.claim == token)
        ).all()
        claimed = [
            (message.id, message.channel, message.attempts, message, email, phone, name, active, pref)
            for message, email, phone, name, active, pref in rows
        ]
        session.expunge_all()
        return token, moment, claimed


def _settle(session: Session, token: str, ids, **values) -> None:
    if ids:
        session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.claim == token)
            .values(claim="", lease_until=None, **values)
        )


def _sort(claimed, moment: datetime):
    """Split a claimed batch: what to send per channel, what waits for quiet hours to end, what has no
    address any more (the person removed it or was deactivated: dropped as 失败 with the reason)."""
    outgoing: dict[str, list[Outgoing]] = defaultdict(list)
    waiting: dict[datetime, list[int]] = defaultdict(list)
    unreachable: list[int] = []
    for message_id, channel, _attempts, message, email, phone, name, active, pref in claimed:
        address = email if channel == DeliveryChannel.EMAIL else phone
        if not active or not address:
            unreachable.append(message_id)
            continue
        until = (
            quiet_until(moment, pref.quiet_start, pref.quiet_end) if pref and channel == DeliveryChannel.SMS else None
        )
        if until is not None:
            waiting[until].append(message_id)
            continue
        outgoing[channel].append(
            Outgoing(message_id, channel, address, name, message.title, message.body, message.link)
        )
    return outgoing, waiting, unreachable


def _record(
    token: str,
    moment: datetime,
    claimed,
    results: dict[int, str | None],
    settings: ChannelSettings,
    waiting,
    unreachable,
) -> Counter:
    attempts = {row[0]: row[2] for row in claimed}
    counts: Counter = Counter()
    retry: dict[tuple[int, str], list[int]] = defaultdict(list)
    given_up: dict[str, list[int]] = defaultdict(list)
    for message_id, error in results.items():
        if error is None:
            continue
        if attempts[message_id] >= settings.max_attempts:
            given_up[error].append(message_id)
        else:
            retry[(attempts[message_id], error)].append(message_id)
    with session_scope() as session:
        sent = [i for i, error in results.items() if error is None]
        _settle(session, token, sent, status=S.SENT, sent_at=moment, last_error="")
        for (tries, error), ids in retry.items():
            _settle(session, token, ids, status=S.PENDING, next_attempt_at=moment + backoff(tries), last_error=error)
        for error, ids in given_up.items():
            _settle(session, token, ids, status=S.FAILED, last_error=error)
        for until, ids in waiting.items():  # not a try: the count goes back
            _settle(session, token, ids, status=S.PENDING, next_attempt_at=until, attempts=OutboxMessage.attempts - 1)
        _settle(session, token, unreachable, status=S.FAILED, last_error="收件人已无有效的邮箱或手机号,或账号已停用")
    counts.update(sent=len(sent), retry=sum(map(len, retry.values())), failed=sum(map(len, given_up.values())))
    counts.update(quiet=sum(map(len, waiting.values())), unreachable=len(unreachable))
    return counts


def deliver_batch(settings: ChannelSettings | None = None) -> Counter:
    """Claim one batch, send it, record the outcome. An empty Counter: nothing was due."""
    settings = settings or get_channel_settings()
    token, moment, claimed = _claim(settings.batch_size)
    if not claimed:
        return Counter()
    outgoing, waiting, unreachable = _sort(claimed, moment)
    results: dict[int, str | None] = {}
    try:
        for channel, messages in outgoing.items():
            results.update(SENDERS[DeliveryChannel(channel)](messages, settings))
    except Exception as exc:  # noqa: BLE001 - an adapter's surprise is each unsent message's failure, retried
        log.exception("outbox batch failed")
        line = gateways.error_line(exc, settings.secrets())
        results.update({m.id: line for batch in outgoing.values() for m in batch if m.id not in results})
    return _record(token, moment, claimed, results, settings, waiting, unreachable) + Counter(claimed=len(claimed))


def deliver_outbox(*, budget_seconds: float = 50.0) -> dict:
    """The job: batches until nothing is due or the time budget (within the minute between runs) is spent."""
    settings = get_channel_settings()
    total: Counter = Counter()
    deadline = time.monotonic() + budget_seconds
    while time.monotonic() < deadline:
        counts = deliver_batch(settings)
        if not counts:
            break
        total += counts
    return dict(total)
