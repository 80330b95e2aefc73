"""Answering a verified results request from one institution's records, and logging the disclosure.

The answer is built and its disclosure logged in one transaction, so an answer that was not logged is never sent
and a replayed request id (the log's unique key) is refused. Queries are plain Core selects of the few columns
the answer needs: a node answers every order in the federation, so this is the hottest path there is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, TypedDict, cast

from sqlalchemy import ColumnElement, Table, bindparam, func, insert, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.models import AuditEvent
from vitnemal.audit.service import record_event
from vitnemal.db import Database, Prepared
from vitnemal.identity.models import Person, PersonIdentity
from vitnemal.node import diplomas, matching, rules
from vitnemal.node.batch import MAX_BATCH_ANSWER_BYTES, BatchRequest, answer_item
from vitnemal.node.held import Held, held_about, sharing_refusal
from vitnemal.node.protocol import LegalBasis, NodeAnswer, ResultsRequest, fetch_day
from vitnemal.node.wire import AnswerStatus as Status
from vitnemal.node.wire import BatchAnswerItem, DisclosureItem
from vitnemal.records.models import Disclosure

MAX_DISCLOSURES = 500  # newest first: enough for a person's page, bounded for the answer's size
# The log's insert, built once and run on the connection (Core, not the ORM's insert: the same row, a fraction of
# the CPU on the path every answer takes).
LOG_DISCLOSURE = insert(cast(Table, Disclosure.__table__))
# One answer's row, compiled once and run on the driver's cursor (every column but the id is given).
LOG_ONE_DISCLOSURE = Prepared(LOG_DISCLOSURE.values(
    {c.name: bindparam(c.name, type_=c.type) for c in cast(Table, Disclosure.__table__).c if c.name != "id"}).inline())
UNUSUAL_VOLUME = AuditAction.NODE_UNUSUAL_VOLUME


class ReplayedRequest(Exception):
    """The request id was answered before: a replay is refused."""


class RateLimited(Exception):
    """The requester is over its rate limit; it may ask again after ``retry_after_s`` seconds."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Throttle:
    """What a limiter says about one request: over the limit (``retry_after_s``), or, when ``flag`` is a count,
    that the requester just passed the day's unusual volume."""

    retry_after_s: int | None = None
    flag: int = 0


class RequestLimiter(Protocol):
    """Counts one request of ``requester`` in the caller's transaction (the counters are in the database, so every
    process of a node shares them), a batch question with the ``people`` it asks about; entry points provide one
    (``node.routes.database_limiter``). A refused request's transaction is rolled back (the callers here raise
    RateLimited inside it), so what the limiter counted for it is not kept."""

    def __call__(self, session: Session, requester: str, now: datetime, people: int = 0) -> Throttle: ...


def _same_name_and_birth_date(session: Session, request: ResultsRequest) -> bool:
    subj = request.subject
    born = matching.stated_birth_date(subj)
    if not (subj.first_name and subj.last_name and born):
        return False
    found = session.scalar(
        select(func.count(Person.id)).where(
            func.lower(Person.first_name) == subj.first_name.lower(),
            func.lower(Person.last_name) == subj.last_name.lower(),
            Person.birth_date == born,
        )
    )
    return bool(found)


def _fetch_date(request: ResultsRequest, now: datetime) -> date:
    # The release rule is the node's to apply: a fetch date in the future must not release unissued degrees.
    return min(date.fromisoformat(request.fetch_date), fetch_day(now))


def _records_answer(session: Session, request: ResultsRequest, base: NodeAnswer, now: datetime,
                    found: matching.Match | matching.NoMatch | None = None, same_name: bool | None = None,
                    held: dict[int, Held] | None = None) -> tuple[NodeAnswer, matching.Match | None]:
    """Question 3: passed results and released qualifications of the person, if the node holds any. A batch
    passes whom it ``found``, whether someone of the ``same_name`` and birth date is here, and what is ``held``
    about those found, looked up for all its applicants at once."""
    person = matching.find_subject(session, request.subject) if found is None else found
    if isinstance(person, matching.NoMatch):
        if person.mismatch:
            return replace(base, status=Status.IDENTITY_MISMATCH, message=person.mismatch), None
        if _same_name_and_birth_date(session, request) if same_name is None else same_name:
            return replace(
                base, status=Status.IDENTITY_MISMATCH,
                message="A person with the same name and birth date is registered here under another national id. "
                "Ask the student to have this institution update the national id in its records.",
            ), None
        return replace(base, status=Status.NO_RESULTS, message="No results are registered for this person."), None
    if held is None:
        held = held_about(session, [person.person_id], _fetch_date(request, now),
                     owner=request.basis is LegalBasis.OWNER_LOGIN)
    results, qualifications, withheld = held[person.person_id]
    # The answer names the id that matched; under an earlier one (an old D-number) it says so, so it can be fixed.
    matched = person.matched_id
    if not results and not qualifications:
        if withheld:
            return replace(base, status=Status.DEGREE_NOT_RELEASED, matched_id=matched, withheld=withheld,
                              message="A degree is registered, but its diploma was not issued before the fetch "
                              "date."), person
        return replace(base, status=Status.NO_RESULTS, matched_id=matched,
                          message="No passed results are registered for this person."), person
    message = ""
    if matched != request.subject.national_id:
        message = (f"Found under the earlier national id {matched}. Ask the student to have this institution "
                   "update the national id in its records.")
    elif person.national_id != matched:
        message = ("The national id asked with is an earlier id of this person here; they have a newer one. "
                   "Update the student's national id in your records.")
    return replace(base, status=Status.OK, message=message, matched_id=matched, results=results,
                      qualifications=qualifications, withheld=withheld), person


def _base(request: ResultsRequest, node_code: str, now: datetime) -> NodeAnswer:
    """The envelope every answer to ``request`` shares; each answer says what it answers."""
    return NodeAnswer(node=node_code, requester=request.requester, in_reply_to=request.request_id,
                      issued_at=int(now.timestamp()), subject=request.subject.national_id, status=Status.NO_RESULTS)


def _before_records(request: ResultsRequest, base: NodeAnswer, refusal: str | None,
                    now: datetime) -> NodeAnswer | None:
    """Questions 1 and 2 (shares? consent?): the answer when either says no, else None."""
    if refusal == "not_sharing":
        return replace(base, status=Status(refusal), message="This institution does not share results.")
    if refusal == "reserved":
        return replace(base, status=Status(refusal), message="This institution has reserved itself against exchange.")
    # Question 2 under a consent; under the owner's login the login is the basis (checked with the request).
    consent_problem = (rules.consent_refusal(request.consent, request.requester, now)
                       if request.basis is LegalBasis.CONSENT else None)
    if consent_problem:
        return replace(base, status=Status.NO_CONSENT, message=consent_problem)
    return None


def build_answer(session: Session, request: ResultsRequest, node_code: str, now: datetime,
                 documents_root: Path | None = None) -> tuple[NodeAnswer, matching.Match | None]:
    """Answer the seed's three questions in order; return the (unsigned) answer and the person it disclosed."""
    base = _base(request, node_code, now)
    refused = _before_records(request, base, sharing_refusal(session), now)
    if refused is not None:
        return refused, None
    if request.diploma is not None and request.basis is LegalBasis.OWNER_LOGIN:
        return diplomas.diploma_answer(session, request, base, documents_root)
    return _records_answer(session, request, base, now)


def answer_request(db: Database, request: ResultsRequest, node_code: str, now: datetime,
                   limiter: RequestLimiter | None = None, documents_root: Path | None = None) -> NodeAnswer:
    """Build the answer and log its disclosure in one transaction; raise ReplayedRequest for a reused request id,
    RateLimited when ``limiter`` says the requester must slow down (then nothing is counted, logged or disclosed).
    ``documents_root`` is where issued documents' ``storage_path`` is relative to (the settings' home)."""
    try:
        with db.session() as session:
            if limiter is not None:
                throttle = limiter(session, request.requester, now)
                if throttle.retry_after_s is not None:
                    raise RateLimited(throttle.retry_after_s)
                if throttle.flag:
                    record_event(session, actor=f"node:{node_code}", action=UNUSUAL_VOLUME,
                                 detail=f"{request.requester} has passed {throttle.flag} requests today")
            answer, match = build_answer(session, request, node_code, now, documents_root)
            LOG_ONE_DISCLOSURE.execute(session, disclosure_row(request, answer, match, now))
            if request.disclosures and request.basis is LegalBasis.OWNER_LOGIN:
                answer = replace(answer, disclosures=disclosures_about(session, request.subject.national_id))
    except IntegrityError:
        raise ReplayedRequest(request.request_id) from None
    return answer


def disclosure_row(request: ResultsRequest, answer: NodeAnswer, match: matching.Match | None,
                   now: datetime) -> dict[str, Any]:
    """The log's row for one answer. It files the disclosure under the id actually disclosed (an earlier id, when
    that matched)."""
    return {
        "at": now, "requester_code": request.requester, "request_id": request.request_id,
        "national_id": match.matched_id if match else request.subject.national_id,
        "person_id": match.person_id if match else None, "answer": answer.status,
        "results_count": len(answer.results),
        "qualifications_count": len(answer.qualifications) + (answer.diploma is not None),
        "document_id": answer.diploma.document_id if answer.diploma is not None else None,
        **_basis_columns(request),
    }


def _when(text: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def _basis_columns(request: ResultsRequest) -> dict[str, Any]:
    consent, login = request.consent, request.login
    return {
        "basis": request.basis.value,
        "consent_given_at": _when(consent.answered_at) if consent else None,
        "consent_reference": (consent.reference or None) if consent else None,
        "login_at": _when(login.authenticated_at) if login else None,
        "login_acr": login.acr if login else None,
    }


def disclosures_about(session: Session, national_id: str, limit: int = MAX_DISCLOSURES) -> list[DisclosureItem]:
    """Every request this node logged about the person with ``national_id`` (their earlier ids here included),
    newest first: who asked, when, on which legal basis (the consent's date and the requester's reference, or
    the owner's own login), what was answered and how much was disclosed."""
    person_id = session.scalar(select(Person.id).where(Person.national_id == national_id))
    ids = [national_id]
    about: ColumnElement[bool] = Disclosure.national_id.in_(ids)
    if person_id is not None:
        ids += session.scalars(select(PersonIdentity.national_id).where(PersonIdentity.person_id == person_id)).all()
        about = or_(Disclosure.person_id == person_id, Disclosure.national_id.in_(ids))
    rows = session.scalars(select(Disclosure).where(about).order_by(Disclosure.at.desc(), Disclosure.id.desc())
                           .limit(limit)).all()
    return [DisclosureItem.model_construct(
        at=r.at, requester=r.requester_code, basis=r.basis,
        recipient="owner_via_portal" if r.basis == LegalBasis.OWNER_LOGIN else "requester",
        disclosed_to=("the owner via the portal" if r.basis == LegalBasis.OWNER_LOGIN
                      else f"institution {r.requester_code}"),
        national_id=r.national_id, answer=r.answer, results_count=r.results_count,
        qualifications_count=r.qualifications_count, consent_given_at=r.consent_given_at,
        consent_reference=r.consent_reference, login_at=r.login_at, login_acr=r.login_acr,
        document_id=r.document_id,
    ) for r in rows]


def view_disclosures_about(session: Session, national_id: str, *, actor: str, now: datetime) -> list[DisclosureItem]:
    """``disclosures_about`` for staff, recorded as ``actor``'s look at the disclosure log: the same audit event as
    the log page searched for the person's national id."""
    from vitnemal.records.disclosure_log import LogQuery, record_look

    items = disclosures_about(session, national_id)
    record_look(session, LogQuery(q=national_id), actor=actor, now=now)
    return items


class VolumeFlag(TypedDict):
    """A flag of an unusual request volume: when (ISO 8601), which node flagged it, and what (requester, count)."""

    at: str
    node: str
    detail: str | None


def volume_flags(session: Session, limit: int = 200) -> list[VolumeFlag]:
    """The node's flags of unusual request volumes (newest first), for operators."""
    rows = session.execute(select(AuditEvent.at, AuditEvent.actor, AuditEvent.detail)
                           .where(AuditEvent.action == UNUSUAL_VOLUME)
                           .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)).all()
    return [{"at": r.at.isoformat(), "node": r.actor, "detail": r.detail} for r in rows]


# --- the batch question (issue 14) ----------------------------------------------------------------------------------

def _same_names_and_birth_dates(session: Session, requests: Sequence[ResultsRequest]) -> list[bool]:
    """:func:`_same_name_and_birth_date` for each request, in one query (the same comparison: lower-cased names
    and the stated birth date)."""
    wanted: dict[int, tuple[str, str, date]] = {}
    for n, request in enumerate(requests):
        subj, born = request.subject, matching.stated_birth_date(request.subject)
        if subj.first_name and subj.last_name and born:
            wanted[n] = (subj.first_name.lower(), subj.last_name.lower(), born)
    if not wanted:
        return [False] * len(requests)
    here = set(session.execute(
        select(func.lower(Person.first_name), func.lower(Person.last_name), Person.birth_date)
        .where(tuple_(func.lower(Person.first_name), func.lower(Person.last_name), Person.birth_date)
               .in_(list(set(wanted.values()))))).all())
    return [n in wanted and wanted[n] in here for n in range(len(requests))]


def answer_batch(db: Database, batch: BatchRequest, node_code: str, now: datetime,
                 limiter: RequestLimiter | None = None) -> list[BatchAnswerItem]:
    """Answer each applicant of a batch question as a single request about them would be answered, and log each
    disclosure on its own row, all in one transaction; an applicant whose answer would take the batch's answer
    past :data:`~vitnemal.node.batch.MAX_BATCH_ANSWER_BYTES` is answered ``ask_alone`` and neither disclosed nor
    logged. Raises ReplayedRequest when an item id was answered before, RateLimited as :func:`answer_request`
    (the batch is one message to the limiter, and its people are counted against the people a minute and the
    day's flag)."""
    requests = batch.item_requests()
    items: list[BatchAnswerItem] = []
    try:
        with db.session() as session:
            if limiter is not None:
                throttle = limiter(session, batch.requester, now, len(requests))
                if throttle.retry_after_s is not None:
                    raise RateLimited(throttle.retry_after_s)
                if throttle.flag:
                    record_event(session, actor=f"node:{node_code}", action=UNUSUAL_VOLUME,
                                 detail=f"{batch.requester} has passed {throttle.flag} people asked about today")
            refusal = sharing_refusal(session)
            answers: list[tuple[ResultsRequest, NodeAnswer | None, matching.Match | None]] = []
            to_look_up = []
            for request in requests:
                refused = _before_records(request, _base(request, node_code, now), refusal, now)
                answers.append((request, refused, None))
                if refused is None:
                    to_look_up.append(len(answers) - 1)
            asked = [requests[n] for n in to_look_up]
            found = matching.find_subjects(session, [r.subject for r in asked])
            names = _same_names_and_birth_dates(session, [r for r, f in zip(asked, found, strict=True)
                                                          if isinstance(f, matching.NoMatch) and not f.mismatch])
            no_match = iter(names)
            people = list({f.person_id for f in found if isinstance(f, matching.Match)})
            held = held_about(session, people, _fetch_date(requests[0], now)) if people else {}
            for n, f in zip(to_look_up, found, strict=True):
                same = next(no_match) if isinstance(f, matching.NoMatch) and not f.mismatch else False
                request = requests[n]
                records, match = _records_answer(session, request, _base(request, node_code, now), now, f, same,
                                                 held)
                answers[n] = (request, records, match)
            rows, size = [], 0
            for request, given, match in answers:
                answer: NodeAnswer | None = given
                item = answer_item(request.request_id, answer, request.subject.national_id)
                if answer is not None and (answer.results or answer.qualifications):
                    size += len(json.dumps(item.model_dump(mode="json", warnings=False), ensure_ascii=False))
                    if size > MAX_BATCH_ANSWER_BYTES:  # kept out: neither disclosed nor logged
                        answer = None
                        item = answer_item(request.request_id, None, request.subject.national_id)
                if answer is not None:
                    rows.append(disclosure_row(request, answer, match, now))
                items.append(item)
            if rows:  # Core, not the ORM's bulk insert: the same rows, a third of the time
                session.connection().execute(LOG_DISCLOSURE, rows)
    except IntegrityError:
        raise ReplayedRequest(batch.request_id) from None
    return items
