"""One round of an order: ask every due institution in parallel, check each reply, record each outcome.

Every reply is recorded as soon as it arrives, in its own transaction, so a slow node never holds up what the fast
ones sent, and a worker that dies mid-order loses at most the replies it had not yet recorded (those institutions
are still "pending" and are asked again by whichever worker takes the order over).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from anyio.to_thread import run_sync as run_in_thread  # the pool FastAPI's run_in_threadpool uses
from sqlalchemy import select

from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.exchange import lifecycle, service
from vitnemal.exchange.client import NodeClient
from vitnemal.exchange.models import ResultsOrder
from vitnemal.exchange.outcomes import Outcome, Reply, Verdict, classify
from vitnemal.exchange.states import OrderStatus, RetryPolicy
from vitnemal.identity.models import Person
from vitnemal.institutions.registry import Registry
from vitnemal.node.protocol import ConsentClaim, ResultsRequest, Subject, fetch_day, new_request_id, sign
from vitnemal.records.models import CONSENT_RESULTS_EXCHANGE, Consent, ConsentAnswer

log = logging.getLogger("vitnemal.exchange")


@dataclass(frozen=True)
class Planned:
    institution: str
    node_url: str
    source_name: str
    request_id: str
    token: str


@dataclass(frozen=True)
class RoundPlan:
    subject_ids: tuple[str, ...]
    fetch_date: Any
    calls: tuple[Planned, ...]
    withdrawn: tuple[str, ...]  # institutions not asked because consent is gone
    gone: tuple[str, ...] = ()  # institutions that left the registry since the order was placed


def consent_claim(consent: Consent, own: str) -> ConsentClaim:
    """The claim a request carries for the student's recorded consent at ``own`` (its date and our reference)."""
    return ConsentClaim(CONSENT_RESULTS_EXCHANGE, consent.answer, consent.answered_at.isoformat(), own,
                        reference=f"{own}/consent/{consent.id}")


def plan_round(db: Database, order_id: int, own: str, registry: Registry, key: Any, now: datetime) -> RoundPlan | None:
    """Build the signed requests for every institution due in this round (or note that consent is gone)."""
    with db.read_session() as session:
        order = session.get(ResultsOrder, order_id)
        if order is None:
            return None
        person = session.scalars(select(Person).where(Person.id == order.person_id)).one()
        subject = Subject(person.national_id, tuple(person.all_ids()[1:]), person.first_name, person.last_name,
                          person.birth_date.isoformat() if person.birth_date else None)
        due = [o.institution_code for o in lifecycle.due_outcomes(session, order_id, now)]
        consent = service.current_consent(session, person.id)
        if consent is None or consent.answer != ConsentAnswer.YES:
            # Consent withdrawn after ordering: nobody may be asked any more.
            return RoundPlan(subject.all_ids(), fetch_day(now), (), tuple(due))
        # The consent's date and our reference to it (its row here) travel with the request and go into every
        # node's disclosure log, so a disclosure can be traced back to the consent it relied on.
        claim = consent_claim(consent, own)
    calls = []
    gone = []
    # Every node's request is the same but for whom it is to and its id: the payload is built once.
    template = ResultsRequest(requester=own, node="", request_id="", issued_at=int(now.timestamp()),
                              fetch_date=fetch_day(now).isoformat(), subject=subject, consent=claim).payload()
    for code in due:
        entry = registry.institutions.get(code)
        if entry is None or entry.withdrawn:  # taken out by the operator after the order was placed
            gone.append(code)
            continue
        request_id = new_request_id()
        payload = {**template, "aud": code, "jti": request_id}
        calls.append(Planned(code, entry.node_url, entry.name_nb, request_id, sign(payload, own, key)))
    return RoundPlan(subject.all_ids(), fetch_day(now), tuple(calls), (), tuple(gone))


async def run_round(*, db: Database, order_id: int, own: str, owner: str, registry: Registry, key: Any,
                    client: NodeClient, settings: Settings) -> OrderStatus | None:
    """Ask every institution due for ``order_id`` and record each outcome; return the order's new status.

    Replies are recorded in batches: whatever arrived while the previous batch was being written goes into the
    next transaction. One lock and one commit per batch instead of per reply keeps the requester's database and
    CPU out of the order's critical path, which is the slowest node.
    """
    now = datetime.now(UTC)
    # One look at the registry for the round: a live one checks its file (a stat) on every look, and a round looks
    # for every node twice; the round also sees one registry throughout.
    registry = Registry(registry.institutions)
    plan = await run_in_thread(plan_round, db, order_id, own, registry, key, now)
    if plan is None:
        return None
    policy = RetryPolicy(settings.retry_after_s, settings.max_attempts)

    def write(batch: list[service.Answered], finish: bool) -> OrderStatus | None:
        with db.session() as session:
            if batch:
                service.record_outcomes(session, order_id=order_id, owner=owner, answered=batch,
                                        now=datetime.now(UTC), policy=policy, lease_s=settings.lease_s)
            if finish:
                return lifecycle.finish_round(session, order_id=order_id, owner=owner, now=datetime.now(UTC))
        return None

    def record(batch: list[service.Answered], finish: bool) -> OrderStatus | None:
        try:
            return write(batch, finish)
        except Exception:
            if not batch:
                raise
        # One reply in the batch could not be stored (say, two qualifications under one key): store each reply on
        # its own so the others are kept, and record the one that fails as an invalid answer with nothing
        # imported. Every node that answered thus has an outcome and is never asked again when the order is taken
        # over; only a database that refuses every write still fails the round.
        for item in batch:
            try:
                write([item], False)
            except Exception as exc:
                log.warning("answer from %s to order %s could not be stored", item.institution, order_id,
                            exc_info=True)
                unstored = Verdict(Outcome.INVALID_ANSWER, f"{item.institution}'s answer could not be stored "
                                   f"({type(exc).__name__}); nothing from it was imported")
                write([replace(item, verdict=unstored)], False)
        return write([], finish)

    pending = [service.Answered(code, registry.institutions[code].name_nb if code in registry else code,
                                Verdict(Outcome.NO_CONSENT, "The student's consent (RESUTVEKSL) is withdrawn or "
                                        "missing; this institution was not asked."), 0)
               for code in plan.withdrawn]
    pending += [service.Answered(code, code, Verdict(Outcome.UNAVAILABLE, "No longer in the federation's registry; "
                                                     "it was not asked."), 0) for code in plan.gone]
    writing: asyncio.Task[OrderStatus | None] | None = None

    async def ask(call: Planned) -> tuple[Planned, Reply]:
        try:
            return call, await client.send(call.node_url, call.token, settings.node_timeout_s)
        except Exception as exc:  # a client that fails for one node is that node not answering, not a lost round
            log.warning("asking %s for order %s failed", call.institution, order_id, exc_info=True)
            return call, Reply(None, b"", type(exc).__name__, 0)

    for next_reply in asyncio.as_completed([ask(c) for c in plan.calls]):
        call, reply = await next_reply
        verdict = classify(reply, node=call.institution, requester=own, request_id=call.request_id,
                           subject_ids=plan.subject_ids, registry=registry, fetch_date=plan.fetch_date)
        pending.append(service.Answered(call.institution, call.source_name, verdict, reply.elapsed_ms))
        if writing is None or writing.done():
            if writing is not None:
                await writing  # surfaces a failed write instead of losing it
            batch, pending = pending, []
            writing = asyncio.ensure_future(run_in_thread(record, batch, False))
    if writing is not None:
        await writing
    return await run_in_thread(record, pending, True)
