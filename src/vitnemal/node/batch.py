"""The batch question (issue 14): one signed admission request asking a node about up to
:data:`~vitnemal.node.wire.MAX_BATCH` applicants, each on their own admission consent, answered per applicant.

Why a batch: an admission round asks every node about every applicant, and most answers are "no results". Asked one
request each, 50 applicants a second are 2,500 signed requests a second across the federation, each costing a
signature checked and made, a rate counter written and a transaction committed at the node, which is where the
time went (see docs/admissions.md, "Throughput"). One batch of 100 costs that once, plus the indexed look-ups.

Each item carries its own id, which is the request id of that applicant's row in the node's disclosure log: every
applicant is logged on their own, with their own consent's date and reference, and a replayed batch is refused by
the log's unique key exactly as a replayed single request is. Each item becomes a :class:`ResultsRequest`
(:meth:`BatchRequest.item_requests`), so the node asks the seed's three questions about it with the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from vitnemal.identity.national_id import InvalidNationalId, earlier_id_refusal
from vitnemal.node.matching import parsed
from vitnemal.node.protocol import (
    ConsentClaim,
    NodeAnswer,
    Payload,
    ProtocolError,
    ResultsRequest,
    Subject,
    _check_version,
    _first_error,
)
from vitnemal.node.wire import (
    ASK_ALONE,
    AnswerStatus,
    BatchAnswerEnvelope,
    BatchAnswerItem,
    BatchItemWire,
    BatchRequestEnvelope,
    ConsentWire,
    SubjectWire,
)
from vitnemal.records.models import CONSENT_ADMISSION

BATCH_PATH = "exchange/v1/batch"
# A batch question is about 100 applicants with names and consents: about 40 KB. Bounded well above that.
MAX_BATCH_REQUEST_BYTES = 256 * 1024
# The answer about the applicants of one batch, as JSON: half a single answer's 16 MB, so that it always fits;
# an applicant whose results would pass it is answered ``ask_alone`` (nothing disclosed) and asked alone.
MAX_BATCH_ANSWER_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class BatchItem:
    item_id: str
    subject: Subject
    consent: ConsentClaim


@dataclass(frozen=True)
class BatchRequest:
    requester: str
    node: str
    request_id: str
    issued_at: int
    fetch_date: str
    items: tuple[BatchItem, ...]
    purpose: str = CONSENT_ADMISSION

    def payload(self) -> Payload:
        envelope = BatchRequestEnvelope.model_construct(
            iss=self.requester, aud=self.node, jti=self.request_id, iat=self.issued_at, purpose=self.purpose,
            fetch_date=self.fetch_date,
            items=[BatchItemWire.model_construct(
                id=i.item_id,
                subject=SubjectWire.model_construct(
                    national_id=i.subject.national_id, earlier_ids=list(i.subject.earlier_ids),
                    first_name=i.subject.first_name, last_name=i.subject.last_name, birth_date=i.subject.birth_date),
                # Field by field: dataclasses.asdict copies deeply and was a sixth of the worker's event loop.
                consent=ConsentWire.model_construct(
                    type=i.consent.type, answer=i.consent.answer, answered_at=i.consent.answered_at,
                    recorded_by=i.consent.recorded_by, reference=i.consent.reference)) for i in self.items])
        return envelope.model_dump(mode="json", warnings=False)

    def item_requests(self) -> list[ResultsRequest]:
        """Each applicant as the single request it stands for (its request id is the item's id)."""
        return [ResultsRequest(requester=self.requester, node=self.node, request_id=i.item_id,
                               issued_at=self.issued_at, fetch_date=self.fetch_date, subject=i.subject,
                               consent=i.consent) for i in self.items]


def parse_batch_request(payload: Payload) -> BatchRequest:
    """Validate a verified batch payload, or raise ProtocolError("malformed"): the envelope, every national id,
    and no item id or applicant twice."""
    _check_version(payload)
    try:
        envelope = BatchRequestEnvelope.model_validate(payload)
    except ValidationError as exc:
        raise ProtocolError("malformed", f"batch question has a malformed field: {_first_error(exc)}") from None
    items: list[BatchItem] = []
    for n, wire in enumerate(envelope.items, 1):
        subj = wire.subject
        try:
            parsed(subj.national_id)
            for number in subj.earlier_ids:
                refusal = earlier_id_refusal(parsed(number))
                if refusal:
                    raise ProtocolError("malformed", f"item {n} names an earlier id that cannot be one: {refusal}")
        except InvalidNationalId as exc:
            raise ProtocolError("malformed", f"item {n} names an invalid national id: {exc.message}") from None
        c = wire.consent
        items.append(BatchItem(wire.id, Subject(subj.national_id, tuple(subj.earlier_ids), subj.first_name or "",
                                                subj.last_name or "", subj.birth_date),
                               ConsentClaim(c.type, c.answer, c.answered_at, c.recorded_by, c.reference or "")))
    if len({i.item_id for i in items}) != len(items):
        raise ProtocolError("malformed", "batch question names one item id twice")
    if len({i.subject.national_id for i in items}) != len(items):
        raise ProtocolError("malformed", "batch question asks about one national id twice")
    return BatchRequest(requester=envelope.iss, node=envelope.aud, request_id=envelope.jti, issued_at=envelope.iat,
                        fetch_date=envelope.fetch_date, items=tuple(items), purpose=envelope.purpose)


def answer_item(item_id: str, answer: NodeAnswer | None, subject: str) -> BatchAnswerItem:
    """One applicant's part of a batch answer; ``None`` is an applicant kept out of it (``ask_alone``)."""
    if answer is None:
        return BatchAnswerItem.model_construct(id=item_id, subject=subject, status=ASK_ALONE, message=None,
                                               matched_id=None, results=[], qualifications=[], withheld=[],
                                               disclosures=[])
    return BatchAnswerItem.model_construct(
        id=item_id, subject=answer.subject, status=answer.status, message=answer.message,
        matched_id=answer.matched_id, results=answer.results, qualifications=answer.qualifications,
        withheld=answer.withheld, disclosures=[])


def batch_answer_payload(node: str, requester: str, in_reply_to: str, issued_at: int,
                         items: list[BatchAnswerItem]) -> Payload:
    return BatchAnswerEnvelope.model_construct(iss=node, aud=requester, in_reply_to=in_reply_to, iat=issued_at,
                                               items=items).model_dump(mode="json", warnings=False)


def parse_batch_answer(payload: Payload) -> BatchAnswerEnvelope:
    """Validate a verified batch answer payload, or raise ProtocolError("malformed")."""
    _check_version(payload)
    try:
        return BatchAnswerEnvelope.model_validate(payload)
    except ValidationError as exc:
        raise ProtocolError("malformed", f"batch answer has a malformed field: {_first_error(exc)}") from None


def item_answer(envelope: BatchAnswerEnvelope, item: BatchAnswerItem) -> NodeAnswer:
    """One answered applicant as the single answer it stands for (bound to the item's id), for the requester's
    usual checks (:func:`vitnemal.exchange.outcomes.judge`). Not for an ``ask_alone`` item."""
    if item.status == ASK_ALONE:
        raise ValueError("an ask_alone item carries no answer")
    return NodeAnswer(node=envelope.iss, requester=envelope.aud, in_reply_to=item.id, issued_at=envelope.iat,
                      subject=item.subject, status=AnswerStatus(item.status), message=item.message or "",
                      matched_id=item.matched_id, results=item.results, qualifications=item.qualifications,
                      withheld=item.withheld)
