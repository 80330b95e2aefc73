"""The recipients' view log, written in batches: many page views, one transaction (group commit).

Every view of a share is logged with its time and client and audited (:func:`shares.record_view`), and the page is
sent only after that row is committed, so the owner's log never misses a view a recipient saw. Writing each view in
its own transaction made every page view pay for a connection check, a BEGIN and a COMMIT of its own; under many
recipients at once that was most of a view's cost. Here the views that arrive while one batch commits form the next
batch: a lone view still waits for one short transaction, fifty at once share one.

The writer is one thread per process, started on first use; nothing is kept but the views in flight, each of
which a request is waiting for (a process that dies takes those requests with it, unanswered).
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from datetime import datetime

from vitnemal.db import Database
from vitnemal.portal import shares
from vitnemal.portal.models import Share

log = logging.getLogger("vitnemal.portal")
MAX_BATCH = 500
# A request gives up on its view (and the page) when the database has not taken it by then.
WAIT_S = 30.0


class ViewNotLogged(RuntimeError):
    """The view could not be written to the log; the page is not shown (the log must have every view)."""


@dataclass
class _Pending:
    share: Share
    client: str
    what: str
    at: datetime
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class ViewLog:
    """``views.record(share, client=…, what=…, now=…)`` returns once the view is committed, or raises."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def record(self, share: Share, *, client: str, what: str, now: datetime) -> None:
        pending = _Pending(share, client, what, now)
        self._start()
        self._queue.put(pending)
        if not pending.done.wait(WAIT_S):
            raise ViewNotLogged(f"the view log did not take the view within {WAIT_S:.0f} s")
        if pending.error is not None:
            raise ViewNotLogged(f"the view could not be logged ({type(pending.error).__name__})") from pending.error

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
                    log.exception("a view of share %s could not be logged", pending.share.public_id)
                    pending.error = exc
        finally:
            for pending in batch:
                pending.done.set()

    def _commit(self, batch: list[_Pending]) -> None:
        with self._db.session() as session:
            for p in batch:
                shares.record_view(session, p.share, client=p.client, what=p.what, now=p.at)
