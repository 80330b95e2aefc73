"""Small services over one institution's records, for operators (``vitnemal records``) and tests.

They do what an FS contact does at a source institution in the seed's test step 12: add or change a result (a new
grade after an appeal updates the result of that term; a retake in another term is a new result), award a degree,
set the date its diploma was issued, record a consent, open/close or reserve the exchange, register people and
their earlier ids. Each returns the domain object (flushed, so it has its id) and leaves the commit to the caller.
Errors are :class:`LookupError` (unknown person, course, qualification) or :class:`ValueError` (bad input), with a
message that names what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.identity.models import Person, PersonIdentity
from vitnemal.records import people
from vitnemal.records.models import (
    CONSENT_RESULTS_EXCHANGE,
    AssessmentResult,
    Consent,
    Course,
    ExchangeSettings,
    Qualification,
    QualificationCourse,
    QualificationGroup,
)
from vitnemal.records.people import find_person_by_any_id as find_person_by_any_id  # the one look-up, here too
from vitnemal.records.people import normalise_id as normalise_id
from vitnemal.records.refusals import P_, NotInRecords, RecordsRefused
from vitnemal.records.terms import parse_term as parse_term  # re-exported: the CLI parses terms here
from vitnemal.records.terms import season_of

LETTER_GRADES = ("A", "B", "C", "D", "E", "F")
PASSED, NOT_PASSED = "Bestått", "Ikke bestått"
_LEVELS = ("bachelor", "master", "phd", "other")


class UnknownPerson(NotInRecords):
    """No person with that national id (current or earlier) in this institution's records."""


class UnknownCourse(NotInRecords):
    """No course with that code in this institution's catalogue."""


class UnknownQualification(NotInRecords):
    """The person has no qualification with that code."""


def parse_credits(value: Decimal | str | float | int) -> Decimal:
    """A number of credits (studiepoeng) as typed or sent: positive, at most 999, in tenths at most (7.5);
    ValueError says what to write instead."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RecordsRefused(P_("records", "%(value)s is not a number of credits."), value=repr(value)) from None
    if not number.is_finite() or number <= 0 or number > 999 or number != number.quantize(Decimal("0.1")):
        raise RecordsRefused(P_("records", "%(value)s is not a number of credits: use a positive number such as 10 "
                                            "or 7.5."), value=repr(value))
    return number


def check_grade(course: Course, grade: str) -> tuple[str, bool]:
    """Return the grade as stored and whether it is a pass, for the course's grading scale; ValueError if invalid."""
    if course.grading_scale == "pass_fail":
        value = " ".join(grade.split()).lower()
        if value in ("bestått", "passed", "pass"):
            return PASSED, True
        if value in ("ikke bestått", "ikkje bestått", "failed", "fail"):
            return NOT_PASSED, False
        raise RecordsRefused(P_("records", "%(grade)s is not a grade for %(course)s, which is graded pass/fail: use "
                                            "“%(passed)s” or “%(not_passed)s”."),
                             grade=repr(grade), course=course.code, passed=PASSED, not_passed=NOT_PASSED)
    value = grade.strip().upper()
    if value not in LETTER_GRADES:
        raise RecordsRefused(P_("records", "%(grade)s is not a grade for %(course)s, which is graded on the letter "
                                            "scale A–F."), grade=repr(grade), course=course.code)
    return value, value != "F"


def get_person(session: Session, national_id: str) -> Person:
    """The person with ``national_id`` (current or earlier); raise :class:`UnknownPerson` otherwise."""
    person = find_person_by_any_id(session, [national_id])
    if person is None:
        raise UnknownPerson(P_("records", "No person with national id %(national_id)s is in this institution's "
                                           "records."), national_id=normalise_id(national_id))
    return person


def get_course(session: Session, code: str) -> Course:
    """The course with ``code`` (case-insensitive); raise :class:`UnknownCourse` naming a few similar codes."""
    course = session.scalar(select(Course).where(Course.code == code.strip().upper()))
    if course is None:
        course = session.scalar(select(Course).where(Course.code == code.strip()))
    if course is None:
        prefix = code.strip().upper()[:3]
        similar = session.scalars(select(Course.code).where(Course.code.like(f"{prefix}%")).limit(6)).all()
        if similar:
            raise UnknownCourse(P_("records", "No course %(code)s is in this institution's catalogue (similar codes: "
                                              "%(similar)s)."), code=repr(code), similar=", ".join(similar))
        raise UnknownCourse(P_("records", "No course %(code)s is in this institution's catalogue."), code=repr(code))
    return course


def record_result(
    session: Session,
    national_id: str,
    course_code: str,
    year: int,
    season: str,
    grade: str,
    *,
    thesis_title: str | None = None,
    assessed_on: date | None = None,
    credits: Decimal | int | None = None,
) -> AssessmentResult:
    """Add a result, or change the grade of the person's result in the same course and term (an appeal).

    A retake or an improvement is a different term and so a new result; the old one stays, as in FS.
    """
    person = get_person(session, national_id)
    course = get_course(session, course_code)
    season_norm = season_of(season)
    if season_norm is None:
        raise RecordsRefused(P_("records", "%(season)s is not a season: use VÅR or HØST."), season=repr(season))
    value, passed = check_grade(course, grade)
    result = session.scalar(select(AssessmentResult).where(
        AssessmentResult.person_id == person.id, AssessmentResult.course_id == course.id,
        AssessmentResult.year == year, AssessmentResult.season == season_norm))
    if result is None:
        result = AssessmentResult(person_id=person.id, course_id=course.id, year=year, season=season_norm,
                                  credits=Decimal(credits) if credits is not None else course.credits)
        session.add(result)
    result.grade, result.passed = value, passed
    if thesis_title is not None:
        result.thesis_title = thesis_title
    if assessed_on is not None:
        result.assessed_on = assessed_on
    elif result.assessed_on is None:
        result.assessed_on = date(year, 6, 15) if season_norm == "VÅR" else date(year, 12, 15)
    session.flush()
    return result


def _best_passed(session: Session, person: Person, course: Course) -> AssessmentResult:
    results = session.scalars(select(AssessmentResult).where(
        AssessmentResult.person_id == person.id, AssessmentResult.course_id == course.id,
        AssessmentResult.passed.is_(True)).order_by(AssessmentResult.year.desc(), AssessmentResult.season)).all()
    if not results:
        raise RecordsRefused(P_("records", "%(name)s has no passed result in %(course)s to count toward the "
                                            "qualification."), name=person.name, course=course.code)
    # Letter grades sort A < B < …; the best one counts, the latest among equals.
    return min(results, key=lambda r: r.grade if r.grade in LETTER_GRADES else "")


def award_qualification(
    session: Session,
    national_id: str,
    code: str,
    *,
    name_nb: str,
    name_en: str,
    level: str,
    award_date: date,
    courses: Sequence[str] = (),
    credits: Decimal | int | None = None,
    diploma_issued_on: date | None = None,
    group: tuple[str, str] = ("Emner", "Courses"),
) -> Qualification:
    """Award a qualification linked to the person's best passed result in each of ``courses``.

    ``credits`` defaults to the sum of the linked results. The diploma is unissued unless ``diploma_issued_on``.
    """
    person = get_person(session, national_id)
    if level not in _LEVELS:
        raise RecordsRefused(P_("records", "%(level)s is not a level: use one of %(levels)s."), level=repr(level),
                             levels=", ".join(_LEVELS))
    if session.scalar(select(Qualification).where(Qualification.person_id == person.id, Qualification.code == code)):
        raise RecordsRefused(P_("records", "%(name)s already has qualification %(code)s."), name=person.name, code=code)
    results = [_best_passed(session, person, get_course(session, c)) for c in courses]
    total = Decimal(credits) if credits is not None else sum((r.credits for r in results), Decimal(0))
    qual = Qualification(person_id=person.id, code=code, name_nb=name_nb, name_en=name_en, level=level,
                         credits=total, award_date=award_date, diploma_issued_on=diploma_issued_on)
    session.add(qual)
    session.flush()
    heading = QualificationGroup(qualification_id=qual.id, position=0, heading_nb=group[0], heading_en=group[1])
    session.add(heading)
    session.flush()
    for r in results:
        session.add(QualificationCourse(qualification_id=qual.id, result_id=r.id, group_id=heading.id))
    session.flush()
    return qual


def no_qualification(name: str, code: str, held: Iterable[str]) -> str:
    """What every lookup of a person's qualification says when there is none: which ones the person has."""
    return f"{name} has no qualification {code!r} (has: {', '.join(held) or 'none'})"


def get_qualification(session: Session, person: Person, code: str) -> Qualification:
    """The person's qualification ``code``; raise :class:`UnknownQualification` naming the ones they have."""
    qual = session.scalar(select(Qualification).where(Qualification.person_id == person.id,
                                                      Qualification.code == code))
    if qual is None:
        held = session.scalars(select(Qualification.code).where(Qualification.person_id == person.id)).all()
        if held:
            raise UnknownQualification(P_("records", "%(name)s has no qualification %(code)s (has: %(held)s)."),
                                       name=person.name, code=repr(code), held=", ".join(held))
        raise UnknownQualification(P_("records", "%(name)s has no qualification %(code)s, nor any other."),
                                   name=person.name, code=repr(code))
    return qual


def set_diploma_issued(session: Session, national_id: str, qualification_code: str, on: date | None) -> Qualification:
    """Set (or with None clear) the date the diploma of the person's qualification was issued (Dato_Utlev_Vitn)."""
    qual = get_qualification(session, get_person(session, national_id), qualification_code)
    if on is not None and on < qual.award_date:
        raise RecordsRefused(P_("records", "The diploma cannot be issued (%(on)s) before the degree was awarded "
                                            "(%(awarded)s)."), on=on, awarded=qual.award_date)
    qual.diploma_issued_on = on
    session.flush()
    return qual


def record_consent(session: Session, national_id: str, type: str = CONSENT_RESULTS_EXCHANGE, answer: str = "J",
                   *, at: datetime | None = None) -> Consent:
    """Record the person's answer (J or N) to an akseptanse question; the latest answer of a type holds."""
    person = get_person(session, national_id)
    value = {"J": "J", "JA": "J", "Y": "J", "YES": "J", "N": "N", "NEI": "N", "NO": "N"}.get(answer.strip().upper())
    if value is None:
        raise RecordsRefused(P_("records", "%(answer)s is not an answer: use J (yes) or N (no)."), answer=repr(answer))
    when = at or datetime.now(UTC)
    if when.tzinfo is None:
        raise ValueError("the consent time needs a time zone")
    consent = Consent(person_id=person.id, type=type.strip().upper(), answer=value, answered_at=when)
    session.add(consent)
    session.flush()
    return consent


def get_exchange_settings(session: Session) -> ExchangeSettings:
    """The institution's one settings row; LookupError if the database has none (not a federation member)."""
    row = session.scalar(select(ExchangeSettings).order_by(ExchangeSettings.id))
    if row is None:
        raise NotInRecords(P_("records", "This database has no exchange settings: it was not set up as an "
                                         "institution."))
    return row


def set_exchange_settings(session: Session, *, module_active: bool | None = None,
                          reserved: bool | None = None) -> ExchangeSettings:
    """Turn the RESUTVEKSL module on/off and the RESERVER property on/off; None leaves a setting as it is."""
    row = get_exchange_settings(session)
    if module_active is not None:
        row.module_active = module_active
    if reserved is not None:
        row.reserved = reserved
    row.updated_at = datetime.now(UTC)
    session.flush()
    return row


def add_person(session: Session, national_id: str, first_name: str, last_name: str, *, actor: str,
               birth_date: date | None = None, email: str | None = None) -> Person:
    """Register a person (``records.people.register_person``: the same checks and audit event as the pages')."""
    return people.register_person(session, national_id=national_id, first_name=first_name, last_name=last_name,
                                  actor=actor, now=datetime.now(UTC), email=email, birth_date=birth_date)


def add_earlier_id(session: Session, national_id: str, earlier_id: str, kind: str = "d_number",
                   replaced_on: date | None = None, *, actor: str) -> PersonIdentity:
    """Record an id the person had before (``records.people.add_earlier_id``): an ordinary fødselsnummer is
    refused, since it is another person's identity and every node would answer with that person's results."""
    person = get_person(session, national_id)
    return people.add_earlier_id(session, person.id, earlier_id, actor=actor, now=datetime.now(UTC), kind=kind,
                                 replaced_on=replaced_on)


def results_of(session: Session, person: Person) -> list[AssessmentResult]:
    """The person's results, oldest term first (VÅR before HØST), then by course code."""
    rows = session.scalars(select(AssessmentResult).where(AssessmentResult.person_id == person.id)).all()
    return sorted(rows, key=lambda r: (r.year, r.season != "VÅR", r.course.code))


def qualifications_of(session: Session, person: Person) -> list[Qualification]:
    return list(session.scalars(select(Qualification).where(Qualification.person_id == person.id)
                                .order_by(Qualification.award_date)).all())


def consents_of(session: Session, person: Person) -> list[Consent]:
    return list(session.scalars(select(Consent).where(Consent.person_id == person.id)
                                .order_by(Consent.answered_at)).all())
