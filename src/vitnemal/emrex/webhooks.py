"""Signed webhooks to a platform (issue 10 #7): the portal tells a registered platform that an applicant's consent to
it was given or ended, or that results were transferred to it, so it need not poll.

Written, not sent, in the transaction of what they tell (:func:`enqueue`): nothing is lost when the portal stops,
nothing is told of what was rolled back. The portal's background loop delivers what is due (:func:`deliver_due`):
in a task of its own, a fair share of each platform a round (:data:`PER_CLIENT`), platforms in parallel and one
platform's one after the other, each bounded in time (connect and answer within :data:`TIMEOUT_S`), so one slow or
dead platform never holds up another's: after a timeout its other deliveries wait for a later round. A failure is
tried again later (:data:`BACKOFF`), and after the last attempt given up.

The body says only what the platform may know already: the event, the consent's reference or the transfer's id,
the time; never a name or a national id. It is signed with HMAC-SHA256 under a secret of the platform's own
(:func:`client_secret`, derived from the portal's secret key and the client id, so nothing secret is stored): the
header ``X-Vitnemal-Signature: t=<unix time>,v1=<hex>`` signs ``<t>.<body>``. HMAC and not a JWS: a platform checks
it with one HMAC in any language, without a JOSE library or fetching keys; the secret is the platform's alone (one
leaked secret exposes only that platform's hooks); and the time in the signed text lets it refuse a replay.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vitnemal.db import Database
from vitnemal.emrex.models import EmrexClient, WebhookDelivery

EVENTS = ("consent.created", "consent.ended", "transfer.created")
HEADER = "X-Vitnemal-Signature"
TIMEOUT_S = 5.0
BATCH = 20  # taken per round, of all platforms
PER_CLIENT = 3  # of one platform per round (the oldest first): a backlog at one never crowds out the others
AT_ONCE = 8  # platforms sent to at once; one platform's deliveries go one after the other
LEASE = timedelta(minutes=2)  # a claimed delivery another process leaves alone while this one sends it
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))  # after the 1st..5th failure; the 6th failure gives up


def client_secret(secret_key: bytes, client_id: str) -> str:
    """The platform's webhook secret (what the operator hands it: ``vitnemal emrex clients webhook-secret``)."""
    return hmac.new(secret_key, f"emrex-webhook:{client_id}".encode(), hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def enqueue(session: Session, client_pk: int, event: str, data: dict[str, Any], now: datetime) -> None:
    """Keep a webhook for the platform (when it registered an address for them) in the caller's transaction."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event}")
    url = session.scalar(select(EmrexClient.webhook_url).where(EmrexClient.id == client_pk,
                                                               EmrexClient.removed_at.is_(None)))
    if not url:
        return
    session.add(WebhookDelivery(client_pk=client_pk, event=event, created_at=now, next_at=now, attempts=0,
                                payload={"id": str(uuid.uuid4()), "event": event, "created_at": now.isoformat(),
                                         "data": data}))


@dataclass(frozen=True)
class _Due:
    id: int
    url: str
    client_id: str
    body: bytes


@dataclass(frozen=True)
class _Outcome:
    id: int
    ok: bool
    error: str | None
    tried: bool = True  # False: not sent this round (its platform timed out just before): released, not counted


def _claim(db: Database, now: datetime) -> list[_Due]:
    with db.session() as session:
        return claim(session, now)


def claim(session: Session, now: datetime) -> list[_Due]:
    """Take this round's due deliveries (leased for :data:`LEASE`) in the caller's transaction.

    Each platform's oldest PER_CLIENT due deliveries, chosen in SQL: reading the oldest of all platforms first and
    picking a share of them afterwards let one platform's backlog hide every other platform's (review R40). On
    PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``: a second portal process claiming at the same moment
    skips what this one took instead of reading the same rows as due and sending them too; and the outer query says
    "due" again on the locked row itself, so a row leased by a process that committed meanwhile is seen with its new
    lease and left alone. (SQLite has one writer at a time; SQLAlchemy leaves the clause out there.)"""
    due_now = WebhookDelivery.next_at.is_not(None) & (WebhookDelivery.next_at <= now)
    place = func.row_number().over(partition_by=WebhookDelivery.client_pk,
                                   order_by=(WebhookDelivery.next_at, WebhookDelivery.id)).label("place")
    fair = select(WebhookDelivery.id, place).where(due_now).subquery()
    rows = session.execute(
        select(WebhookDelivery, EmrexClient.webhook_url, EmrexClient.client_id)
        .join(fair, fair.c.id == WebhookDelivery.id)
        .join(EmrexClient, EmrexClient.id == WebhookDelivery.client_pk)
        .where(fair.c.place <= PER_CLIENT, due_now)
        .order_by(WebhookDelivery.next_at, WebhookDelivery.id).limit(BATCH)
        .with_for_update(skip_locked=True, of=WebhookDelivery)).all()
    due: list[_Due] = []
    for row, url, client_id in rows:
        row.next_at = now + LEASE
        if url:
            due.append(_Due(row.id, url, client_id,
                            json.dumps(row.payload, ensure_ascii=False, sort_keys=True).encode()))
        else:  # the platform removed its address (or was removed): nothing to send to
            row.next_at, row.failed_at, row.last_error = None, now, "no webhook address any more"
    session.flush()
    return due


def _record(db: Database, outcomes: list[_Outcome], now: datetime) -> None:
    with db.session() as session:
        for outcome in outcomes:
            row = session.get(WebhookDelivery, outcome.id)
            if row is None:
                continue
            if not outcome.tried:
                row.next_at = now + BACKOFF[0]
                continue
            row.attempts += 1
            if outcome.ok:
                row.delivered_at, row.next_at, row.last_error = now, None, None
            elif row.attempts > len(BACKOFF):
                row.failed_at, row.next_at, row.last_error = now, None, outcome.error
            else:
                row.next_at, row.last_error = now + BACKOFF[row.attempts - 1], outcome.error


async def _send(client: httpx.AsyncClient, due: _Due, secret_key: bytes, now: datetime) -> _Outcome:
    headers = {"Content-Type": "application/json", "User-Agent": "vitnemal-portal-webhooks",
               HEADER: signature(client_secret(secret_key, due.client_id), int(now.timestamp()), due.body)}
    try:
        # The whole exchange is bounded, not only each read: a platform trickling its answer cannot hold a slot.
        async with asyncio.timeout(2 * TIMEOUT_S):
            async with client.stream("POST", due.url, content=due.body, headers=headers) as answer:
                status = answer.status_code  # its body is not read: only the status counts
    except (httpx.HTTPError, TimeoutError, OSError) as exc:
        return _Outcome(due.id, False, f"{type(exc).__name__}: {exc}"[:300])
    return _Outcome(due.id, 200 <= status < 300, None if 200 <= status < 300 else f"HTTP {status}")


async def deliver_due(db: Database, secret_key: bytes, now: Callable[[], datetime],
                      transport: httpx.AsyncBaseTransport | None = None) -> int:
    """Send the webhooks that are due (at most :data:`BATCH`, :data:`AT_ONCE` at a time); how many were sent."""
    claimed = await asyncio.to_thread(_claim, db, now())
    if not claimed:
        return 0
    limit = asyncio.Semaphore(AT_ONCE)
    by_client: dict[str, list[_Due]] = {}
    for due in claimed:
        by_client.setdefault(due.client_id, []).append(due)

    async def one_platform(client: httpx.AsyncClient, deliveries: list[_Due]) -> list[_Outcome]:
        # One platform's deliveries one after the other; after a failure to reach it, its others wait for a
        # later round (released, not counted as attempts): a dead endpoint costs one timeout a round, not many.
        out: list[_Outcome] = []
        unreachable = False
        async with limit:
            for due in deliveries:
                if unreachable:
                    out.append(_Outcome(due.id, False, None, tried=False))
                    continue
                sent = await _send(client, due, secret_key, now())
                unreachable = not sent.ok and not (sent.error or "").startswith("HTTP")  # no answer at all
                out.append(sent)
        return out

    async with httpx.AsyncClient(timeout=httpx.Timeout(TIMEOUT_S), follow_redirects=False,
                                 transport=transport) as client:
        grouped = await asyncio.gather(*(one_platform(client, d) for d in by_client.values()))
    outcomes = [o for group in grouped for o in group]
    await asyncio.to_thread(_record, db, outcomes, now())
    return sum(1 for o in outcomes if o.ok)
