"""What a node's reply means for the requester: one outcome per institution, decided without I/O.

A reply is checked in this order: did it arrive at all (else unavailable, retried later), did the node refuse the
request (refused), is it a JWS signed by that node's registered key and bound to our request (else invalid answer),
is it about our person (else identity mismatch), are its results well-formed (else invalid answer). Only then does
its own status count. Nothing from a reply that fails a check is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum

from vitnemal.institutions.registry import Registry
from vitnemal.node.protocol import NodeAnswer, ProtocolError, Refusal, parse_answer, verify
from vitnemal.node.rules import is_released
from vitnemal.node.wire import AnswerStatus, DiplomaRef, DisclosureItem, QualificationItem, ResultItem


class Outcome(StrEnum):
    IMPORTED = "imported"
    NO_RESULTS = "no_results"
    NO_CONSENT = "no_consent"
    NOT_SHARING = "not_sharing"
    RESERVED = "reserved"
    UNAVAILABLE = "unavailable"
    INVALID_ANSWER = "invalid_answer"
    IDENTITY_MISMATCH = "identity_mismatch"
    DEGREE_NOT_RELEASED = "degree_not_released"
    REFUSED = "refused"


# Norwegian labels for the case worker's screen and the CLI (FS's own wording where it has one).
OUTCOME_LABELS_NB = {
    Outcome.IMPORTED: "Importert",
    Outcome.NO_RESULTS: "Ingen resultater",
    Outcome.NO_CONSENT: "Mangler samtykke",
    Outcome.NOT_SHARING: "Deler ikke resultater",
    Outcome.RESERVED: "Reservert mot utveksling",
    Outcome.UNAVAILABLE: "Utilgjengelig",
    Outcome.INVALID_ANSWER: "Ugyldig svar",
    Outcome.IDENTITY_MISMATCH: "Avvik i fødselsnummer",
    Outcome.DEGREE_NOT_RELEASED: "Grad ikke frigitt (vitnemål ikke utstedt)",
    Outcome.REFUSED: "Forespørselen ble avvist",
}

_STATUS_OUTCOMES = {
    AnswerStatus.NOT_SHARING: Outcome.NOT_SHARING,
    AnswerStatus.RESERVED: Outcome.RESERVED,
    AnswerStatus.NO_CONSENT: Outcome.NO_CONSENT,
    AnswerStatus.NO_RESULTS: Outcome.NO_RESULTS,
    AnswerStatus.IDENTITY_MISMATCH: Outcome.IDENTITY_MISMATCH,
    AnswerStatus.DEGREE_NOT_RELEASED: Outcome.DEGREE_NOT_RELEASED,
}

@dataclass(frozen=True)
class Reply:
    """What the transport got back: an HTTP status and body, or an error (connection refused, deadline passed)."""

    status_code: int | None
    body: bytes
    error: str | None
    elapsed_ms: int


@dataclass(frozen=True)
class ImportedResult:
    key: str
    course_code: str
    name_nb: str
    name_en: str
    kind: str
    thesis_title: str | None
    year: int
    season: str
    credits: Decimal
    grade: str
    grading_scale: str
    description_nb: str | None
    description_en: str | None


@dataclass(frozen=True)
class ImportedLink:
    result_key: str
    group_nb: str | None
    group_en: str | None
    credits_counted: Decimal | None


@dataclass(frozen=True)
class ImportedQualification:
    key: str
    code: str
    name_nb: str
    name_en: str
    level: str
    programme_name_nb: str | None
    programme_name_en: str | None
    specialisation_nb: str | None
    specialisation_en: str | None
    credits: Decimal
    award_date: date
    diploma_issued_on: date | None
    links: tuple[ImportedLink, ...]


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    message: str
    results: tuple[ImportedResult, ...] = ()
    qualifications: tuple[ImportedQualification, ...] = ()
    retry: bool = False
    # A node that said "slow down" (429) names when to ask again; otherwise the retry policy decides.
    retry_after_s: int | None = None
    # An owner_login answer that was asked for them: the node's log of disclosures about the owner.
    disclosures: tuple[DisclosureItem, ...] = ()
    # Only in an answer to the owner's login: the diploma sets issued for each qualification (by its key).
    diplomas: dict[str, tuple[DiplomaRef, ...]] = field(default_factory=dict)


def _result(item: ResultItem) -> ImportedResult:
    # The wire model was validated on receipt (node.protocol.parse_answer): bounds, types, VÅR/HØST, credits.
    return ImportedResult(**{f.name: getattr(item, f.name) for f in fields(ImportedResult)})


def _qualification(item: QualificationItem, result_keys: set[str]) -> ImportedQualification:
    for link in item.courses:
        if link.result_key not in result_keys:
            raise ValueError(f"qualification {item.code} links to {link.result_key}, which is not among the results")
    links = tuple(ImportedLink(link.result_key, link.group_nb, link.group_en, link.credits_counted)
                  for link in item.courses)
    return ImportedQualification(**{f.name: getattr(item, f.name) for f in fields(ImportedQualification)
                                    if f.name != "links"}, links=links)


def _parse_contents(answer: NodeAnswer) -> tuple[tuple[ImportedResult, ...], tuple[ImportedQualification, ...]]:
    results = tuple(_result(item) for item in answer.results)
    keys = {r.key for r in results}
    if len(keys) != len(results):
        raise ValueError("the same result appears twice")
    return results, tuple(_qualification(item, keys) for item in answer.qualifications)


def classify(
    reply: Reply, *, node: str, requester: str, request_id: str, subject_ids: tuple[str, ...], registry: Registry,
    fetch_date: date,
) -> Verdict:
    """Decide what ``reply`` from ``node`` means; see the module docstring for the order of the checks.

    Never raises: whatever a reply contains, it becomes that node's own outcome, so one broken or hostile node
    cannot stop the round for the others.
    """
    try:
        return _classify(reply, node=node, requester=requester, request_id=request_id, subject_ids=subject_ids,
                         registry=registry, fetch_date=fetch_date)
    except Exception as exc:  # hostile input must never escape as an exception (see the docstring)
        return Verdict(Outcome.INVALID_ANSWER, f"{node}'s answer could not be read ({type(exc).__name__})")


def _classify(
    reply: Reply, *, node: str, requester: str, request_id: str, subject_ids: tuple[str, ...], registry: Registry,
    fetch_date: date,
) -> Verdict:
    if reply.error is not None or reply.status_code is None or reply.status_code >= 500:
        why = reply.error or f"HTTP {reply.status_code}"
        return Verdict(Outcome.UNAVAILABLE, f"{node} did not answer ({why})", retry=True)
    if reply.status_code >= 400:
        refusal = Refusal.from_body(reply.status_code, reply.body)
        # A stale, replayed or rate-limited refusal is about this attempt (clock skew, a retried request, too many
        # at once), not the requester: the next attempt is signed afresh, so it is asked again like a node that
        # was down.
        return Verdict(Outcome.REFUSED, f"{node} refused the request (HTTP {reply.status_code}: {refusal.reason}: "
                       f"{refusal.message})", retry=refusal.passing, retry_after_s=refusal.retry_after_s)
    try:
        # verify() bounds the header and the payload in size and depth before either is parsed.
        _, payload = verify(reply.body, registry, expected_signer=node)
        answer = parse_answer(payload)
    except ProtocolError as exc:
        return Verdict(Outcome.INVALID_ANSWER, f"{node}'s answer was rejected: {exc.message}")
    return judge(answer, node=node, requester=requester, request_id=request_id, subject_ids=subject_ids,
                 fetch_date=fetch_date)


def judge(answer: NodeAnswer, *, node: str, requester: str, request_id: str, subject_ids: tuple[str, ...],
          fetch_date: date) -> Verdict:
    """What a verified, well-formed answer says: the checks after the signature (bound to our request, about our
    person, results well-formed, degrees released), then its own status. An admission's batch answer is judged
    per applicant through this too (``admissions.batch``)."""
    if answer.node != node or answer.requester != requester or answer.in_reply_to != request_id:
        return Verdict(Outcome.INVALID_ANSWER, f"{node}'s answer is not an answer to this request")
    if answer.subject not in subject_ids or (answer.matched_id and answer.matched_id not in subject_ids):
        return Verdict(Outcome.IDENTITY_MISMATCH,
                       f"{node} answered about another person ({answer.subject}); nothing was imported")
    disclosures = tuple(answer.disclosures)
    if answer.status != AnswerStatus.OK:
        return Verdict(_STATUS_OUTCOMES[answer.status], answer.message, disclosures=disclosures)
    try:
        results, qualifications = _parse_contents(answer)
    except (KeyError, TypeError, ValueError) as exc:
        return Verdict(Outcome.INVALID_ANSWER, f"{node}'s answer has a malformed result: {exc}")
    unreleased = [q.code for q in qualifications if not is_released(q.diploma_issued_on, fetch_date)]
    if unreleased:
        return Verdict(Outcome.INVALID_ANSWER,
                       f"{node} sent degrees whose diploma is not issued before the fetch date: {unreleased}")
    notes = [answer.message] if answer.message else []
    if answer.withheld:
        names = ", ".join(w.name_nb or w.code for w in answer.withheld)
        notes.append(f"Not released (diploma not issued before the fetch date): {names}")
    if not results and not qualifications:
        return Verdict(Outcome.NO_RESULTS, " ".join(notes) or "no passed results", disclosures=disclosures)
    diplomas = {item.key: tuple(item.diplomas) for item in answer.qualifications if item.diplomas}
    return Verdict(Outcome.IMPORTED, " ".join(notes), results, qualifications, disclosures=disclosures,
                   diplomas=diplomas)
