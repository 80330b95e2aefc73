"""The requester's side of the wire: sending a signed request to a node and getting its reply.

``NodeClient`` is the small Protocol the fetch routine depends on. ``HttpNodeClient`` is the real one (httpx, pooled
connections, a hard deadline per request); tests may pass any object with the same ``send``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import httpx

from vitnemal.exchange.outcomes import Reply
from vitnemal.node.protocol import MEDIA_TYPE, PATH

MAX_ANSWER_BYTES = 16 * 1024 * 1024


class NodeClient(Protocol):
    async def send(self, node_url: str, token: str, timeout_s: float) -> Reply: ...

    async def aclose(self) -> None: ...


class HttpNodeClient:
    """Posts the JWS to ``<node_url>/exchange/v1/results``; a node past its deadline counts as not answering.

    Each node gets its own small connection pool. One shared pool would hold a connection per node and per order
    in flight, and httpcore scans its whole pool on every request, which made the fan-out CPU-bound.
    """

    def __init__(self, connections_per_node: int = 32) -> None:
        self._limits = httpx.Limits(max_connections=connections_per_node,
                                    max_keepalive_connections=connections_per_node)
        self._clients: dict[str, httpx.AsyncClient] = {}

    def _client_for(self, node_url: str) -> httpx.AsyncClient:
        client = self._clients.get(node_url)
        if client is None:
            client = self._clients[node_url] = httpx.AsyncClient(
                limits=self._limits, headers={"content-type": MEDIA_TYPE, "accept": MEDIA_TYPE})
        return client

    async def send(self, node_url: str, token: str, timeout_s: float) -> Reply:
        started = time.perf_counter()
        url = f"{node_url.rstrip('/')}/{PATH}"

        def elapsed() -> int:
            return int((time.perf_counter() - started) * 1000)

        try:
            async with asyncio.timeout(timeout_s):
                response = await self._client_for(node_url).post(url, content=token.encode(), timeout=timeout_s)
        except TimeoutError:
            return Reply(None, b"", f"no answer within {timeout_s:g} s", elapsed())
        except httpx.HTTPError as exc:
            return Reply(None, b"", f"{type(exc).__name__}: {exc}".strip(": "), elapsed())
        body = response.content[:MAX_ANSWER_BYTES]
        return Reply(response.status_code, body, None, elapsed())

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
