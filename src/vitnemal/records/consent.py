"""The student's own answer to the RESUTVEKSL question (StudentWeb's akseptanse), the applicant's answer to the
admission question (OPPTAK), and their histories.

The student's answer is a row of ``Consent`` (FS: "Akseptanse for person", type RESUTVEKSL, J/N, with its date);
the newest holds. Withdrawing is answering N: the history keeps when consent was given and when it was withdrawn,
and an order placed before a withdrawal asks nobody more (see exchange.order_round). Every answer is an audit event.

The applicant's answer is a row of ``AdmissionConsent`` in the database of the admission where it was given (Samordna
opptak's, or the institution's for its local admission), held by national id since an applicant is not one of the
records' people; the same rules hold (newest answer holds, withdrawal is an N, an audit event each).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.identity.models import Person
from vitnemal.identity.national_id import parse_national_id
from vitnemal.records.admin import consent_type
from vitnemal.records.models import (
    CONSENT_ADMISSION,
    CONSENT_RESULTS_EXCHANGE,
    AdmissionConsent,
    Consent,
    ConsentAnswer,
)
from vitnemal.records.service import find_person_by_any_id


class NotAsked(Exception):
    """The institution does not ask this question now (the consent type is not active)."""


@dataclass(frozen=True)
class ConsentState:
    """What the student's page shows: who, whether the question is asked, the answer that holds, the history."""

    person: Person | None
    asked: bool
    current: Consent | None
    history: list[Consent]

    @property
    def consented(self) -> bool:
        return self.current is not None and self.current.answer == ConsentAnswer.YES


def consent_state(session: Session, national_id: str, type: str = CONSENT_RESULTS_EXCHANGE) -> ConsentState:
    """The student's consent here; ``person`` is None when the institution has no person with that id (or an
    earlier id of theirs)."""
    asked = consent_type(session, type).active
    person = find_person_by_any_id(session, [national_id])
    if person is None:
        return ConsentState(None, asked, None, [])
    history = list(session.scalars(select(Consent).where(Consent.person_id == person.id, Consent.type == type)
                                   .order_by(Consent.answered_at.desc(), Consent.id.desc())))
    return ConsentState(person, asked, history[0] if history else None, history)


def answer_consent(session: Session, national_id: str, yes: bool, *, actor: str,
                   type: str = CONSENT_RESULTS_EXCHANGE, now: datetime | None = None) -> Consent:
    """Record the student's answer (J or N) now. LookupError: no such person here; NotAsked: the type is off.

    A withdrawal is answered N too; answering the same as the answer that holds records nothing new.
    """
    state = consent_state(session, national_id, type)
    if state.person is None:
        raise LookupError("you are not registered as a person at this institution")
    if not state.asked:
        raise NotAsked(f"the institution does not ask for {type} consent now")
    value = ConsentAnswer.YES if yes else ConsentAnswer.NO
    if state.current is not None and state.current.answer == value:
        return state.current
    when = now or datetime.now(UTC)
    row = Consent(person_id=state.person.id, type=type, answer=value.value, answered_at=when, recorded_by=actor[:200])
    session.add(row)
    record_event(session, actor=actor, action=AuditAction.CONSENT_ANSWERED, subject=state.person.national_id,
                 detail=f"{type} {value.value}", now=when)
    session.flush()
    return row


@dataclass(frozen=True)
class AdmissionConsentState:
    """The applicant's answers to this admission's question, newest first; the first is the one that holds."""

    national_id: str
    history: list[AdmissionConsent]

    @property
    def current(self) -> AdmissionConsent | None:
        return self.history[0] if self.history else None

    @property
    def consented(self) -> bool:
        return self.current is not None and self.current.answer == ConsentAnswer.YES


def admission_consent_state(session: Session, national_id: str) -> AdmissionConsentState:
    # The answer recorded last holds (ids rise with each answer; current_admission_consents reads the same).
    history = list(session.scalars(select(AdmissionConsent).where(AdmissionConsent.national_id == national_id)
                                   .order_by(AdmissionConsent.id.desc())))
    return AdmissionConsentState(national_id, history)


def answer_admission_consent(session: Session, national_id: str, yes: bool, *, actor: str,
                             now: datetime | None = None) -> AdmissionConsent:
    """Record the applicant's answer (J or N) to this admission's question now; ValueError for a national id that
    is not one (InvalidNationalId). Answering the same as the answer that holds records nothing new."""
    number = parse_national_id(national_id).number
    state = admission_consent_state(session, number)
    value = ConsentAnswer.YES if yes else ConsentAnswer.NO
    if state.current is not None and state.current.answer == value:
        return state.current
    when = now or datetime.now(UTC)
    row = AdmissionConsent(national_id=number, answer=value.value, answered_at=when)
    session.add(row)
    record_event(session, actor=actor, action=AuditAction.CONSENT_ANSWERED, subject=number,
                 detail=f"{CONSENT_ADMISSION} {value.value}", now=when)
    session.flush()
    return row


BULK_CHUNK = 500  # national ids per query: well under every engine's limit on bound parameters


def current_admission_consents(session: Session, national_ids: Iterable[str]) -> dict[str, AdmissionConsent]:
    """The answer that holds now for each of ``national_ids`` that has answered (yes or no), in a few queries: what
    an admission round reads for a batch of applicants. An id missing from the result never answered."""
    wanted = list(dict.fromkeys(national_ids))
    found: dict[str, AdmissionConsent] = {}
    for start in range(0, len(wanted), BULK_CHUNK):
        chunk = wanted[start:start + BULK_CHUNK]
        newest = (select(AdmissionConsent.national_id, func.max(AdmissionConsent.id).label("id"))
                  .where(AdmissionConsent.national_id.in_(chunk)).group_by(AdmissionConsent.national_id).subquery())
        for row in session.scalars(select(AdmissionConsent).join(newest, newest.c.id == AdmissionConsent.id)):
            found[row.national_id] = row
    return found
