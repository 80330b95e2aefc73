"""HTTP routes of the exchange node: ``/nodes/{code}/exchange/v1/results`` takes a signed request (JWS) and
returns a signed answer, ``/nodes/{code}/exchange/v1/batch`` takes an admission's batch question (many
applicants, each answered and logged on its own); ``/nodes/{code}`` describes the node.

The two questions are answered by :class:`NodeFastPath`, a plain ASGI layer in front of the web stack, whenever
the request is an ordinary one (a served, available node; a declared length within the limit); everything else
(and the API documentation) goes through the FastAPI routes below, which answer exactly as before. Both call the
same :func:`~vitnemal.node.handling.handle_request`, so every check is made once, whichever way a request came.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send
from typing_extensions import TypedDict  # pydantic (the response model) needs it before Python 3.12

from vitnemal import ratelimit
from vitnemal.asgi import NODE_PATH, send_response
from vitnemal.config import Settings
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.node.batch import BATCH_PATH, MAX_BATCH_REQUEST_BYTES
from vitnemal.node.handling import MAX_REQUEST_BYTES, Answer, Refusal, handle_batch, handle_request
from vitnemal.node.protocol import MEDIA_TYPE, PATH
from vitnemal.node.service import RequestLimiter, Throttle
from vitnemal.web.deps import served_host

__all__ = ["MAX_REQUEST_BYTES", "NodeFastPath", "router"]

router = APIRouter(tags=["node"])


class NodeDescription(TypedDict):
    """What ``GET /nodes/{code}`` says about a node: public facts, for a requester setting up."""

    code: str
    name: str
    name_en: str
    results_path: str
    protocol: str
    algorithm: str


def database_limiter(settings: Settings) -> RequestLimiter:
    """The node's per-requester limits, counted in each node's database (``rate_counters``), so every process
    serving a node counts against one limit: ``node_requests_per_minute`` messages refused beyond,
    ``node_batch_people_per_minute`` people asked about in batch questions refused beyond, and
    ``node_flag_per_day`` people asked about (one per single request) flagged once when passed."""
    per_minute = ratelimit.Limit(settings.node_requests_per_minute, 60)
    people_per_minute = ratelimit.Limit(settings.node_batch_people_per_minute, 60)
    per_day = ratelimit.Limit(settings.node_flag_per_day, 86_400)

    def check(session: Session, requester: str, now: datetime, people: int = 0) -> Throttle:
        # One statement counts the message, the batch's people and the day's people together. A refusal rolls the
        # whole transaction back (answer_request raises), so counting all three before deciding counts nothing
        # that the old one-at-a-time checks would not have.
        amount = max(1, people)
        uses = [ratelimit.Use(f"node:{requester}", per_minute), ratelimit.Use(f"node-day:{requester}", per_day, amount)]
        if people:  # a batch question: its people are bounded too, not only its one message
            uses.append(ratelimit.Use(f"node-people:{requester}", people_per_minute, people))
        minute, day, *asked = ratelimit.hit_all(session, uses, now)
        if minute.used == 1:
            ratelimit.purge(session, now)  # at most once a minute per requester: ended windows are dropped
        for decision in (minute, *asked):
            if not decision.allowed:
                return Throttle(retry_after_s=decision.retry_after_s)
        return Throttle(flag=per_day.count if day.used - amount <= per_day.count < day.used else 0)

    return check


def _app_limiter(state: object, host: LocalInstitutions) -> RequestLimiter:
    limiter: RequestLimiter | None = getattr(state, "node_limiter", None)
    if limiter is None:
        limiter = database_limiter(host.settings)
        state.node_limiter = limiter  # type: ignore[attr-defined]
    return limiter


def _limiter(request: Request, host: LocalInstitutions) -> RequestLimiter:
    return _app_limiter(request.app.state, host)


@router.get("/nodes/{code}")
def describe_node(code: str, request: Request) -> NodeDescription:
    """Public facts about the node: who it is and where it takes requests."""
    host = served_host(request, code)
    entry = host.registry.get(code)
    if not entry.answers:  # an admission body is served for its pages; it has no node to describe
        raise HTTPException(404, f"{code} runs no node")
    return {"code": code, "name": entry.name_nb, "name_en": entry.name_en, "results_path": f"/nodes/{code}/{PATH}",
            "protocol": "vitnemal-exchange/1", "algorithm": "ES256"}


@router.post(f"/nodes/{{code}}/{PATH}")
async def results(code: str, request: Request) -> Response:
    """Verify the signed request, answer the three questions, log the disclosure, return the signed answer."""
    host = served_host(request, code)
    body = await request.body()
    outcome = await run_in_threadpool(handle_request, host, code, body, datetime.now(UTC), _limiter(request, host))
    return _reply(outcome.token if isinstance(outcome, Answer) else outcome)


@router.post(f"/nodes/{{code}}/{BATCH_PATH}")
async def batch(code: str, request: Request) -> Response:
    """An admission's batch question: each applicant answered and logged on their own, in one signed answer."""
    host = served_host(request, code)
    body = await request.body()
    outcome = await run_in_threadpool(handle_batch, host, code, body, datetime.now(UTC), _limiter(request, host))
    return _reply(outcome)


def _reply(outcome: str | Refusal) -> Response:
    if isinstance(outcome, Refusal):
        return Response(outcome.body(), status_code=outcome.status, media_type="application/json",
                        headers=outcome.headers())
    return Response(content=outcome, media_type=MEDIA_TYPE)


_LIMITS = {PATH: MAX_REQUEST_BYTES, BATCH_PATH: MAX_BATCH_REQUEST_BYTES}
_ERROR = b"Internal Server Error"
# The blocking work (database, signatures) runs here, as many at once as anyio's default pool (FastAPI's) allows;
# one pool for the process, made on first use.
_pool: ThreadPoolExecutor | None = None


def _threads() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=40, thread_name_prefix="vitnemal-node")
    return _pool


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() and len(value) <= 18 else None
    return None


class NodeFastPath:
    """ASGI: the node's two questions (``POST /nodes/{code}/exchange/v1/results`` and ``.../batch``) answered
    without the web stack's routing, dependencies and middleware, which cost a node more CPU than the answer did
    (issue 11 #3).

    It takes only a request to a node this host serves and has available, with a ``Content-Length`` within that
    question's limit; anything else (no or a bad length, too long, a node not served or set aside, another method)
    goes to ``app``, the whole stack, which refuses it as it always did. The answer is :func:`handle_request`'s or
    :func:`handle_batch`'s, sent as the FastAPI route sends it. ``hold(code)`` (demos and benchmarks only:
    :mod:`vitnemal.devtools.latency`) is how long a node's 200 takes in all, counted from the request's arrival.
    Install it inside the security headers (``SecurityHeaders`` wraps it), so its answers carry them too.
    """

    def __init__(self, app: ASGIApp, hold: Callable[[str], float] | None = None) -> None:
        self.app, self.hold = app, hold

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = NODE_PATH.fullmatch(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if found is None or found["rest"] not in _LIMITS:
            await self.app(scope, receive, send)
            return
        arrived = time.perf_counter()
        code, question = found["code"], found["rest"]
        host: LocalInstitutions = scope["app"].state.host
        declared = _declared_length(scope)
        if declared is None or declared > _LIMITS[question] or code in host.unavailable or not host.serves(code):
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the requester went away: nobody to answer
                return
            body += message.get("body", b"")
            if len(body) > declared or not message.get("more_body", False):
                break
        handle = handle_request if question == PATH else handle_batch
        limiter = _app_limiter(scope["app"].state, host)
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(
                _threads(), handle, host, code, bytes(body), datetime.now(UTC), limiter)
        except Exception:
            # As Starlette's ServerErrorMiddleware does: a plain 500 to the requester, the error to the server's log.
            await send_response(send, 500, _ERROR, b"text/plain; charset=utf-8")
            raise
        if isinstance(outcome, Answer):
            outcome = outcome.token
        if isinstance(outcome, Refusal):
            extra = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in outcome.headers().items()]
            await send_response(send, outcome.status, outcome.body(), b"application/json", extra)
            return
        if self.hold is not None:
            wait = self.hold(code) - (time.perf_counter() - arrived)
            if wait > 0:
                await asyncio.sleep(wait)
        await send_response(send, 200, outcome.encode(), MEDIA_TYPE.encode())
