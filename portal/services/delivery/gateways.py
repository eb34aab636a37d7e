"""The two ways out: SMTP (stdlib ``smtplib``, one connection per batch) and an SMS gateway (an interface
with a file adapter for development and an HTTP adapter for a provider). Each send reports, per message,
``None`` (accepted) or the first line of the error, with no secret in it."""

from __future__ import annotations

import json
import smtplib
import ssl
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import httpx

from portal.core.channels import ChannelSettings
from portal.core.clock import now
from portal.services.delivery import texts


@dataclass(frozen=True)
class Outgoing:
    """A claimed message with its recipient's address (read when sent, so a changed address is used)."""

    id: int
    channel: str
    address: str
    name: str
    title: str
    body: str
    link: str


def error_line(exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """The first line of an error, secrets masked, at most 200 characters (what the admin page shows)."""
    text = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    for secret in secrets:
        text = text.replace(secret, "***")
    return text[:200]


def send_emails(messages: list[Outgoing], settings: ChannelSettings) -> dict[int, str | None]:
    """A batch over at most ``smtp_connections`` SMTP connections at once (each reused for its share: the
    dialogue is mostly waiting for the server's replies), at least 25 messages per connection."""
    count = max(1, min(settings.smtp_connections, len(messages) // 25))
    if count == 1:
        return _send_over_one(messages, settings)
    results: dict[int, str | None] = {}
    with ThreadPoolExecutor(count, thread_name_prefix="smtp") as pool:
        for part in pool.map(lambda share: _send_over_one(share, settings), [messages[i::count] for i in range(count)]):
            results.update(part)
    return results


def _send_over_one(messages: list[Outgoing], settings: ChannelSettings) -> dict[int, str | None]:
    """Every message over one SMTP connection. A refused recipient fails only its message; a connection that
    breaks fails the rest."""
    results: dict[int, str | None] = {}
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            for message in messages:
                try:
                    smtp.sendmail(settings.smtp_sender, [message.address], _email(message, settings))
                    results[message.id] = None
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                    results[message.id] = error_line(exc, settings.secrets())
    except (OSError, smtplib.SMTPException) as exc:
        line = error_line(exc, settings.secrets())
        results.update({m.id: line for m in messages if m.id not in results})
    return results


def _email(message: Outgoing, settings: ChannelSettings):
    return texts.email_message(
        sender=settings.smtp_sender,
        to=message.address,
        name=message.name,
        title=message.title,
        body=message.body,
        link=message.link,
        base_url=settings.base_url,
    )


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Hand one text message to the provider; raise on refusal."""


class FileGateway:
    """Development: each message appended as one JSON line to ``sms-YYYY-MM-DD.jsonl`` in a folder."""

    def __init__(self, folder: Path, moment: datetime | None = None):
        self.folder = folder
        self.moment = moment or now()

    def send(self, phone: str, text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": self.moment.isoformat(), "to": phone, "text": text}, ensure_ascii=False)
        with (self.folder / f"sms-{self.moment.date().isoformat()}.jsonl").open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def fill_template(template, phone: str, text: str):
    """The provider's JSON body: every string of the template with ``{phone}`` and ``{text}`` replaced (in
    the parsed structure, so a quote in the text cannot break the JSON)."""
    if isinstance(template, dict):
        return {key: fill_template(value, phone, text) for key, value in template.items()}
    if isinstance(template, list):
        return [fill_template(value, phone, text) for value in template]
    if isinstance(template, str):
        return template.replace("{phone}", phone).replace("{text}", text)
    return template


class HttpGateway:
    """A provider's HTTP API: a POST of the JSON template, the token as a bearer header; any non-2xx fails."""

    def __init__(self, settings: ChannelSettings, client: httpx.Client):
        self.url, self.token, self.client = settings.sms_url, settings.sms_token, client
        self.template = json.loads(settings.sms_template)

    def send(self, phone: str, text: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.client.post(self.url, json=fill_template(self.template, phone, text), headers=headers)
        response.raise_for_status()


def send_sms(messages: list[Outgoing], settings: ChannelSettings) -> dict[int, str | None]:
    results: dict[int, str | None] = {}
    with httpx.Client(timeout=settings.smtp_timeout) as client:
        try:
            gateway = HttpGateway(settings, client) if settings.sms_adapter == "http" else FileGateway(settings.sms_dir)
        except ValueError as exc:  # a template that is not JSON
            return {m.id: error_line(exc, settings.secrets()) for m in messages}
        for message in messages:
            text = texts.sms_text(title=message.title, link=message.link, base_url=settings.base_url)
            try:
                gateway.send(message.address, text)
                results[message.id] = None
            except (OSError, httpx.HTTPError) as exc:
                results[message.id] = error_line(exc, settings.secrets())
    return results
