"""The one way a node handles a request: :func:`handle_request` takes the signed bytes and returns an
:class:`Answer` (a signed answer, its disclosure logged) or a :class:`Refusal` (nothing disclosed, nothing logged).

The HTTP route and the in-process client (recognition's LocalNodeClient) both call it, so the checks (size,
signature, who signed, to whom, freshness, replay) exist once and the security tests run against both paths. A
refusal is rendered and read back by :meth:`~vitnemal.node.protocol.Refusal.body` and
:meth:`~vitnemal.node.protocol.Refusal.from_body`, so no caller builds or splits its JSON by hand.
"""

from __future__ import annotations

from datetime import datetime

from vitnemal.institutions.host import LocalInstitutions
from vitnemal.node import rules
from vitnemal.node.protocol import Answer, LegalBasis, ProtocolError, Refusal, parse_request, sign, verify
from vitnemal.node.service import RateLimited, ReplayedRequest, RequestLimiter, answer_request

MAX_REQUEST_BYTES = 64 * 1024


def handle_request(host: LocalInstitutions, code: str, body: bytes, now: datetime,
                   limiter: RequestLimiter | None = None) -> Answer | Refusal:
    """Check ``body`` (a signed request to node ``code``), answer it and log the disclosure, or refuse it.

    In order: size, signature (a registered member's key), who signed and to whom, freshness, whether that member
    may use the request's legal basis (the owner's login only from the portal, with a recent login of sufficient
    level), the requester's rate limit (``limiter``), replay; then the three questions.

    Blocking (database and signing): async callers run it in a thread.
    """
    if host.is_stopped(code):
        # Nothing is read, checked or logged: to the requester this is a node that is down.
        return Refusal(503, "node_down", f"the node of {code} is stopped on this host; it answers nothing")
    if not host.registry.get(code).answers:
        # An admission body is served here for its pages, but it awards nothing and runs no node.
        return Refusal(404, "no_node", f"{code} runs no node: it asks institutions for results and is asked by none")
    if len(body) > MAX_REQUEST_BYTES:
        return Refusal(413, "too_large", f"requests are at most {MAX_REQUEST_BYTES} bytes")
    try:
        signer, payload = verify(body, host.registry, max_bytes=MAX_REQUEST_BYTES)
        request = parse_request(payload)
    except ProtocolError as exc:
        return Refusal(400 if exc.reason == "malformed" else 401, exc.reason, exc.message)
    if request.requester != signer:
        return Refusal(401, "wrong_signer", f"request claims to be from {request.requester} but is signed by {signer}")
    if request.node != code:
        return Refusal(400, "wrong_audience", f"request is addressed to {request.node}, not {code}")
    stale = rules.freshness_refusal(request.issued_at, now.timestamp(), host.settings.request_max_age_s)
    if stale:
        return Refusal(401, "stale", stale)
    basis = rules.basis_refusal(request, host.registry.get(signer).kind, host.registry.get(code).kind)
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
        return Refusal(429, "rate_limited", f"too many requests from {signer} just now; slow down and ask again in "
                       f"{exc.retry_after_s} s", retry_after_s=exc.retry_after_s)
    return Answer(sign(answer.payload(), code, host.key(code)), answer)
