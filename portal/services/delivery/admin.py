"""消息发送 (/admin/outbox, issue #27): what the outbox holds by channel and status, whether each channel is
configured (never showing a secret), the messages given up on with their error, and 重新发送."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import select

from portal.core.channels import get_channel_settings
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import format_instant
from portal.core.ids import parse_id
from portal.models.enums import DeliveryChannel, DeliveryStatus, Role
from portal.models.records.delivery import ChannelState, FailedMessage, OutboxCount
from portal.models.tables import OutboxMessage, User
from portal.services.accounts.actor import Actor
from portal.services.base.access import require_role, transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Conflict, NotFound

S = DeliveryStatus
FAILED_SHOWN = 50
_COLUMNS = {S.PENDING: "pending", S.SENDING: "sending", S.SENT: "sent", S.FAILED: "failed"}


def channel_states(*, actor: Actor) -> list[ChannelState]:
    require_role(actor, Role.ADMIN)
    s = get_channel_settings()
    email = (
        f"{s.smtp_host}:{s.smtp_port}{' STARTTLS' if s.smtp_starttls else ''},发件人 {s.smtp_sender}"
        if s.email_on
        else "未配置(设置 PORTAL_SMTP_HOST 等后开通)"
    )
    if s.sms_adapter == "http" and s.sms_on:
        sms = "HTTP 短信网关(PORTAL_SMS_URL 已设置)"
    elif s.sms_on:
        sms = f"开发用文件适配器,写入 {s.sms_dir}"
    else:
        sms = "未配置(设置 PORTAL_SMS_ADAPTER 后开通)"
    return [
        ChannelState(channel=DeliveryChannel.EMAIL, configured=s.email_on, detail=email),
        ChannelState(channel=DeliveryChannel.SMS, configured=s.sms_on, detail=sms),
        ChannelState(
            channel="通知中的链接",
            configured=True,
            detail=f"{s.base_url}(邮件、短信中的办理链接以此开头,设置 PORTAL_BASE_URL 修改)",
        ),
    ]


def outbox_counts(*, actor: Actor) -> list[OutboxCount]:
    """One row per channel: how many messages wait, are being sent, were sent, failed."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        rows = session.exec(
            select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
                OutboxMessage.channel, OutboxMessage.status
            )
        ).all()
    counts = {c: OutboxCount(channel=c, pending=0, sending=0, sent=0, failed=0) for c in DeliveryChannel}
    for channel, status, count in rows:
        if channel in counts and status in _COLUMNS:
            counts[channel][_COLUMNS[status]] = count
    return list(counts.values())


def failed_messages(*, actor: Actor) -> list[FailedMessage]:
    """The newest 50 messages given up on, with the error's first line and the account's name (no address)."""
    require_role(actor, Role.ADMIN)
    with session_scope() as session:
        rows = session.exec(
            select(OutboxMessage, User.display_name)
            .join(User, User.id == OutboxMessage.user_id)
            .where(OutboxMessage.status == S.FAILED)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(FAILED_SHOWN)
        ).all()
        return [
            FailedMessage(
                id=m.id,
                at=format_instant(m.created_at),
                channel=m.channel,
                kind=m.kind,
                title=m.title,
                recipient=name,
                attempts=m.attempts,
                error=m.last_error,
            )
            for m, name in rows
        ]


@transactional
def resend(*, actor: Actor, message_id) -> None:
    """重新发送: a failed message waits again with its tries reset (only a 失败 one; twice → 已处理)."""
    require_role(actor, Role.ADMIN)
    row_id = parse_id(message_id)
    with session_scope() as session:
        message = session.get(OutboxMessage, row_id) if row_id else None
        if message is None:
            raise NotFound()
        done = session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == S.FAILED)
            .values(status=S.PENDING, attempts=0, next_attempt_at=now(), last_error="")
        )
        if done.rowcount != 1:
            raise Conflict("该消息已不是失败状态,请刷新后查看")
        record_audit(session, actor, "消息发送", f"消息{row_id}", f"重新发送{message.channel}:{message.title}")
