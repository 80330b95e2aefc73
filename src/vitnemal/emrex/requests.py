"""EMREX 1 requests: a client's ``sessionId`` and ``returnUrl`` kept under a server-side handle, the owner bound
to it, and its one answer.

The client's POST arrives cross-site without the portal's CSRF token (that is how EMREX 1 works), so it may only
store the request and redirect: the handle in the URL is all the browser carries, and nothing is sent anywhere
before the owner has logged in and confirmed on a page of the portal (whose form has the token). Every function
takes a session and never commits.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.emrex import clients, rules
from vitnemal.emrex.models import EmrexClient, EmrexRequest
from vitnemal.emrex.rules import ReturnCode

# Long enough to log in with MinID or BankID and choose; after that the client must start again.
REQUEST_TTL = timedelta(hours=1)
KEEP_AFTER_EXPIRY = timedelta(days=1)
_HANDLE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _hash(handle: str) -> str:
    return hashlib.sha256(handle.encode()).hexdigest()


@dataclass(frozen=True)
class OpenedRequest:
    handle: str
    client: clients.RegisteredClient


def open_request(session: Session, *, session_id: str, return_url: str, now: datetime,
                 production: bool) -> OpenedRequest:
    """Store a client's request (refused in words unless the session id is well formed and the return address is
    exactly a registered client's) and return the handle the browser is sent on with."""
    session_id = rules.check_session_id(session_id)
    client = clients.client_for_url(session, return_url, production=production)
    pk = clients.client_pk(session, client.client_id)
    assert pk is not None
    # Expired requests are worth nothing a day later: cleared here, so the table stays the size of a day's use.
    session.execute(delete(EmrexRequest).where(EmrexRequest.expires_at < now - KEEP_AFTER_EXPIRY))
    handle = secrets.token_urlsafe(32)
    session.add(EmrexRequest(handle_hash=_hash(handle), client_pk=pk, session_id=session_id,
                             return_url=rules.normalise_url(return_url, production=production), created_at=now,
                             expires_at=now + REQUEST_TTL))
    session.flush()
    return OpenedRequest(handle, client)


def find_request(session: Session, handle: str) -> EmrexRequest | None:
    """The request behind a handle (its client loaded), or None for a handle that is not one."""
    if not _HANDLE.fullmatch(handle):
        return None
    return session.scalar(select(EmrexRequest).options(joinedload(EmrexRequest.client))
                          .where(EmrexRequest.handle_hash == _hash(handle)))


def claim(request: EmrexRequest, owner_id: str) -> bool:
    """Bind the request to the first owner who opens it; False for anyone else (they see "not found")."""
    if request.owner_id is None:
        request.owner_id = owner_id
    return request.owner_id == owner_id


def state(request: EmrexRequest, now: datetime) -> str:
    """"open", "answered", "expired" or "removed" (the client was taken out of the registry meanwhile)."""
    if request.answered_at is not None:
        return "answered"
    if request.client.removed_at is not None:
        return "removed"
    if now >= request.expires_at:
        return "expired"
    return "open"


def client_of(request: EmrexRequest) -> clients.RegisteredClient:
    row: EmrexClient = request.client
    return clients.RegisteredClient(row.client_id, row.name, row.kind, tuple(u.url for u in row.urls),
                                    row.contact_email, row.website, row.jwks, row.national_id, row.created_at,
                                    row.removed_at)


def answer(session: Session, request: EmrexRequest, code: ReturnCode, *, now: datetime, message: str = "",
           transfer_id: str | None = None) -> None:
    """Mark the request answered (once); a transfer is audited by :mod:`.transfers`, any other answer here."""
    if request.answered_at is not None:
        raise rules.EmrexRefused("this request has been answered already")
    request.answered_at = now
    request.return_code = code.value
    if transfer_id is None:
        record_event(session, actor=f"owner:{request.owner_id}" if request.owner_id else "portal",
                     action=AuditAction.EMREX_ANSWERED, subject=request.owner_id, now=now,
                     detail=f"{code.value} to {request.client.client_id}: {' '.join(message.split())[:300]}")
