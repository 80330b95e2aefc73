"""The recipients' view log, written in batches: many page views, one transaction (group commit).

Every view of a share is logged with its time and client and audited (:mod:`.share_views`), and the page is sent
only after that row is committed, so the owner's log never misses a view a recipient saw. Writing each view in its
own transaction made every page view pay for a connection check, a BEGIN and a COMMIT of its own; under many
recipients at once that was most of a view's cost. Here the views that arrive while one batch commits form the next
batch: a lone view still waits for one short transaction, fifty at once share one.

A share page's view (:meth:`ViewLog.view_link`) is decided in the same transaction: the shares behind the links
and the browsers' sessions are read for the whole batch in one query each, and a view is logged only where the
share is still open (ending a share counts from the next batch) and that browser opened it with the code. The
page's coroutine waits for its answer without holding a worker thread.

The writer is one thread per process, started on first use; nothing is kept but the views in flight, each of
which a request is waiting for (a process that dies takes those requests with it, unanswered).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from vitnemal.db import Database
from vitnemal.portal import share_views, shares
from vitnemal.portal.models import Share
from vitnemal.portal.shares import ShareHead

log = logging.getLogger("vitnemal.portal")
MAX_BATCH = 500
# A request gives up on its view (and the page) when the database has not taken it by then.
WAIT_S = 30.0


class ViewNotLogged(RuntimeError):
    """The view could not be written to the log; the page is not shown (the log must have every view)."""


class Sessions(Protocol):
    """The browsers' sessions (the web foundation's store), read for a batch of share pages at once."""

    def load_many(self, db: Session, cookies: Sequence[str | None], now: datetime) -> Sequence[Any]: ...

    def touch_due(self, db: Session, sessions: Sequence[Any], now: datetime) -> None: ...


@dataclass(frozen=True)
class LinkView:
    """What a share link's page view found: the share (None: no such link), the browser's session as loaded (None:
    none, ended or forged), and whether the page may be shown: then its view is committed."""

    share: ShareHead | None
    session: Any
    logged: bool


@dataclass
class _Pending:
    client: str
    at: datetime
    finish: Callable[[LinkView | None, BaseException | None], None]
    share: Share | None = None  # record(): log a view of this share
    token: str | None = None  # view_link(): the link followed, by the browser with ``cookie``
    cookie: str | None = None
    what: str = "opened"
    found: LinkView | None = None


class ViewLog:
    """``views.record(share, client=…, what=…, now=…)`` returns once the view is committed, or raises; a share page
    awaits ``views.view_link(token=…, cookie=…, client=…, now=…)``."""

    def __init__(self, db: Database, sessions: Sessions | None = None) -> None:
        self._db = db
        self._sessions = sessions
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def record(self, share: Share, *, client: str, what: str, now: datetime) -> None:
        done = threading.Event()
        errors: list[BaseException] = []

        def finish(_: LinkView | None, error: BaseException | None) -> None:
            if error is not None:
                errors.append(error)
            done.set()

        self._put(_Pending(client, now, finish, share=share, what=what))
        if not done.wait(WAIT_S):
            raise ViewNotLogged(f"the view log did not take the view within {WAIT_S:.0f} s")
        if errors:
            raise ViewNotLogged(f"the view could not be logged ({type(errors[0]).__name__})") from errors[0]

    async def view_link(self, *, token: str, cookie: str, client: str, now: datetime) -> LinkView:
        """Log a view of the share behind ``token`` if it is open and the browser with ``cookie`` opened it."""
        if self._sessions is None:
            raise RuntimeError("this view log was made without the browsers' sessions")
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[LinkView] = loop.create_future()

        def settle(found: LinkView | None, error: BaseException | None) -> None:
            if answer.done():  # the visitor went away meanwhile
                return
            if error is not None:
                answer.set_exception(ViewNotLogged(f"the view could not be logged ({type(error).__name__})"))
            else:
                assert found is not None
                answer.set_result(found)

        def finish(found: LinkView | None, error: BaseException | None) -> None:  # in the writer's thread
            loop.call_soon_threadsafe(settle, found, error)

        self._put(_Pending(client, now, finish, token=token, cookie=cookie))
        try:
            return await asyncio.wait_for(answer, WAIT_S)
        except TimeoutError:
            raise ViewNotLogged(f"the view log did not take the view within {WAIT_S:.0f} s") from None

    def _put(self, pending: _Pending) -> None:
        self._start()
        self._queue.put(pending)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="portal-view-log", daemon=True)
                self._thread.start()

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=WAIT_S)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(more)
            self._write(batch)

    def _write(self, batch: list[_Pending]) -> None:
        try:
            self._commit(batch)
        except Exception:
            # One bad view (its share purged meanwhile) must not fail the others: write each alone.
            for pending in batch:
                try:
                    self._commit([pending])
                except Exception as exc:
                    log.exception("a view of a share could not be logged")
                    pending.finish(None, exc)
                else:
                    pending.finish(pending.found, None)
        else:
            for pending in batch:
                pending.finish(pending.found, None)

    def _commit(self, batch: list[_Pending]) -> None:
        with self._db.session() as session:
            new = [share_views.NewView(p.share.id, p.share.public_id, p.share.owner_id, p.client, p.what, p.at)
                   for p in batch if p.share is not None]
            links = [p for p in batch if p.token is not None]
            if links:
                new += self._decide(session, links)
            share_views.record_views(session, new)

    def _decide(self, session: Session, links: list[_Pending]) -> list[share_views.NewView]:
        """Which of these page views show their share; each pending gets what was found."""
        assert self._sessions is not None
        heads = shares.heads_by_token(session, {p.token for p in links if p.token is not None})
        browsers = self._sessions.load_many(session, [p.cookie for p in links], max(p.at for p in links))
        self._sessions.touch_due(session, [b for b in browsers if b is not None], max(p.at for p in links))
        new = []
        for pending, browser in zip(links, browsers, strict=True):
            head = heads.get(pending.token or "")
            shown = head is not None and browser is not None and shares.share_link_status(head, pending.at) is None \
                and head.public_id in shares.opened_shares(browser.data)
            if shown:
                assert head is not None
                new.append(share_views.NewView(head.id, head.public_id, head.owner_id, pending.client, "opened",
                                               pending.at))
            pending.found = LinkView(head, browser, shown)
        return new
