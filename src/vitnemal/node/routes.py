"""HTTP routes of the exchange node: ``/nodes/{code}/exchange/v1/results`` takes a signed request (JWS) and
returns a signed answer; ``/nodes/{code}`` describes the node."""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from vitnemal.institutions.host import LocalInstitutions
from vitnemal.node import rules
from vitnemal.node.protocol import MEDIA_TYPE, PATH, ProtocolError, parse_request, sign, verify
from vitnemal.node.service import ReplayedRequest, answer_request

router = APIRouter(tags=["node"])
MAX_REQUEST_BYTES = 64 * 1024


def injected_delay_s(code: str, spec: str) -> float:
    """The demo/benchmark latency of node ``code`` for a spec "LOW-HIGH" in ms, fixed per node so runs compare."""
    if not spec:
        return 0.0
    low, _, high = spec.partition("-")
    lo, hi = float(low), float(high or low)
    spread = int(hashlib.sha256(code.encode()).hexdigest(), 16) % 1000 / 999
    return (lo + (hi - lo) * spread) / 1000


def _host(request: Request, code: str) -> LocalInstitutions:
    host: LocalInstitutions = request.app.state.host
    if not host.serves(code):
        raise HTTPException(404, f"No exchange node for institution {code!r} on this host.")
    return host


def _refuse(status: int, reason: str, message: str) -> HTTPException:
    return HTTPException(status, {"error": reason, "message": message})


@router.get("/nodes/{code}")
def describe_node(code: str, request: Request) -> dict[str, Any]:
    """Public facts about the node: who it is and where it takes requests."""
    host = _host(request, code)
    entry = host.registry.get(code)
    return {"code": code, "name": entry.name_nb, "name_en": entry.name_en, "results_path": f"/nodes/{code}/{PATH}",
            "protocol": "vitnemal-exchange/1", "algorithm": "ES256"}


@router.post(f"/nodes/{{code}}/{PATH}")
async def results(code: str, request: Request) -> Response:
    """Verify the signed request, answer the three questions, log the disclosure, return the signed answer."""
    host = _host(request, code)
    received = time.perf_counter()
    body = await request.body()
    if len(body) > MAX_REQUEST_BYTES:
        raise _refuse(413, "too_large", f"requests are at most {MAX_REQUEST_BYTES} bytes")
    try:
        signer, payload = verify(body, host.registry)
        req = parse_request(payload)
    except ProtocolError as exc:
        status = 400 if exc.reason == "malformed" else 401
        raise _refuse(status, exc.reason, exc.message) from None
    if req.requester != signer:
        raise _refuse(401, "wrong_signer", f"request claims to be from {req.requester} but is signed by {signer}")
    if req.node != code:
        raise _refuse(400, "wrong_audience", f"request is addressed to {req.node}, not {code}")
    now = datetime.now(UTC)
    stale = rules.freshness_refusal(req.issued_at, now.timestamp(), host.settings.request_max_age_s)
    if stale:
        raise _refuse(401, "stale", stale)
    try:
        answer = await run_in_threadpool(answer_request, host.db(code), req, code, now)
    except ReplayedRequest:
        raise _refuse(409, "replayed", "this request id was answered before; make a new request") from None
    token = sign(answer.payload(), code, host.key(code))
    # Injected latency (demos, benchmarks): the answer takes this long in all, as a remote node's would.
    delay = injected_delay_s(code, host.settings.inject_latency_ms) - (time.perf_counter() - received)
    if delay > 0:
        await asyncio.sleep(delay)
    return Response(content=token, media_type=MEDIA_TYPE)
