"""A person's choice of what reaches them outside the portal (issue #27): their e-mail and mobile number,
the categories (站内信 always gets everything), the channels, and 免打扰时段 (quiet hours, local time: text
messages wait until they end; e-mail is still sent)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlmodel import Session

from portal.core.channels import get_channel_settings
from portal.core.clock import now
from portal.core.db import session_scope
from portal.core.formatting import local_zone
from portal.core.security import email_error, is_mobile, normalise_email, normalise_phone
from portal.models.enums import Role
from portal.models.records.delivery import CategoryChoice, DeliveryPreferences
from portal.models.tables import DeliveryPreference, User
from portal.services.accounts.actor import Actor
from portal.services.base.access import transactional
from portal.services.base.audit import record_audit
from portal.services.base.errors import Forbidden, ValidationFailed
from portal.services.base.outbox import CATEGORIES, ENTERPRISE_CATEGORIES, STAFF_CATEGORIES

_CLOCK = re.compile(r"^([01]?\d|2[0-3])[::]([0-5]\d)$")


def categories_for(role: str) -> tuple[str, ...]:
    return ENTERPRISE_CATEGORIES if role == Role.ENTERPRISE else STAFF_CATEGORIES


def parse_clock(raw: str) -> time | None:
    match = _CLOCK.match((raw or "").strip())
    return time(int(match[1]), int(match[2])) if match else None


def quiet_until(moment: datetime, start: str, end: str) -> datetime | None:
    """When the quiet hours around ``moment`` end, or ``None`` outside them (or with none set). A period
    may run over midnight (22:00–07:00)."""
    first, last = parse_clock(start), parse_clock(end)
    if first is None or last is None or first == last:
        return None
    local = moment.astimezone(local_zone())
    clock = local.time().replace(tzinfo=None)
    inside = first <= clock < last if first < last else (clock >= first or clock < last)
    if not inside:
        return None
    ends = local.replace(hour=last.hour, minute=last.minute, second=0, microsecond=0)
    return ends if ends > local else ends + timedelta(days=1)


def _channels_note() -> str:
    settings = get_channel_settings()
    words = [w for w, on in (("邮件", settings.email_on), ("短信", settings.sms_on)) if on]
    if not words:
        return "平台尚未开通邮件和短信发送,目前只有站内信。"
    return f"平台已开通:{'、'.join(words)}。站内信始终接收全部通知。"


def _account(session: Session, actor: Actor | None) -> User:
    user = session.get(User, actor.user_id) if actor is not None else None
    if user is None or not user.is_active:
        raise Forbidden()
    return user


def my_preferences(*, actor: Actor) -> DeliveryPreferences:
    with session_scope() as session:
        user = _account(session, actor)
        pref = session.get(DeliveryPreference, user.id) or DeliveryPreference(user_id=user.id)
        off = set(pref.categories_off.split(","))
        return DeliveryPreferences(
            email=user.email,
            phone=user.phone,
            email_on=pref.email_on,
            sms_on=pref.sms_on,
            quiet_start=pref.quiet_start,
            quiet_end=pref.quiet_end,
            categories=[
                CategoryChoice(name=c, kinds="、".join(k for k in CATEGORIES[c] if k != c), on=c not in off)
                for c in categories_for(user.role)
            ],
            channels_note=_channels_note(),
        )


def _checked(email: str, phone: str, quiet_start: str, quiet_end: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if message := email_error(email):
        errors["email"] = message
    if phone and not is_mobile(phone):
        errors["phone"] = "短信只能发往11位手机号,请填写手机号或留空"
    first, last = (quiet_start or "").strip(), (quiet_end or "").strip()
    if first or last:
        if parse_clock(first) is None:
            errors["quiet_start"] = "请按“时:分”填写,如 22:00"
        if parse_clock(last) is None:
            errors["quiet_end"] = "请按“时:分”填写,如 07:00"
        if not errors.keys() & {"quiet_start", "quiet_end"} and parse_clock(first) == parse_clock(last):
            errors["quiet_end"] = "结束时间不能与开始时间相同"
    return errors


def _clock_text(raw: str) -> str:
    clock = parse_clock(raw)
    return clock.strftime("%H:%M") if clock else ""


@transactional
def save_preferences(*, actor: Actor, email, phone, email_on, sms_on, categories, quiet_start, quiet_end) -> None:
    """Save the person's own contact and choices (anything not text reads as empty; unknown categories are
    ignored). A staff account's phone is its contact for SMS only; an enterprise account's as well."""
    text = [v if isinstance(v, str) else "" for v in (email, phone, quiet_start, quiet_end)]
    email, phone, quiet_start, quiet_end = normalise_email(text[0]), normalise_phone(text[1]), text[2], text[3]
    if errors := _checked(email, phone, quiet_start, quiet_end):
        raise ValidationFailed(errors)
    chosen = set(categories) if isinstance(categories, list | tuple | set) else set()
    with session_scope() as session:
        user = _account(session, actor)
        pref = session.get(DeliveryPreference, user.id) or DeliveryPreference(user_id=user.id)
        changed = user.email != email or user.phone != phone
        user.email, user.phone = email, phone
        pref.email_on, pref.sms_on = email_on is True, sms_on is True
        pref.categories_off = ",".join(c for c in categories_for(user.role) if c not in chosen)
        pref.quiet_start, pref.quiet_end = _clock_text(quiet_start), _clock_text(quiet_end)
        pref.updated_at = now()
        session.add(user)
        session.add(pref)
        if changed:
            record_audit(session, actor, "联系方式", user.username, "修改了接收通知的邮箱或手机号")
