"""Running a results order now, in this process, for a case worker's command or the diploma sample.

:class:`LocalNodeClient` is a :class:`~vitnemal.exchange.client.NodeClient` that answers for the institutions
whose databases and keys this host holds through the same :func:`~vitnemal.node.handling.handle_request` their
HTTP node calls (every check, the disclosure log, the signed answer), without the HTTP hop; any other node is
asked over HTTP. The
requester's side is unchanged: the same :func:`~vitnemal.exchange.order_round.run_round` checks every signature
and imports what arrives. So a fetch run here is a real exchange, signed both ways and logged at both ends.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime

from sqlalchemy import select

from vitnemal.exchange import lifecycle
from vitnemal.exchange.client import HttpNodeClient
from vitnemal.exchange.models import ResultsOrder
from vitnemal.exchange.order_round import run_round
from vitnemal.exchange.outcomes import Reply
from vitnemal.exchange.states import OrderStatus
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.node.batch import BATCH_PATH
from vitnemal.node.handling import Answer, Refusal, handle_batch, handle_request
from vitnemal.node.protocol import PATH
from vitnemal.node.service import RequestLimiter


class LocalNodeClient:
    """Answers in-process for the institutions ``host`` serves, over HTTP for the others."""

    def __init__(self, host: LocalInstitutions, limiter: RequestLimiter | None = None) -> None:
        self.host = host
        self.limiter = limiter  # entry points pass the nodes' rate limits (node.routes.database_limiter)
        self._by_url = {entry.node_url.rstrip("/"): entry.code for entry in host.registry if entry.answers}
        self._http = HttpNodeClient()

    def _answer(self, code: str, token: str, path: str) -> Reply:
        started = time.perf_counter()
        if path == BATCH_PATH:  # an admission's batch question (the node's other route)
            outcome: Answer | Refusal | str = handle_batch(self.host, code, token.encode(), datetime.now(UTC),
                                                           self.limiter)
        else:
            outcome = handle_request(self.host, code, token.encode(), datetime.now(UTC), self.limiter)
        elapsed_ms = int((time.perf_counter() - started) * 1000)
        if isinstance(outcome, Refusal):
            return Reply(outcome.status, outcome.body(), None, elapsed_ms)
        return Reply(200, (outcome if isinstance(outcome, str) else outcome.token).encode(), None, elapsed_ms)

    async def send(self, node_url: str, token: str, timeout_s: float, path: str = PATH) -> Reply:
        code = self._by_url.get(node_url.rstrip("/"))
        if code is None or not self.host.serves(code):
            return await self._http.send(node_url, token, timeout_s, path)
        return await asyncio.to_thread(self._answer, code, token, path)

    async def aclose(self) -> None:
        await self._http.aclose()


def _claim(host: LocalInstitutions, code: str, order_id: int, owner: str) -> bool:
    """Take the order for this process if it is due by the worker's rule (queued, due again, or left behind by a
    holder whose lease ran out); False when another worker has it or nothing is due."""
    with host.db(code).session() as session:
        return lifecycle.claim_order(session, order_id, owner=owner, now=datetime.now(UTC),
                                     lease_s=host.settings.lease_s)


async def _round(host: LocalInstitutions, code: str, order_id: int, owner: str) -> OrderStatus | None:
    client = LocalNodeClient(host)
    try:
        return await run_round(db=host.db(code), order_id=order_id, own=code, owner=owner, registry=host.registry,
                               key=host.key(code), client=client, settings=host.settings)
    finally:
        await client.aclose()


def run_order_now(host: LocalInstitutions, code: str, order_id: int, *, timeout_s: float = 120.0) -> OrderStatus:
    """Run ``order_id`` of institution ``code`` in this process until every institution answered (or a retry is
    scheduled for one that is down); return the order's status (done or waiting).

    When a running server's worker took the order first, this waits for it instead.
    """
    owner = f"cli:{os.getpid()}"
    deadline = time.monotonic() + timeout_s
    while True:
        if _claim(host, code, order_id, owner):
            status = asyncio.run(_round(host, code, order_id, owner))
            if status is not None and status is not OrderStatus.QUEUED:
                return status
        else:
            with host.db(code).read_session() as session:
                status = session.scalar(select(ResultsOrder.status).where(ResultsOrder.id == order_id))
            if status is None:
                raise LookupError(f"No order {order_id} at {code}.")
            if status in (OrderStatus.DONE, OrderStatus.WAITING):
                return status
        if time.monotonic() > deadline:
            raise TimeoutError(f"Order {order_id} at {code} did not finish within {timeout_s:g} s.")
        time.sleep(0.05)
