"""The student's own answer to the RESUTVEKSL question (StudentWeb's akseptanse), and its history.

The answer is a row of ``Consent`` (FS: "Akseptanse for person", type RESUTVEKSL, J/N, with its date); the newest
holds. Withdrawing is answering N: the history keeps when consent was given and when it was withdrawn, and an order
placed before a withdrawal asks nobody more (see exchange.order_round). Every answer is an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.identity.models import Person
from vitnemal.records.admin import consent_type
from vitnemal.records.models import CONSENT_RESULTS_EXCHANGE, Consent, ConsentAnswer
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
    row = Consent(person_id=state.person.id, type=type, answer=value.value, answered_at=when)
    session.add(row)
    record_event(session, actor=actor, action=AuditAction.CONSENT_ANSWERED, subject=state.person.national_id,
                 detail=f"{type} {value.value}", now=when)
    session.flush()
    return row
