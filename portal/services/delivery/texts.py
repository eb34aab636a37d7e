"""The words of a message outside the portal: the notice's own title and body (written by the service for
this recipient, so never another party's data) and a link to the page; a text message within 70
characters, the link included."""

from __future__ import annotations

from email.header import Header
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate, make_msgid

SMS_LIMIT = 70
SMS_SIGNATURE = "【接诉即办】"
PORTAL_NAME = "企业诉求接诉即办服务平台"
_WIRE = compat32.clone(linesep="\r\n")  # SMTP wants CRLF; servers guarding against smuggling refuse bare LF


def absolute_link(base_url: str, link: str) -> str:
    return f"{base_url}{link}" if link.startswith("/") else (link or base_url)


def sms_text(*, title: str, link: str, base_url: str) -> str:
    """Signature, the title (cut with … to fit) and the link; with a base address so long that no title
    would fit, the portal's address instead of the page's."""
    url = absolute_link(base_url, link)
    if SMS_LIMIT - len(SMS_SIGNATURE) - len(url) - 1 < 8:
        url = base_url
    room = SMS_LIMIT - len(SMS_SIGNATURE) - len(url) - 1
    words = title if len(title) <= room else title[: max(room - 1, 0)] + "…"
    return f"{SMS_SIGNATURE}{words} {url}"[:SMS_LIMIT]


def email_message(*, sender: str, to: str, name: str, title: str, body: str, link: str, base_url: str) -> bytes:
    """The whole message as bytes: plain text in UTF-8 (base64), the subject encoded once. Built with the
    email package's compat32 classes: the modern ``EmailMessage`` re-folds every header when flattened,
    which cost more than the SMTP dialogue itself (bench/bench_outbox.py)."""
    lines = [
        f"{name}您好:" if name else "您好:",
        "",
        title,
        *([body] if body else []),
        "",
        f"查看详情:{absolute_link(base_url, link)}",
        "",
        f"此邮件由{PORTAL_NAME}自动发送,请勿直接回复。",
        "如需调整接收哪些通知、通过哪些渠道接收,请登录平台在“通知设置”中修改。",
    ]
    message = MIMEText("\n".join(lines), "plain", "utf-8")
    message["Subject"] = Header(f"[{PORTAL_NAME}] {title}", "utf-8")
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    return message.as_bytes(policy=_WIRE)
