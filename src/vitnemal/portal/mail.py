"""Mail to recipients: the :class:`Mailer` Protocol, the real SMTP mailer, and the two mails of a share.

The recipient gets the link in one e-mail and the access code in a second one, as the national portal does: a
mail that goes astray alone opens nothing. ``VITNEMAL_SMTP_URL`` names the server: ``smtp://host:port``
(plain, for a local relay), ``smtp://user:password@host:587?starttls=1`` or ``smtps://host:465``.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlparse

from vitnemal.portal.texts import MAIL, day_text

SENDER = "Vitnemålsportalen <ikkesvar@vitnemal.invalid>"
LINK_HEADER = "X-Vitnemal-Link"
CODE_HEADER = "X-Vitnemal-Code"
SHARE_HEADER = "X-Vitnemal-Share"


class MailError(RuntimeError):
    """The mail could not be handed to the SMTP server; the message says why."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    headers: tuple[tuple[str, str], ...] = ()
    sender: str = SENDER

    def message(self) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = self.to
        msg["Subject"] = self.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="vitnemal.invalid")
        msg["Auto-Submitted"] = "auto-generated"
        for name, value in self.headers:
            msg[name] = value
        msg.set_content(self.text)
        return msg


class Mailer(Protocol):
    def send(self, *mails: Mail) -> None:
        """Hand every one of ``mails`` to the server, or raise :class:`MailError`."""


class SmtpMailer:
    """Hands mails to an SMTP server (one connection per ``send``: a share's link and code mail go together, which
    halves the connection, greeting and login a share waits for; the server queues and delivers)."""

    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
            raise ValueError(f"VITNEMAL_SMTP_URL must look like smtp://host:25 or smtps://host:465, not {url!r}")
        self.host = parsed.hostname
        self.tls = parsed.scheme == "smtps"
        self.port = parsed.port or (465 if self.tls else 25)
        self.user = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.starttls = parse_qs(parsed.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.timeout_s = timeout_s

    def send(self, *mails: Mail) -> None:
        try:
            smtp: smtplib.SMTP
            if self.tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            with smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                for mail in mails:
                    smtp.send_message(mail.message())
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"the mail server at {self.host}:{self.port} did not take the mail ({exc}); "
                            "nothing was shared, try again later") from exc


class MemoryMailer:
    """Keeps the mails in a list (tests that do not need a server)."""

    def __init__(self) -> None:
        self.sent: list[Mail] = []

    def send(self, *mails: Mail) -> None:
        self.sent.extend(mails)


def share_mails(*, lang: str, owner_name: str, recipient: str, link: str, code: str, share_id: str,
                expires_at: datetime, message: str | None) -> tuple[Mail, Mail]:
    """The link mail and the code mail of one share, in the share's language."""
    texts = MAIL[lang]
    # The last day the link works is the day before it expires at midnight (Oslo).
    until = day_text(expires_at - timedelta(seconds=1), lang)
    name = owner_name or "—"
    note = texts["message"].format(name=name, message=message) if message else ""
    link_mail = Mail(recipient, texts["link_subject"].format(name=name),
                     texts["link_body"].format(name=name, link=link, until=until, message=note),
                     ((LINK_HEADER, link), (SHARE_HEADER, share_id)))
    code_mail = Mail(recipient, texts["code_subject"].format(name=name),
                     texts["code_body"].format(name=name, code=code),
                     ((CODE_HEADER, code), (SHARE_HEADER, share_id)))
    return link_mail, code_mail
