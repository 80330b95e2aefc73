"""Injected node latency for demos and benchmarks (``VITNEMAL_INJECT_LATENCY_MS``, e.g. ``20-200``).

:func:`vitnemal.web.app.create_app` installs :class:`NodeLatency` when the setting is given outside production: it
holds each node answer (a 200 from ``/nodes/{code}/exchange/v1/results`` or ``.../batch``) back until that much
time has passed since the request came in, as a remote node's would take; refusals go out at once. The node's
route knows nothing of it, and a production app never installs it, so no production code path measures or sleeps.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vitnemal.node.batch import BATCH_PATH
from vitnemal.node.protocol import PATH

_ANSWERING = re.compile(rf"/nodes/([^/]+)/(?:{re.escape(PATH)}|{re.escape(BATCH_PATH)})")


def injected_delay_s(code: str, spec: str) -> float:
    """The demo/benchmark latency of node ``code`` for a spec "LOW-HIGH" in ms, fixed per node so runs compare."""
    if not spec:
        return 0.0
    low, _, high = spec.partition("-")
    lo, hi = float(low), float(high or low)
    spread = int(hashlib.sha256(code.encode()).hexdigest(), 16) % 1000 / 999
    return (lo + (hi - lo) * spread) / 1000


def node_delays(spec: str) -> Callable[[str], float]:
    """``delay(code)``: the seconds node ``code`` takes to answer under ``spec`` ("LOW-HIGH" in ms)."""
    injected_delay_s("check", spec)  # a spec that is not one fails at start-up, not on the first request
    return lambda code: injected_delay_s(code, spec)


class NodeLatency:
    """ASGI middleware: a node's answer takes ``delay(code)`` seconds in all (``delay`` from :func:`node_delays`)."""

    def __init__(self, app: ASGIApp, delay: Callable[[str], float]) -> None:
        self.app, self.delay = app, delay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _ANSWERING.fullmatch(scope.get("path", "")) if scope["type"] == "http" else None
        if found is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        received, code = time.perf_counter(), found.group(1)

        async def send_late(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                wait = self.delay(code) - (time.perf_counter() - received)
                if wait > 0:
                    await asyncio.sleep(wait)
            await send(message)

        await self.app(scope, receive, send_late)
