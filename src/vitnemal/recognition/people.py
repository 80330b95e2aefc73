"""Finding the person a case is about: by name, or by any national id they have had here.

A case worker types what the student said: a name ("Testperson1 Resultatutveksling", "resultatutv"), a whole
national id with or without the space ("015361 12185"), an earlier D-number or temporary number, or the first
digits of one (the birth date, "015361"). Every person the search shows is an audit event in the caller's
transaction: a list of names and ids is personal data too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_view
from vitnemal.identity.models import Person, PersonIdentity
from vitnemal.recognition.models import OPEN, RecognitionCase
from vitnemal.recognition.refusals import RecognitionError, Refusal

MAX_QUERY = 100
MAX_WORDS = 5
MIN_DIGITS = 6  # a birth date: fewer digits match too many people to be a search
DEFAULT_LIMIT = 50


class SearchRefused(RecognitionError):
    """A query the search cannot run; the sentence says how to search instead."""


@dataclass(frozen=True)
class PersonHit:
    """One person found: who, by which id (an earlier one says so), and their open cases here."""

    person_id: int
    national_id: str
    name: str
    birth_date: str | None
    matched_id: str | None  # the earlier id that matched, when it was not the current one
    earlier_ids: tuple[str, ...]
    open_cases: tuple[int, ...]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_query(text: str) -> tuple[str | None, list[str]]:
    """(digits, None) for an id or its start, or (None, words) for a name; SearchRefused when it is neither."""
    query = " ".join((text or "").split())
    if not query:
        raise SearchRefused(Refusal.SEARCH_EMPTY)
    if len(query) > MAX_QUERY:
        raise SearchRefused(Refusal.SEARCH_TOO_LONG, max=MAX_QUERY)
    digits = query.replace(" ", "")
    if digits.isdigit():
        if not MIN_DIGITS <= len(digits) <= 11:
            raise SearchRefused(Refusal.SEARCH_NOT_AN_ID, query=query)
        return digits, []
    words = query.lower().split()
    if len(words) > MAX_WORDS:
        raise SearchRefused(Refusal.SEARCH_TOO_MANY_WORDS, max=MAX_WORDS)
    return None, words


def search_people(session: Session, text: str, *, actor: str, now: datetime,
                  limit: int = DEFAULT_LIMIT) -> list[PersonHit]:
    """The people registered here that match ``text`` (see the module docstring), by name; each one is audited."""
    digits, words = parse_query(text)
    limit = min(max(limit, 1), 200)
    query = select(Person).options(selectinload(Person.earlier_ids)).order_by(Person.last_name, Person.first_name,
                                                                              Person.id).limit(limit)
    if digits is not None:
        pattern = f"{_escape_like(digits)}%"
        earlier = select(PersonIdentity.person_id).where(PersonIdentity.national_id.like(pattern, escape="\\"))
        query = query.where(or_(Person.national_id.like(pattern, escape="\\"), Person.id.in_(earlier)))
    else:
        # Every word must be the start of the first or the last name (either order, any case).
        query = query.where(and_(*(
            or_(func.lower(Person.first_name).like(f"{_escape_like(w)}%", escape="\\"),
                func.lower(Person.last_name).like(f"{_escape_like(w)}%", escape="\\"),
                func.lower(Person.last_name).like(f"% {_escape_like(w)}%", escape="\\"),
                func.lower(Person.first_name).like(f"% {_escape_like(w)}%", escape="\\"))
            for w in words)))
    people = list(session.scalars(query))
    open_cases: dict[int, list[int]] = {}
    if people:
        for case_id, person_id in session.execute(
                select(RecognitionCase.id, RecognitionCase.person_id)
                .where(RecognitionCase.person_id.in_([p.id for p in people]), RecognitionCase.status == OPEN)
                .order_by(RecognitionCase.id)):
            open_cases.setdefault(person_id, []).append(case_id)
    hits = []
    for p in people:
        matched = None
        if digits is not None and not p.national_id.startswith(digits):
            matched = next((i.national_id for i in p.earlier_ids if i.national_id.startswith(digits)), None)
        hits.append(PersonHit(p.id, p.national_id, p.name, p.birth_date.isoformat() if p.birth_date else None,
                              matched, tuple(i.national_id for i in p.earlier_ids), tuple(open_cases.get(p.id, ()))))
        record_view(session, actor=actor, action=AuditAction.SEARCH_PEOPLE, subject=p.national_id, now=now)
    return hits
