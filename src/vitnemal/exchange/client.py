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
    """Posts the JWS to ``<node_url>/exchange/v1/results``; a node past its deadline counts as not answering."""

    def __init__(self, max_connections: int = 200) -> None:
        self._client = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"content-type": MEDIA_TYPE, "accept": MEDIA_TYPE},
        )

    async def send(self, node_url: str, token: str, timeout_s: float) -> Reply:
        started = time.perf_counter()
        url = f"{node_url.rstrip('/')}/{PATH}"

        def elapsed() -> int:
            return int((time.perf_counter() - started) * 1000)

        try:
            async with asyncio.timeout(timeout_s):
                response = await self._client.post(url, content=token.encode(), timeout=timeout_s)
        except TimeoutError:
            return Reply(None, b"", f"no answer within {timeout_s:g} s", elapsed())
        except httpx.HTTPError as exc:
            return Reply(None, b"", f"{type(exc).__name__}: {exc}".strip(": "), elapsed())
        body = response.content[:MAX_ANSWER_BYTES]
        return Reply(response.status_code, body, None, elapsed())

    async def aclose(self) -> None:
        await self._client.aclose()
