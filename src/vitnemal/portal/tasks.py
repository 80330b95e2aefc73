"""Running fetches: ask every claimed institution in parallel and record each answer as soon as it arrives.

``run_fetch`` is what the owner's "fetch my results" starts; ``run_due`` is the background part (the worker, or
``vitnemal portal run``): it asks again the institutions that did not answer, once their retry time has come, and
takes over sources whose process died while asking them (their lease ran out). Each answer gets its own short
transaction, so a slow institution never holds up the page for the fast ones.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from fastapi.concurrency import run_in_threadpool

from vitnemal.db import Database
from vitnemal.exchange.outcomes import Outcome
from vitnemal.portal import fetch
from vitnemal.portal.source import ResultsSource, SourceAnswer

log = logging.getLogger("vitnemal.portal")
LEASE_S = 30.0


async def _ask(db: Database, source: ResultsSource, claimed: fetch.Claimed) -> str:
    try:
        answer = await source.fetch(claimed.owner, claimed.institution)
    except Exception as exc:  # a broken answer must not lose the others; the institution is asked again
        log.exception("asking %s for fetch %s failed", claimed.institution, claimed.fetch_id)
        answer = SourceAnswer(claimed.institution, Outcome.UNAVAILABLE.value, f"{type(exc).__name__}", retry=True)

    def record() -> str:
        with db.session() as session:
            return fetch.record_answer(session, source_id=claimed.source_id, answer=answer, now=datetime.now(UTC))

    return await run_in_threadpool(record)


async def _run(db: Database, source: ResultsSource, fetch_id: int | None, limit: int) -> int:
    def claim() -> list[fetch.Claimed]:
        now = datetime.now(UTC)
        with db.read_session() as session:
            if fetch_id is None and not fetch.has_due_sources(session, now):
                return []
        with db.session() as session:
            return fetch.claim_sources(session, now=now, lease_s=LEASE_S, fetch_id=fetch_id, limit=limit)

    claimed = await run_in_threadpool(claim)
    await asyncio.gather(*(_ask(db, source, c) for c in claimed))
    return len(claimed)


async def run_fetch(db: Database, source: ResultsSource, fetch_id: int) -> int:
    """Ask every pending institution of one fetch; return how many were asked."""
    return await _run(db, source, fetch_id, limit=10_000)


async def run_due(db: Database, source: ResultsSource, limit: int = 200) -> int:
    """Ask every institution due for a retry (any owner); return how many were asked."""
    return await _run(db, source, None, limit)
