"""The person register of one institution: FS's bildet Person, Student, and Akseptanse for person.

The seed's test procedure, steps 2–4: register the test persons (first name, last name, fødselsnummer or D-number),
register them as students too ("opprettet som Student i tillegg"), and record the consent answer when it was given
on paper ("legges inn med forekomst i bildet Akseptanse for Person"). A case worker or an administrator does this on
the institution's pages, an operator with ``vitnemal records add-person``; both come here.

Every id is checked with the identity rules (``identity.national_id``); a person is one person, so an id that any
registered person has or had (an earlier D-number too) is refused with the person it belongs to. Every change and
every look at a person's page is an audit event in the caller's transaction, with the actor passed in. Refusals are
:class:`PersonRefused`: a code, its parameters and an English sentence that the catalogue translates (context
"people"), said in the reader's language by :meth:`PersonRefused.said`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event, record_view
from vitnemal.i18n import P_, PGettext, local, zone
from vitnemal.identity.models import Person, PersonIdentity
from vitnemal.identity.national_id import InvalidNationalId, NationalId, earlier_id_refusal, parse_national_id
from vitnemal.records.models import CONSENT_RESULTS_EXCHANGE, Consent, ConsentAnswer, Student

CONTEXT = "people"
MAX_NAME = 100
MAX_EMAIL = 200
FIRST_STUDENT_NUMBER = 100001
EARLIEST_CONSENT = date(2000, 1, 1)


class Problem(StrEnum):
    """Why the register refuses; the value is the code the JSON keeps."""

    ID_LENGTH = "length"
    ID_NOT_DIGITS = "not_digits"
    ID_CHECK_DIGIT_1 = "check_digit_1"
    ID_CHECK_DIGIT_2 = "check_digit_2"
    ID_DATE = "date"
    ALREADY_REGISTERED = "already_registered"
    ALREADY_THIS_PERSON = "already_this_person"
    NOT_AN_EARLIER_ID = "not_an_earlier_id"
    NAME_MISSING = "name_missing"
    NAME_TOO_LONG = "name_too_long"
    EMAIL_INVALID = "email_invalid"
    CONSENT_DATE_FUTURE = "consent_date_future"
    CONSENT_DATE_TOO_EARLY = "consent_date_too_early"
    NOT_FOUND = "not_found"


TEXTS: dict[Problem, str] = {
    Problem.ID_LENGTH: P_("people", "%(id)s is not a valid national id: it has %(digits)s digits, and a "
                                    "fødselsnummer or D-number has 11."),
    Problem.ID_NOT_DIGITS: P_("people", "%(id)s is not a valid national id: write the 11 digits only (a space "
                                        "after the birth date is allowed)."),
    Problem.ID_CHECK_DIGIT_1: P_("people", "%(id)s is not a valid national id: the first check digit is wrong. "
                                           "Check the number against the person's papers."),
    Problem.ID_CHECK_DIGIT_2: P_("people", "%(id)s is not a valid national id: the second check digit is wrong. "
                                           "Check the number against the person's papers."),
    Problem.ID_DATE: P_("people", "%(id)s is not a valid national id: its first six digits are no birth date "
                                  "(DDMMYY; a D-number adds 4 to the first digit)."),
    Problem.ALREADY_REGISTERED: P_("people", "%(id)s is already in this institution's records: it belongs to "
                                             "%(name)s. Open that person instead of registering them twice."),
    Problem.ALREADY_THIS_PERSON: P_("people", "%(id)s already belongs to this person."),
    Problem.NOT_AN_EARLIER_ID: P_("people", "%(id)s is an ordinary fødselsnummer; only a D-number or a temporary "
                                            "number (FS series, month + 50) can be an earlier id. If the person's "
                                            "fødselsnummer changed, register them under the new one."),
    Problem.NAME_MISSING: P_("people", "A person needs a first and a last name: fill in %(field)s."),
    Problem.NAME_TOO_LONG: P_("people", "%(field)s is longer than %(max)s characters."),
    Problem.EMAIL_INVALID: P_("people", "%(email)s is not an e-mail address: write it as name@example.no, or "
                                        "leave the field empty."),
    Problem.CONSENT_DATE_FUTURE: P_("people", "The answer cannot be dated %(date)s, after today: give the date "
                                              "the person answered."),
    Problem.CONSENT_DATE_TOO_EARLY: P_("people", "The answer cannot be dated %(date)s: the results exchange asks "
                                                 "for consent given from %(earliest)s on."),
    Problem.NOT_FOUND: P_("people", "No person %(person)s is registered here."),
}
_ID_PROBLEMS = {"length": Problem.ID_LENGTH, "not_digits": Problem.ID_NOT_DIGITS,
                "check_digit_1": Problem.ID_CHECK_DIGIT_1, "check_digit_2": Problem.ID_CHECK_DIGIT_2,
                "date": Problem.ID_DATE}


class PersonRefused(ValueError):
    """What the register refuses: ``key``, ``params``; ``str()`` is English, :meth:`said` the reader's language.
    ``person_id`` is the person an id already belongs to (the page links to them)."""

    def __init__(self, key: Problem, *, person_id: int | None = None, **params: object) -> None:
        self.key, self.params, self.person_id = key, {k: str(v) for k, v in params.items()}, person_id
        super().__init__(TEXTS[key] % self.params)

    def said(self, pgettext: PGettext) -> str:
        return pgettext(CONTEXT, TEXTS[self.key]) % self.params


def checked_id(text: str) -> NationalId:
    """``text`` as a national id (spaces allowed), or :class:`PersonRefused` saying what is wrong with it."""
    shown = " ".join(text.split())[:40]
    try:
        return parse_national_id(text)
    except InvalidNationalId as exc:
        raise PersonRefused(_ID_PROBLEMS[exc.code], id=shown, digits=sum(c.isdigit() for c in text)) from None


def checked_name(text: str, field: str) -> str:
    """A name as written, its runs of whitespace one space; :class:`PersonRefused` when empty or too long."""
    name = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if not name:
        raise PersonRefused(Problem.NAME_MISSING, field=field)
    if len(name) > MAX_NAME:
        raise PersonRefused(Problem.NAME_TOO_LONG, field=field, max=MAX_NAME)
    return name


def checked_email(text: str | None) -> str | None:
    email = (text or "").strip()
    if not email:
        return None
    local_part, at, domain = email.partition("@")
    if (len(email) > MAX_EMAIL or not at or not local_part or "." not in domain or "@" in domain
            or any(c.isspace() or not c.isprintable() for c in email)):
        raise PersonRefused(Problem.EMAIL_INVALID, email=email[:MAX_EMAIL])
    return email


def normalise_id(text: str) -> str:
    """The id without spaces ("015361 12185" → "01536112185")."""
    return "".join(text.split())


def find_person_by_any_id(session: Session, ids: Iterable[str]) -> Person | None:
    """The person whose current or any earlier id is among ``ids`` (spaces ignored), or None: the one look-up of a
    person by any id they had (``records.service`` re-exports it)."""
    wanted = [normalise_id(i) for i in ids]
    if not wanted:
        return None
    person = session.scalar(select(Person).where(Person.national_id.in_(wanted)))
    if person is None:
        person = session.scalar(select(Person).join(PersonIdentity).where(PersonIdentity.national_id.in_(wanted)))
    return person


def _refuse_taken(session: Session, number: str, person: Person | None = None) -> None:
    owner = find_person_by_any_id(session, [number])
    if owner is None:
        return
    if person is not None and owner.id == person.id:
        raise PersonRefused(Problem.ALREADY_THIS_PERSON, id=number, person_id=owner.id)
    raise PersonRefused(Problem.ALREADY_REGISTERED, id=number, name=owner.name, person_id=owner.id)


def register_person(session: Session, *, national_id: str, first_name: str, last_name: str, actor: str,
                    now: datetime, email: str | None = None, birth_date: date | None = None,
                    first_field: str = "first name", last_field: str = "last name") -> Person:
    """Register a person (bildet Person); the birth date is the national id's unless given. ``*_field`` name the
    fields in the reader's language for a refusal."""
    number = checked_id(national_id)
    first, last = checked_name(first_name, first_field), checked_name(last_name, last_field)
    address = checked_email(email)
    _refuse_taken(session, number.number)
    person = Person(national_id=number.number, first_name=first, last_name=last,
                    birth_date=birth_date or number.birth_date, email=address)
    session.add(person)
    session.flush()
    record_event(session, actor=actor, action=AuditAction.PERSON_REGISTERED, subject=number.number, now=now,
                 detail=f"{number.kind.value}")
    return person


def get(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id, options=[selectinload(Person.earlier_ids)])
    if person is None:
        raise PersonRefused(Problem.NOT_FOUND, person=person_id)
    return person


def change_person(session: Session, person_id: int, *, first_name: str, last_name: str, email: str | None,
                  actor: str, now: datetime, first_field: str = "first name",
                  last_field: str = "last name") -> tuple[Person, bool]:
    """Correct the person's names and e-mail; returns the person and whether anything changed (only a change is
    recorded, naming the fields changed; the national id is not changed here: a new one is an earlier id)."""
    person = get(session, person_id)
    wanted = {"first_name": checked_name(first_name, first_field), "last_name": checked_name(last_name, last_field),
              "email": checked_email(email)}
    changed = [k for k, v in wanted.items() if getattr(person, k) != v]
    if not changed:
        return person, False
    for key in changed:
        setattr(person, key, wanted[key])
    record_event(session, actor=actor, action=AuditAction.PERSON_CHANGED, subject=person.national_id, now=now,
                 detail=", ".join(changed))
    session.flush()
    return person, True


def add_earlier_id(session: Session, person_id: int, earlier_id: str, *, actor: str, now: datetime,
                   kind: str | None = None, replaced_on: date | None = None) -> PersonIdentity:
    """Record an id the person had before (a D-number, a temporary number), so that look-ups by it find them.
    An ordinary fødselsnummer is refused: it is another person's identity (``earlier_id_refusal``)."""
    person = get(session, person_id)
    number = checked_id(earlier_id)
    if earlier_id_refusal(number) is not None:
        raise PersonRefused(Problem.NOT_AN_EARLIER_ID, id=number.number)
    _refuse_taken(session, number.number, person)
    identity = PersonIdentity(person_id=person.id, national_id=number.number, kind=kind or number.kind.value,
                              replaced_on=replaced_on)
    session.add(identity)
    session.flush()
    record_event(session, actor=actor, action=AuditAction.PERSON_EARLIER_ID_ADDED, subject=person.national_id,
                 now=now, detail=number.number)
    return identity


def register_student(session: Session, person_id: int, *, actor: str, now: datetime) -> tuple[Student, bool]:
    """Register the person as a student too, with the next student number; returns the row and whether it is
    new (a student already is one: nothing changes)."""
    person = get(session, person_id)
    row = session.get(Student, person.id)
    if row is not None:
        return row, False
    highest = session.scalar(select(func.max(Student.student_number)))
    row = Student(person_id=person.id, student_number=max(highest or 0, FIRST_STUDENT_NUMBER - 1) + 1,
                  registered_at=now, registered_by=actor[:200])
    session.add(row)
    session.flush()
    record_event(session, actor=actor, action=AuditAction.STUDENT_REGISTERED, subject=person.national_id, now=now,
                 detail=str(row.student_number))
    return row, True


def answered_at(day: date, now: datetime) -> datetime:
    """When an answer dated ``day`` was given: now for today, else noon of that day where people read times."""
    if day == local(now).date():
        return now
    return datetime.combine(day, time(12, 0), zone())


def record_consent_answer(session: Session, person_id: int, *, yes: bool, day: date, actor: str, now: datetime,
                          type: str = CONSENT_RESULTS_EXCHANGE) -> Consent:
    """Akseptanse for person: a member of staff records the person's answer (J/N) as given on ``day``. The newest
    answer holds (by its date), as with the student's own answer on their page."""
    person = get(session, person_id)
    if day > local(now).date():
        raise PersonRefused(Problem.CONSENT_DATE_FUTURE, date=day.strftime("%d.%m.%Y"))
    if day < EARLIEST_CONSENT:
        raise PersonRefused(Problem.CONSENT_DATE_TOO_EARLY, date=day.strftime("%d.%m.%Y"),
                            earliest=EARLIEST_CONSENT.strftime("%d.%m.%Y"))
    value = ConsentAnswer.YES if yes else ConsentAnswer.NO
    row = Consent(person_id=person.id, type=type, answer=value.value, answered_at=answered_at(day, now),
                  recorded_by=actor[:200])
    session.add(row)
    record_event(session, actor=actor, action=AuditAction.CONSENT_ANSWERED, subject=person.national_id, now=now,
                 detail=f"{type} {value.value} {day.isoformat()} (Akseptanse for person)")
    session.flush()
    return row


@dataclass(frozen=True)
class ConsentLine:
    type: str
    answer: str
    answered_at: datetime
    recorded_by: str | None


@dataclass(frozen=True)
class PersonPage:
    """What the person's page shows (bildet Person with Student and Akseptanse for person)."""

    person_id: int
    national_id: str
    first_name: str
    last_name: str
    birth_date: date | None
    email: str | None
    earlier_ids: tuple[tuple[str, str], ...]  # (id, kind)
    student_number: int | None
    student_since: datetime | None
    student_by: str | None
    consents: tuple[ConsentLine, ...]  # newest first

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def consent(self) -> ConsentLine | None:
        """The RESUTVEKSL answer that holds (the newest), if any."""
        return next((c for c in self.consents if c.type == CONSENT_RESULTS_EXCHANGE), None)


def view(session: Session, person_id: int, *, actor: str, now: datetime) -> PersonPage:
    """The person's page; the look is audited (a page of names, ids and answers is personal data)."""
    person = get(session, person_id)
    student = session.get(Student, person.id)
    consents = session.scalars(select(Consent).where(Consent.person_id == person.id)
                               .order_by(Consent.answered_at.desc(), Consent.id.desc()))
    record_view(session, actor=actor, action=AuditAction.PERSON_VIEWED, subject=person.national_id, now=now)
    return PersonPage(
        person.id, person.national_id, person.first_name, person.last_name, person.birth_date, person.email,
        tuple((i.national_id, i.kind) for i in person.earlier_ids),
        student.student_number if student else None, student.registered_at if student else None,
        student.registered_by if student else None,
        tuple(ConsentLine(c.type, c.answer, c.answered_at, c.recorded_by) for c in consents))
