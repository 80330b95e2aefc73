"""The portal's parts in one web process: its database, the results source, the PDF maker, the mailer, and the
background loop that asks again the institutions that did not answer and runs the purge.

Nothing here is user state: fetches, shares, views and attempts are in the database, so several processes behind
one address serve the same users. The parts are made on first use (a process that never shares never loads typst
or a key), and the background loop starts with the first page that needs it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.portal import tasks
from vitnemal.portal.mail import Mailer, SmtpMailer
from vitnemal.portal.shares import PdfMaker, purge
from vitnemal.portal.source import PORTAL_CODE, ResultsSource
from vitnemal.portal.viewlog import Sessions, ViewLog

log = logging.getLogger("vitnemal.portal")
RETRY_POLL_S = 5.0
PURGE_EVERY_S = 3600.0


class PortalNotReady(RuntimeError):
    """The portal cannot fetch results here (no registry or no portal key); the message says what to do."""


def outbox_dir(settings: Settings) -> Path:
    """Where the demo's SMTP catcher keeps the mails (``GET /demo/outbox.json`` reads them)."""
    return settings.home / "demo-outbox"


@dataclass
class Portal:
    settings: Settings
    db: Database
    sessions: Sessions | None = None  # the browsers' sessions, which the share pages' view log reads
    _source: ResultsSource | None = None
    _pdf_maker: PdfMaker | None = None
    _mailer: Mailer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _smtp: Any = field(default=None, repr=False)
    _loop_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _running: set[asyncio.Task[Any]] = field(default_factory=set, repr=False)
    views: ViewLog = field(init=False, repr=False)
    # More of the portal's scheduled purge, hung on by the packages that stand on it (EMREX's transfers and
    # consents): each takes the purge's session and the time.
    purgers: list[Callable[[Session, datetime], object]] = field(default_factory=list, repr=False)
    # Work of theirs run every RETRY_POLL_S too (EMREX's webhooks), each in a task of its own beside the portal's
    # retries, so that a slow round of theirs never holds up the owners' fetches (nor the other way round).
    rounds: list[Callable[[], Awaitable[object]]] = field(default_factory=list, repr=False)
    _round_tasks: list[asyncio.Task[None]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.views = ViewLog(self.db, self.sessions)

    @property
    def source(self) -> ResultsSource:
        with self._lock:
            if self._source is None:
                self._source = self._exchange_source()
            return self._source

    def _exchange_source(self) -> ResultsSource:
        from vitnemal.exchange.client import HttpNodeClient
        from vitnemal.institutions.exchange_keys import load_private_key
        from vitnemal.institutions.registry import LiveRegistry
        from vitnemal.portal.source import ExchangeResultsSource

        key_path = self.settings.keys_dir / f"{PORTAL_CODE}.pem"
        try:
            # Live: a member the operator adds, a rotated key or a member taken out counts without a restart.
            registry = LiveRegistry(self.settings.registry_path)
            key = load_private_key(key_path)
        except FileNotFoundError as exc:
            raise PortalNotReady(f"The portal cannot ask the institutions: {exc}") from None
        return ExchangeResultsSource(registry, key, HttpNodeClient(), timeout_s=self.settings.node_timeout_s)

    @property
    def pdf_maker(self) -> PdfMaker:
        with self._lock:
            if self._pdf_maker is None:
                from vitnemal.portal.pdf import SharePdfMaker

                self._pdf_maker = SharePdfMaker(self.settings)
            return self._pdf_maker

    def warm_pdf_maker(self) -> None:
        """An owner is looking at the share form: have a renderer and signer ready before they press "share"."""
        maker = self.pdf_maker
        warm = getattr(maker, "warm", None)  # the real maker has one; a test's stand-in need not
        if warm is not None:
            warm()

    @property
    def mailer(self) -> Mailer:
        """SMTP at VITNEMAL_SMTP_URL; outside production without one, the demo's own catching server."""
        with self._lock:
            if self._mailer is None:
                url = self.settings.smtp_url
                if not url:
                    if self.settings.production:
                        raise PortalNotReady("Set VITNEMAL_SMTP_URL: production sends the recipients' mail there.")
                    from vitnemal.portal.outbox import CatchingSmtpServer

                    self._smtp = CatchingSmtpServer(outbox_dir(self.settings)).start()
                    url = self._smtp.url
                self._mailer = SmtpMailer(url)
            return self._mailer

    def start_fetch_task(self, fetch_id: int) -> None:
        """Ask the institutions of one fetch on this event loop; the page shows each answer as it is recorded."""
        task = asyncio.get_running_loop().create_task(tasks.run_fetch(self.db, self.source, fetch_id))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        self.ensure_background()

    def ensure_background(self) -> None:
        """Start the retry and purge loop of this process (once)."""
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = asyncio.get_running_loop().create_task(self._background())
        if not self._round_tasks or any(t.done() for t in self._round_tasks):
            for task in self._round_tasks:
                task.cancel()
            self._round_tasks = [asyncio.get_running_loop().create_task(self._every(more)) for more in self.rounds]

    async def _every(self, work: Callable[[], Awaitable[object]]) -> None:
        while True:
            try:
                await work()
            except Exception:  # keep it going; the next round tries again
                log.exception("portal background work failed")
            await asyncio.sleep(RETRY_POLL_S)

    async def _background(self) -> None:
        from fastapi.concurrency import run_in_threadpool

        last_purge = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                await tasks.run_due(self.db, self.source)
                if loop.time() - last_purge > PURGE_EVERY_S:
                    last_purge = loop.time()
                    await run_in_threadpool(self._purge)
            except PortalNotReady:
                return
            except Exception:  # keep the loop alive; the next round tries again
                log.exception("portal background round failed")
            await asyncio.sleep(RETRY_POLL_S)

    def _purge(self) -> None:
        with self.db.session() as session:
            now = datetime.now(UTC)
            purge(session, now)
            for more in self.purgers:
                more(session, now)

    def close(self) -> None:
        self.views.close()
        if self._loop_task is not None:
            self._loop_task.cancel()
        for task in self._round_tasks:
            task.cancel()
        if self._smtp is not None:
            self._smtp.stop()
