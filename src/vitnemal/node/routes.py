"""HTTP routes of the exchange node: ``/nodes/{code}/exchange/v1/results`` takes a signed request (JWS) and
returns a signed answer, ``/nodes/{code}/exchange/v1/batch`` takes an admission's batch question (many
applicants, each answered and logged on its own); ``/nodes/{code}`` describes the node."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from typing_extensions import TypedDict  # pydantic (the response model) needs it before Python 3.12

from vitnemal import ratelimit
from vitnemal.config import Settings
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.node.batch import BATCH_PATH
from vitnemal.node.handling import MAX_REQUEST_BYTES, Answer, Refusal, handle_batch, handle_request
from vitnemal.node.protocol import MEDIA_TYPE, PATH
from vitnemal.node.service import RequestLimiter, Throttle
from vitnemal.web.deps import served_host

__all__ = ["MAX_REQUEST_BYTES", "router"]

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


def _limiter(request: Request, host: LocalInstitutions) -> RequestLimiter:
    limiter: RequestLimiter | None = getattr(request.app.state, "node_limiter", None)
    if limiter is None:
        limiter = request.app.state.node_limiter = database_limiter(host.settings)
    return limiter


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
