"""Building diploma sets from one institution's records and its recognition decisions.

:func:`build_diploma_set` (one set) and :func:`build_diploma_sets` (many, with one read of the records for all of
them: a batch of issuing jobs costs a handful of queries, not a handful per set) read the qualification with its
structure and linked results, the decided recognitions toward it, the programme (``programmes``) and whether the
candidate was admitted to it (``programme_admissions``), the grade distributions, and hand all of it to the pure
:func:`vitnemal.diplomas.rules.compose_diploma_set`. They never write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from vitnemal import i18n
from vitnemal.diplomas.diploma_set import Candidate, DiplomaSet, Language, Term
from vitnemal.diplomas.distribution import GradeCounts
from vitnemal.diplomas.rules import (
    CountedResult,
    DiplomaInputs,
    GroupDef,
    LangText,
    LanguageNotAllowed,
    ProgrammeInfo,
    QualificationRecord,
    Recognition,
    Signatories,
    choose_language,
    compose_diploma_set,
)
from vitnemal.identity.models import Person
from vitnemal.programmes.models import Programme, ProgrammeAdmission
from vitnemal.programmes.service import programme_language
from vitnemal.recognition.service import recognitions_for_many
from vitnemal.records.models import (
    AssessmentResult,
    Course,
    ExchangeSettings,
    Qualification,
    QualificationCourse,
)
from vitnemal.records.service import no_qualification


class DiplomaNotPossible(LookupError):
    """The records do not hold what the diploma needs; the message says what is missing."""


def programme_info(row: Programme) -> ProgrammeInfo:
    """The ``programmes`` row as the rules see it."""
    return ProgrammeInfo(
        code=row.code, name=LangText(row.name_nb, row.name_nn, row.name_en),
        language=row.language if row.language in ("nb", "nn", "en") else "nb",  # type: ignore[arg-type]
        faculty=LangText(row.faculty_nb, row.faculty_nn, row.faculty_en),
        oath=LangText(row.oath_nb, row.oath_nn, row.oath_en), nominal_years=row.nominal_years, credits=row.credits,
        nqf_cycle=row.nqf_cycle,
        framework_plan=LangText(row.framework_plan_nb, row.framework_plan_nn, row.framework_plan_en),
        framework_plan_date=row.framework_plan_date,
        objectives=LangText(row.objectives_nb, row.objectives_nn, row.objectives_en),
        learning_outcomes=LangText(row.outcomes_nb, row.outcomes_nn, row.outcomes_en),
        description=LangText(row.description_nb, row.description_nn, row.description_en),
    )


@dataclass
class _Records:
    """What the builds of one batch read, each with one query for the whole batch."""

    people: dict[int, Person] = field(default_factory=dict)
    qualifications: dict[tuple[int, str], Qualification] = field(default_factory=dict)
    held: dict[int, list[str]] = field(default_factory=dict)
    links: dict[int, list[tuple[QualificationCourse, AssessmentResult, Course]]] = field(default_factory=dict)
    recognitions: dict[tuple[int, str], list[Any]] = field(default_factory=dict)
    programmes: dict[str, Programme] = field(default_factory=dict)
    admitted: set[tuple[int, str]] = field(default_factory=set)


def _read(session: Session, wanted: Sequence[tuple[int, str]], counts: GradeCounts) -> _Records:
    """Read everything the sets of ``wanted`` (person id, qualification code) need: people, qualifications with
    their structure and linked results, decided recognitions, programmes, admissions and the grade counts."""
    out = _Records()
    person_ids = sorted({p for p, _ in wanted})
    for start in range(0, len(person_ids), 500):  # bounded IN lists
        chunk = person_ids[start:start + 500]
        out.people.update((p.id, p) for p in session.scalars(select(Person).where(Person.id.in_(chunk))))
        for q in session.scalars(select(Qualification).where(Qualification.person_id.in_(chunk))
                                 .options(selectinload(Qualification.groups))):
            out.qualifications[(q.person_id, q.code)] = q
            out.held.setdefault(q.person_id, []).append(q.code)
        out.recognitions.update(recognitions_for_many(session, chunk))
        out.admitted.update((p, c) for p, c in session.execute(
            select(ProgrammeAdmission.person_id, ProgrammeAdmission.programme_code)
            .where(ProgrammeAdmission.person_id.in_(chunk))))
    quals = [out.qualifications[w] for w in wanted if w in out.qualifications]
    qual_ids = sorted({q.id for q in quals})
    for start in range(0, len(qual_ids), 500):
        rows = session.execute(
            select(QualificationCourse, AssessmentResult, Course)
            .join(AssessmentResult, AssessmentResult.id == QualificationCourse.result_id)
            .join(Course, Course.id == AssessmentResult.course_id)
            .where(QualificationCourse.qualification_id.in_(qual_ids[start:start + 500]))
            .order_by(QualificationCourse.id))
        for link, result, course in rows:
            out.links.setdefault(link.qualification_id, []).append((link, result, course))
    counts.ensure(session, {course.id for rows in out.links.values() for _, _, course in rows})
    codes = sorted({q.programme_code for q in quals if q.programme_code})
    if codes:
        out.programmes = {p.code: p for p in session.scalars(select(Programme).where(Programme.code.in_(codes)))}
    return out


def _results(rows: Sequence[tuple[QualificationCourse, AssessmentResult, Course]], qual: Qualification,
             counts: GradeCounts, lang: Language) -> tuple[CountedResult, ...]:
    positions = {g.id: g.position for g in qual.groups}
    out = []
    for link, result, course in rows:
        term = Term.of(result.year, result.season)
        out.append(CountedResult(
            code=course.code, name_nb=course.name_nb, name_en=course.name_en, term=term, grade=result.grade,
            credits=result.credits, kind=course.kind, grading_scale=course.grading_scale,
            credits_counted=link.credits_counted, thesis_title=result.thesis_title,
            group_position=positions.get(link.group_id) if link.group_id is not None else None,
            passed=result.passed, assessed_on=result.assessed_on,
            distribution=counts.distribution(course.id, term, lang) if course.grading_scale == "letter" else None,
        ))
    return tuple(out)


def _recognitions(items: Sequence[Any]) -> tuple[Recognition, ...]:
    return tuple(
        Recognition(name_nb=i.name_nb, name_en=i.name_en, credits=i.credits, institution_name=i.institution_name,
                    institution_code=i.institution_code, code=i.code, kind=i.course_kind,
                    term=Term.of(i.year, i.season) if i.year and i.season else None,
                    credits_counted=i.credits_counted, thesis_title=i.thesis_title, group_heading=i.group_heading,
                    block=i.kind == "block")
        for i in items)


def diploma_language(session: Session, programme_code: str | None, requested: str | None) -> Language:
    """The language a diploma of a qualification in ``programme_code`` gets when ``requested`` (None: the
    programme's). Raises :class:`~vitnemal.diplomas.rules.LanguageNotAllowed` for a language not allowed."""
    registered = programme_language(session, programme_code)
    return choose_language(registered if registered in ("nb", "nn", "en") else None,  # type: ignore[arg-type]
                           requested)


@dataclass(frozen=True)
class SetRequest:
    """One set to build: whose qualification, in which language (None: the programme's)."""

    person_id: int
    qualification_code: str
    lang: str | None = None


def build_diploma_set(
    session: Session,
    *,
    person_id: int,
    qualification_code: str,
    lang: str | None = None,
    institution_name: str,
    faculty: str | None = None,
    institution_name_en: str | None = None,
    institution_code: str | None = None,
    url: str | None = None,
    issued_on: date | None = None,
    signatories: Signatories | None = None,
    remarks: Sequence[str] = (),
    grade_counts: GradeCounts | None = None,
) -> DiplomaSet:
    """Return the diploma set of the person's qualification, in ``lang`` or the programme's language.

    ``faculty`` is printed when the programme is not in ``programmes`` (a registered programme's faculty wins);
    ``grade_counts`` may be shared between builds so that distributions are read once per course;
    ``issued_on`` defaults to today. Raises :class:`DiplomaNotPossible` for a missing person or qualification and
    :class:`~vitnemal.diplomas.rules.LanguageNotAllowed` for a language the programme does not allow.
    """
    (built,) = build_diploma_sets(
        session, [SetRequest(person_id, qualification_code, lang)], institution_name=institution_name,
        faculty=faculty, institution_name_en=institution_name_en, institution_code=institution_code, url=url,
        issued_on=issued_on, signatories=signatories, remarks=remarks, grade_counts=grade_counts)
    if isinstance(built, Exception):
        raise built
    return built


def build_diploma_sets(
    session: Session,
    requests: Sequence[SetRequest],
    *,
    institution_name: str,
    faculty: str | None = None,
    institution_name_en: str | None = None,
    institution_code: str | None = None,
    url: str | None = None,
    issued_on: date | None = None,
    signatories: Signatories | None = None,
    remarks: Sequence[str] = (),
    grade_counts: GradeCounts | None = None,
) -> list[DiplomaSet | DiplomaNotPossible | LanguageNotAllowed]:
    """Build many sets with one read of the records for all of them (a handful of queries, not a handful per set);
    each entry is the set or why it cannot be made. See :func:`build_diploma_set` for the arguments."""
    counts = grade_counts or GradeCounts()
    records = _read(session, [(r.person_id, r.qualification_code) for r in requests], counts)
    code = institution_code or session.scalar(select(ExchangeSettings.institution_code)) or ""
    common = _Common(institution_name, faculty, institution_name_en, code, url, issued_on or i18n.today(),
                     signatories or Signatories(), tuple(remarks))
    out: list[DiplomaSet | DiplomaNotPossible | LanguageNotAllowed] = []
    for request in requests:
        try:
            out.append(_compose(request, records, counts, common))
        except (DiplomaNotPossible, LanguageNotAllowed) as exc:
            out.append(exc)
    return out


@dataclass(frozen=True)
class _Common:
    institution_name: str
    faculty: str | None
    institution_name_en: str | None
    institution_code: str
    url: str | None
    issued_on: date
    signatories: Signatories
    remarks: tuple[str, ...]


def _compose(request: SetRequest, records: _Records, counts: GradeCounts, common: _Common) -> DiplomaSet:
    person = records.people.get(request.person_id)
    if person is None:
        raise DiplomaNotPossible(f"No person with id {request.person_id} in this institution's records.")
    qual = records.qualifications.get((person.id, request.qualification_code))
    if qual is None:
        held = records.held.get(person.id, [])
        raise DiplomaNotPossible(f"{no_qualification(person.name, request.qualification_code, held)}; award it in "
                                 "the records first.")
    row = records.programmes.get(qual.programme_code) if qual.programme_code else None
    programme = programme_info(row) if row is not None else None
    chosen = choose_language(programme.language if programme else None, request.lang)
    faculty = common.faculty
    if not faculty and not (programme and programme.faculty.nb):
        raise DiplomaNotPossible(f"The faculty awarding {qual.code} is not known: register programme "
                                 f"{qual.programme_code or '(none)'} in the programmes table or give the faculty.")
    inputs = DiplomaInputs(
        lang=chosen,
        candidate=Candidate(person.first_name, person.last_name, person.birth_date, person.national_id),
        institution_code=common.institution_code,
        institution_name=LangText(common.institution_name, None, common.institution_name_en),
        faculty=LangText(faculty) if faculty else LangText(),
        qualification=QualificationRecord(
            code=qual.code, name_nb=qual.name_nb, name_en=qual.name_en, level=qual.level, credits=qual.credits,
            award_date=qual.award_date, programme_code=qual.programme_code,
            programme_name_nb=qual.programme_name_nb, programme_name_en=qual.programme_name_en,
            specialisation_nb=qual.specialisation_nb, specialisation_en=qual.specialisation_en),
        results=_results(records.links.get(qual.id, []), qual, counts, chosen),
        recognitions=_recognitions(records.recognitions.get((person.id, qual.code), [])),
        issued_on=common.issued_on,
        groups=tuple(GroupDef(g.position, g.heading_nb, g.heading_en) for g in qual.groups),
        programme=programme,
        admitted=bool(qual.programme_code) and (person.id, qual.programme_code) in records.admitted,
        remarks=common.remarks,
        signatories=common.signatories,
        url=common.url,
    )
    return compose_diploma_set(inputs)
