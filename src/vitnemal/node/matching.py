"""Which person at this node a request is about: the current id first, an earlier id only when it is safe.

The requester's "earlier ids" are its word only, and a node that believed them would disclose whoever holds such a
number. So (issue 7 #3):

* a person registered here under the request's current id is always the one answered for;
* otherwise an earlier id (the requester's, or one this node recorded itself) is used only when it is a D-number
  or a temporary number, exactly one person here holds any of the ids, and that person's name and birth date are
  the ones the request states;
* the match says which id matched, so the answer and the disclosure log name the id actually disclosed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import cast

from sqlalchemy import Table, bindparam, select, union_all
from sqlalchemy.orm import Session

from vitnemal.db import Prepared
from vitnemal.identity.models import Person, PersonIdentity
from vitnemal.identity.national_id import InvalidNationalId, earlier_id_refusal, parse_national_id
from vitnemal.node.protocol import Subject


@dataclass(frozen=True)
class Match:
    """The person answered for: their row, the id this node holds them under, and the request's id that matched."""

    person_id: int
    national_id: str
    matched_id: str


@dataclass(frozen=True)
class NoMatch:
    """Nobody is answered for; ``mismatch`` explains a near miss the requester should fix (else None)."""

    mismatch: str | None = None


# A batch question names each applicant's id to several rules (valid? usable as an earlier id? which birth date?):
# parsed once. NationalId is frozen; an invalid number raises each time (lru_cache keeps no exceptions).
parsed = lru_cache(maxsize=4096)(parse_national_id)


def usable_as_earlier_id(number: str) -> bool:
    try:
        return earlier_id_refusal(parsed(number)) is None
    except InvalidNationalId:
        return False


def _simple(name: str) -> str:
    return " ".join(name.split()).casefold()


def stated_birth_date(subject: Subject) -> date | None:
    """The birth date the request states, or else the one its current id encodes."""
    try:
        if subject.birth_date:
            return date.fromisoformat(subject.birth_date)
        return parsed(subject.national_id).birth_date
    except (ValueError, InvalidNationalId):
        return None


def same_person(subject: Subject, first_name: str, last_name: str, birth_date: date | None) -> bool:
    """True when the request's name and birth date are this person's (spacing and case aside)."""
    born = stated_birth_date(subject)
    return (bool(subject.first_name and subject.last_name) and born is not None and birth_date == born
            and _simple(subject.first_name) == _simple(first_name) and _simple(subject.last_name) == _simple(last_name))


_person = cast(Table, Person.__table__).c
# The one look every answer makes, built once (see vitnemal.node.held).
REGISTERED_AS = Prepared(select(_person.id, _person.national_id).where(_person.national_id == bindparam("national_id")))


def find_subject(session: Session, subject: Subject) -> Match | NoMatch:
    """The person ``subject`` is about at this node, by the rules in the module docstring."""
    current = REGISTERED_AS.first(session, {"national_id": subject.national_id})
    if current is not None:
        return Match(current.id, current.national_id, subject.national_id)
    # The request's current id may be an earlier id recorded here; the request's earlier ids may be anything here.
    wanted = [i for i in dict.fromkeys(subject.all_ids()) if usable_as_earlier_id(i)]
    if not wanted:
        return NoMatch()
    holders = session.execute(union_all(
        select(Person.id.label("person_id"), Person.national_id.label("via")).where(Person.national_id.in_(wanted)),
        select(PersonIdentity.person_id, PersonIdentity.national_id.label("via"))
        .where(PersonIdentity.national_id.in_(wanted)),
    )).all()
    people = {row.person_id for row in holders}
    if not people:
        return NoMatch()
    if len(people) > 1:
        return NoMatch("These ids belong to more than one person here, so none of them is answered for. Ask the "
                       "student to have this institution correct its records.")
    person = session.execute(
        select(Person.id, Person.national_id, Person.first_name, Person.last_name, Person.birth_date)
        .where(Person.id == people.pop())).one()
    if not same_person(subject, person.first_name, person.last_name, person.birth_date):
        return NoMatch("An earlier id in the request is registered here for a person whose name or birth date is "
                       "not the one stated, so nothing is disclosed. Check the earlier ids recorded for the student.")
    # Prefer naming the request's current id when it is the one that matched (a D-number the node has as earlier).
    via = sorted({row.via for row in holders}, key=lambda i: (i != subject.national_id, wanted.index(i)))
    return Match(person.id, person.national_id, via[0])


def find_subjects(session: Session, subjects: Sequence[Subject]) -> list[Match | NoMatch]:
    """:func:`find_subject` for each of ``subjects`` (a batch question), with one query for everyone registered
    under the id asked with; only the others who name an id usable as an earlier one are looked up one by one."""
    ids = [s.national_id for s in subjects]
    current = {row.national_id: row.id for row in session.execute(
        select(Person.id, Person.national_id).where(Person.national_id.in_(ids)))}
    found: list[Match | NoMatch] = []
    for subject in subjects:
        person_id = current.get(subject.national_id)
        if person_id is not None:
            found.append(Match(person_id, subject.national_id, subject.national_id))
        elif any(usable_as_earlier_id(i) for i in subject.all_ids()):
            found.append(find_subject(session, subject))
        else:
            found.append(NoMatch())
    return found
