"""The background worker: finds orders for the institutions this host serves and runs them.

It runs standalone (``vitnemal worker``) or inside the web process (``vitnemal serve``/``demo``), where a new order
wakes it at once. Orders are claimed with a lease, so several workers (on PostgreSQL) share the queue and a worker
that dies is replaced when its lease runs out. Retries due "at the same time the next day" are just orders whose
``next_run_at`` has come.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import UTC, datetime

from anyio.to_thread import run_sync as run_in_thread  # the pool FastAPI's run_in_threadpool uses

from vitnemal.exchange import lifecycle
from vitnemal.exchange.client import HttpNodeClient, NodeClient
from vitnemal.exchange.order_round import run_round
from vitnemal.institutions.host import LocalInstitutions

log = logging.getLogger("vitnemal.worker")


class Worker:
    """Runs up to ``concurrency`` orders at a time across every served institution."""

    def __init__(self, host: LocalInstitutions, client: NodeClient | None = None, *, concurrency: int = 32,
                 name: str | None = None) -> None:
        self.host = host
        self.client: NodeClient = client or HttpNodeClient()
        self.concurrency = concurrency
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        # Who to look at when woken: the institutions named by wake(code) only, unless a wake without a code (or
        # a poll) asks for every one. A host serves dozens of databases; a case worker's order is in one of them,
        # and looking in all of them first delayed its start by one look per database (issue 13's figure).
        self._named: set[str] = set()
        self._everyone = True
        self._starved = False  # the last look stopped for want of a free slot: look again when one frees

    def wake(self, code: str | None = None) -> None:
        """Look for work now instead of at the next poll (called when an order is placed in this process): at
        ``code`` only when given, else at every served institution."""
        if code is None:
            self._everyone = True
        else:
            self._named.add(code)
        self._wake.set()

    def _claim(self, code: str, limit: int) -> list[int]:
        db = self.host.db(code)
        with db.read_session() as session:
            if not lifecycle.has_due_orders(session, datetime.now(UTC)):
                return []
        with db.session() as session:
            return lifecycle.claim_orders(session, owner=self.name, now=datetime.now(UTC),
                                        lease_s=self.host.settings.lease_s, limit=limit)

    async def _run_order(self, code: str, order_id: int) -> None:
        try:
            await run_round(db=self.host.db(code), order_id=order_id, own=code, owner=self.name,
                            registry=self.host.registry, key=self.host.key(code), client=self.client,
                            settings=self.host.settings)
        except Exception:  # one broken order must not stop the worker; its lease runs out and it is retried
            log.exception("order %s at %s failed", order_id, code)

    async def run_once(self, codes: list[str] | None = None) -> int:
        """Claim what is due in ``codes`` (default: every served institution) and start it; return how many orders
        were started."""
        started = 0
        self._starved = False
        for code in self.host.codes if codes is None else codes:
            free = self.concurrency - len(self._running)
            if free <= 0:
                self._starved = True
                break
            claimed = await run_in_thread(self._claim, code, free)
            self._starved = self._starved or len(claimed) == free
            for order_id in claimed:
                task = asyncio.create_task(self._run_order(code, order_id))
                self._running.add(task)
                task.add_done_callback(self._done)
                started += 1
        return started

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._starved:
            self.wake()  # a slot is free and work may have been left for want of one

    async def drain(self) -> None:
        """Wait for the orders in progress to finish."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set, then let the orders in progress finish."""
        poll = self.host.settings.poll_interval_s
        while not stop.is_set():
            self._wake.clear()
            served = set(self.host.codes)
            codes = None if self._everyone else [c for c in self.host.codes if c in self._named and c in served]
            self._everyone, self._named = False, set()
            try:
                await self.run_once(codes)
            except Exception:
                self._everyone = True
                log.exception("claiming orders failed; trying again")
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
            if not waiter.done():
                self._everyone = True  # the poll: orders placed by other processes, retries come due
            waiter.cancel()
            stopper.cancel()
        await self.drain()
        await self.client.aclose()
