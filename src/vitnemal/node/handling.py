"""The one way a node handles a request: :func:`handle_request` takes the signed bytes and returns an
:class:`Answer` (a signed answer, its disclosure logged) or a :class:`Refusal` (nothing disclosed, nothing logged);
:func:`handle_batch` does the same for an admission's batch question (:mod:`vitnemal.node.batch`).

The HTTP route and the in-process client (recognition's LocalNodeClient) both call it, so the checks (size,
signature, who signed, to whom, freshness, replay) exist once and the security tests run against both paths. A
refusal is rendered and read back by :meth:`~vitnemal.node.protocol.Refusal.body` and
:meth:`~vitnemal.node.protocol.Refusal.from_body`, so no caller builds or splits its JSON by hand.
"""

from __future__ import annotations

from datetime import datetime

from vitnemal.institutions.host import LocalInstitutions
from vitnemal.institutions.registry import Registry
from vitnemal.node import rules
from vitnemal.node.batch import MAX_BATCH_REQUEST_BYTES, batch_answer_payload, parse_batch_request
from vitnemal.node.protocol import (
    Answer,
    LegalBasis,
    Payload,
    ProtocolError,
    Refusal,
    parse_request,
    sign,
    verify,
)
from vitnemal.node.service import RateLimited, ReplayedRequest, RequestLimiter, answer_batch, answer_request
from vitnemal.records.models import CONSENT_ADMISSION

MAX_REQUEST_BYTES = 64 * 1024


def _snapshot(host: LocalInstitutions) -> Registry:
    # One look at the registry for the whole message: a live registry checks its file on every look (a stat), and
    # a message looked up to six times; one snapshot also means every check sees the same registry.
    return Registry(host.registry.institutions)


def _accepted(host: LocalInstitutions, registry: Registry, code: str, body: bytes,
              max_bytes: int) -> tuple[str, Payload] | Refusal:
    """The checks every message to a node passes first: served and running, within ``max_bytes``, signed by a
    member of ``registry``. (signer, payload), or the refusal."""
    if host.is_stopped(code):
        # Nothing is read, checked or logged: to the requester this is a node that is down.
        return Refusal(503, "node_down", f"the node of {code} is stopped on this host; it answers nothing")
    if not registry.get(code).answers:
        # An admission body is served here for its pages, but it awards nothing and runs no node.
        return Refusal(404, "no_node", f"{code} runs no node: it asks institutions for results and is asked by none")
    if len(body) > max_bytes:
        return Refusal(413, "too_large", f"requests are at most {max_bytes} bytes")
    try:
        return verify(body, registry, max_bytes=max_bytes)
    except ProtocolError as exc:
        return Refusal(400 if exc.reason == "malformed" else 401, exc.reason, exc.message)


def _addressed(host: LocalInstitutions, code: str, signer: str, requester: str, node: str, issued_at: int,
               now: datetime) -> Refusal | None:
    if requester != signer:
        return Refusal(401, "wrong_signer", f"request claims to be from {requester} but is signed by {signer}")
    if node != code:
        return Refusal(400, "wrong_audience", f"request is addressed to {node}, not {code}")
    stale = rules.freshness_refusal(issued_at, now.timestamp(), host.settings.request_max_age_s)
    if stale:
        return Refusal(401, "stale", stale)
    return None


def handle_request(host: LocalInstitutions, code: str, body: bytes, now: datetime,
                   limiter: RequestLimiter | None = None) -> Answer | Refusal:
    """Check ``body`` (a signed request to node ``code``), answer it and log the disclosure, or refuse it.

    In order: size, signature (a registered member's key), who signed and to whom, freshness, whether that member
    may use the request's legal basis (the owner's login only from the portal, with a recent login of sufficient
    level), the requester's rate limit (``limiter``), replay; then the three questions.

    Blocking (database and signing): async callers run it in a thread.
    """
    registry = _snapshot(host)
    accepted = _accepted(host, registry, code, body, MAX_REQUEST_BYTES)
    if isinstance(accepted, Refusal):
        return accepted
    signer, payload = accepted
    try:
        request = parse_request(payload)
    except ProtocolError as exc:
        return Refusal(400, exc.reason, exc.message)
    wrong = _addressed(host, code, signer, request.requester, request.node, request.issued_at, now)
    if wrong:
        return wrong
    basis = rules.basis_refusal(request, registry.get(signer).kind, registry.get(code).kind)
    if basis:
        return Refusal(403, "basis_not_allowed", basis)
    if request.basis is LegalBasis.OWNER_LOGIN:
        login = rules.login_refusal(request.login, now)
        if login:
            return Refusal(403, "login_refused", login)
    try:
        answer = answer_request(host.db(code), request, code, now, limiter, host.settings.home)
    except ReplayedRequest:
        return Refusal(409, "replayed", "this request id was answered before; make a new request")
    except RateLimited as exc:
        return _slow_down(signer, exc)
    return Answer(sign(answer.payload(), code, host.key(code)), answer)


def _slow_down(signer: str, exc: RateLimited) -> Refusal:
    return Refusal(429, "rate_limited", f"too many requests from {signer} just now; slow down and ask again in "
                   f"{exc.retry_after_s} s", retry_after_s=exc.retry_after_s)


def handle_batch(host: LocalInstitutions, code: str, body: bytes, now: datetime,
                 limiter: RequestLimiter | None = None) -> str | Refusal:
    """Check ``body`` (a signed batch question to node ``code``, :mod:`vitnemal.node.batch`), answer each applicant
    and log each disclosure, and return the signed answer; or refuse the whole batch (nothing disclosed or logged).

    The same checks as :func:`handle_request`, in the same order, with the batch's own bounds: the purpose is
    admission (OPPTAK) and every item's basis is one its requester may use; an item that fails question 2 (its
    consent) is answered ``no_consent`` on its own, as a single request would be. Blocking, as handle_request.
    """
    registry = _snapshot(host)
    accepted = _accepted(host, registry, code, body, MAX_BATCH_REQUEST_BYTES)
    if isinstance(accepted, Refusal):
        return accepted
    signer, payload = accepted
    try:
        batch = parse_batch_request(payload)
    except ProtocolError as exc:
        return Refusal(400, exc.reason, exc.message)
    wrong = _addressed(host, code, signer, batch.requester, batch.node, batch.issued_at, now)
    if wrong:
        return wrong
    if batch.purpose != CONSENT_ADMISSION:
        return Refusal(403, "basis_not_allowed", f"a batch question is for admission only (purpose "
                       f"{CONSENT_ADMISSION}), not {batch.purpose!r}: ask one request at a time")
    kinds = registry.get(signer).kind, registry.get(code).kind
    for n, (item, request) in enumerate(zip(batch.items, batch.item_requests(), strict=True), 1):
        if item.consent.type != CONSENT_ADMISSION:
            return Refusal(403, "basis_not_allowed", f"item {n} carries a {item.consent.type!r} consent; a batch "
                           f"question asks on the applicant's {CONSENT_ADMISSION} consent only")
        basis = rules.basis_refusal(request, *kinds)
        if basis:
            return Refusal(403, "basis_not_allowed", f"item {n}: {basis}")
    try:
        items = answer_batch(host.db(code), batch, code, now, limiter)
    except ReplayedRequest:
        return Refusal(409, "replayed", "an applicant's item id in this batch was answered before; make a new "
                       "batch question")
    except RateLimited as exc:
        return _slow_down(signer, exc)
    return sign(batch_answer_payload(code, batch.requester, batch.request_id, int(now.timestamp()), items), code,
                host.key(code))
