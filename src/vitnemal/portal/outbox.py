"""The demo's mail catcher: a real local SMTP server (aiosmtpd) that stores every mail it accepts in a Maildir,
and the outbox read back from it (``GET /demo/outbox.json``).

The Maildir is on disk, so every portal process of the demo sees the same outbox. Only for demos and tests:
nothing here is ever a production mail path.
"""

from __future__ import annotations

import mailbox
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from vitnemal.portal.mail import CODE_HEADER, LINK_HEADER, SHARE_HEADER

MAX_OUTBOX = 500


class CatchingSmtpServer:
    """``with CatchingSmtpServer(dir) as s: SmtpMailer(s.url)`` — aiosmtpd on 127.0.0.1, mails kept in ``dir``."""

    def __init__(self, maildir: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Mailbox

        maildir.parent.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(maildir, create=True)  # tmp/, new/, cur/
        maildir.chmod(0o700)
        self.maildir = maildir
        if port == 0:
            from vitnemal.devtools.postgres import free_port

            port = free_port()
        self.host, self.port = host, port
        self._controller = Controller(Mailbox(maildir), hostname=host, port=port)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> CatchingSmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> CatchingSmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def read_outbox(maildir: Path) -> list[dict[str, Any]]:
    """Every caught mail, oldest first, as ``{"to", "subject", "text", "link", "code", "share", "at"}``.

    The link mail has its link and no code, the code mail its code and no link: each entry says what its own mail
    says. Up to the newest 500.
    """
    if not (maildir / "new").exists():
        return []
    box = mailbox.Maildir(str(maildir), factory=None, create=False)
    parser = BytesParser(policy=policy.default)
    found = []
    for key in box.iterkeys():
        path = maildir / box._lookup(key)  # type: ignore[attr-defined]  # the only way to the file's time
        with open(path, "rb") as handle:
            msg = parser.parse(handle)
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        found.append((path.stat().st_mtime_ns, key, {
            "to": str(msg.get("To") or ""),
            "subject": str(msg.get("Subject") or ""),
            "text": text,
            "link": _header(msg, LINK_HEADER),
            "code": _header(msg, CODE_HEADER),
            "share": _header(msg, SHARE_HEADER),
            "at": str(msg.get("Date") or ""),
        }))
    found.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in found[-MAX_OUTBOX:]]


def _header(msg: Any, name: str) -> str | None:
    # A long header is folded onto a new line when sent; unfolded it keeps the fold's leading space.
    value = msg.get(name)
    return None if value is None else "".join(str(value).split())
