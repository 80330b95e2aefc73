"""The operator's "test the connection": ask a member's node the seed's three questions for a test person, with a
real signed request over real HTTP, and say what each answer was.

The request is the one an order would send: signed by a requesting member whose key this host holds, about a
person in that member's records, carrying that person's recorded consent (none if there is none, so question 2
is then really asked and answered no). The answer is checked like any other (signature against the registry,
bound to the request, about our person). The node logs it as a disclosure like any other: use a test person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from joserfc.jwk import ECKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.exchange.client import NodeClient
from vitnemal.exchange.order_round import consent_claim
from vitnemal.exchange.outcomes import Outcome, Verdict, classify
from vitnemal.exchange.service import current_consent
from vitnemal.identity.models import Person
from vitnemal.identity.national_id import InvalidNationalId, parse_national_id
from vitnemal.institutions.registry import Registry
from vitnemal.node.protocol import ResultsRequest, Subject, fetch_day, new_request_id, sign
from vitnemal.records.models import ConsentAnswer


class Reply(StrEnum):
    """One question's answer."""

    YES = "yes"
    NO = "no"
    NOT_ASKED = "not_asked"  # an earlier question was answered no (or the node did not answer at all)


@dataclass(frozen=True)
class ConnectionTest:
    """What the node said: an answer to each of the three questions, the outcome an order would have recorded,
    the counts only (never the test person's results themselves), and the technical detail for the operator."""

    node: str
    requester: str
    outcome: Outcome
    shares: Reply
    consent: Reply
    results: Reply
    detail: str
    results_count: int
    qualifications_count: int
    elapsed_ms: int

    @property
    def answers(self) -> tuple[Reply, Reply, Reply]:
        return self.shares, self.consent, self.results

    @property
    def reached(self) -> bool:
        """The node answered with a signed answer that verified (whatever it said)."""
        return self.outcome not in (Outcome.UNAVAILABLE, Outcome.REFUSED, Outcome.INVALID_ANSWER)


_ANSWERS: dict[Outcome, tuple[Reply, Reply, Reply]] = {
    Outcome.NOT_SHARING: (Reply.NO, Reply.NOT_ASKED, Reply.NOT_ASKED),
    Outcome.RESERVED: (Reply.NO, Reply.NOT_ASKED, Reply.NOT_ASKED),
    Outcome.NO_CONSENT: (Reply.YES, Reply.NO, Reply.NOT_ASKED),
    Outcome.NO_RESULTS: (Reply.YES, Reply.YES, Reply.NO),
    Outcome.IDENTITY_MISMATCH: (Reply.YES, Reply.YES, Reply.NO),
    Outcome.DEGREE_NOT_RELEASED: (Reply.YES, Reply.YES, Reply.NO),
    Outcome.IMPORTED: (Reply.YES, Reply.YES, Reply.YES),
}
_NOTHING = (Reply.NOT_ASKED, Reply.NOT_ASKED, Reply.NOT_ASKED)


def connection_request(session: Session, *, requester: str, node: str, national_id: str,
                       now: datetime) -> ResultsRequest:
    """The request ``requester`` would send ``node`` for ``national_id``, from the requester's own records.

    ValueError, saying what to do, for an invalid national id."""
    try:
        number = parse_national_id(national_id.strip()[:20])
    except InvalidNationalId as exc:
        raise ValueError(f"the test person's national id is not valid: {exc.message}") from None
    person = session.scalar(select(Person).where(Person.national_id == number.number))
    claim = None
    if person is None:
        subject = Subject(number.number)
    else:
        subject = Subject(person.national_id, tuple(person.all_ids()[1:]), person.first_name, person.last_name,
                          person.birth_date.isoformat() if person.birth_date else None)
        consent = current_consent(session, person.id)
        if consent is not None and consent.answer == ConsentAnswer.YES:
            claim = consent_claim(consent, requester)
    return ResultsRequest(requester=requester, node=node, request_id=new_request_id(),
                          issued_at=int(now.timestamp()), fetch_date=fetch_day(now).isoformat(), subject=subject,
                          consent=claim)


def _result(request: ResultsRequest, verdict: Verdict, elapsed_ms: int) -> ConnectionTest:
    shares, consent, results = _ANSWERS.get(verdict.outcome, _NOTHING)
    return ConnectionTest(request.node, request.requester, verdict.outcome, shares, consent, results,
                          verdict.message, len(verdict.results), len(verdict.qualifications), elapsed_ms)


async def ask(request: ResultsRequest, *, registry: Registry, key: ECKey, client: NodeClient,
              timeout_s: float) -> ConnectionTest:
    """Send ``request`` signed with ``key`` to its node's registered endpoint and read the three answers."""
    entry = registry.get(request.node)
    token = sign(request.payload(), request.requester, key)
    reply = await client.send(entry.node_url, token, timeout_s)
    verdict = classify(reply, node=request.node, requester=request.requester, request_id=request.request_id,
                       subject_ids=request.subject.all_ids(), registry=registry,
                       fetch_date=datetime.fromisoformat(request.fetch_date).date())
    return _result(request, verdict, reply.elapsed_ms)
