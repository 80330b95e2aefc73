"""Building a diploma set from one institution's records and its recognition decisions.

:func:`build_diploma_set` reads the qualification with its structure and linked results, the decided
recognitions toward it, the programme (``programmes``) and whether the candidate was admitted to it
(``programme_admissions``), the grade distributions, and hands all of it to the pure
:func:`vitnemal.diplomas.rules.compose_diploma_set`. It never writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from vitnemal.diplomas.diploma_set import Candidate, DiplomaSet, Language, Term
from vitnemal.diplomas.distribution import GradeCounts
from vitnemal.diplomas.rules import (
    CountedResult,
    DiplomaInputs,
    GroupDef,
    LangText,
    ProgrammeInfo,
    QualificationRecord,
    Recognition,
    Signatories,
    choose_language,
    compose_diploma_set,
)
from vitnemal.identity.models import Person
from vitnemal.programmes.models import Programme
from vitnemal.programmes.service import find_programme, is_admitted, programme_language
from vitnemal.recognition.service import recognitions_for
from vitnemal.records.models import (
    AssessmentResult,
    Course,
    ExchangeSettings,
    Qualification,
    QualificationCourse,
)


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


def _qualification(session: Session, person: Person, code: str) -> Qualification:
    qual = session.scalar(select(Qualification).where(Qualification.person_id == person.id,
                                                      Qualification.code == code)
                          .options(selectinload(Qualification.groups)))
    if qual is None:
        held = session.scalars(select(Qualification.code).where(Qualification.person_id == person.id)).all()
        raise DiplomaNotPossible(f"{person.name} has no qualification {code!r} (has: {', '.join(held) or 'none'}); "
                                 "award it in the records first.")
    return qual


def _results(session: Session, qual: Qualification, counts: GradeCounts,
             lang: Language) -> tuple[CountedResult, ...]:
    rows = session.execute(
        select(QualificationCourse, AssessmentResult, Course)
        .join(AssessmentResult, AssessmentResult.id == QualificationCourse.result_id)
        .join(Course, Course.id == AssessmentResult.course_id)
        .where(QualificationCourse.qualification_id == qual.id)
        .order_by(QualificationCourse.id)
    ).all()
    counts.ensure(session, {course.id for _, _, course in rows})
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


def _recognitions(session: Session, person_id: int, code: str) -> tuple[Recognition, ...]:
    return tuple(
        Recognition(name_nb=i.name_nb, name_en=i.name_en, credits=i.credits, institution_name=i.institution_name,
                    institution_code=i.institution_code, code=i.code, kind=i.course_kind,
                    term=Term.of(i.year, i.season) if i.year and i.season else None,
                    credits_counted=i.credits_counted, thesis_title=i.thesis_title, group_heading=i.group_heading,
                    block=i.kind == "block")
        for i in recognitions_for(session, person_id, code))


def diploma_language(session: Session, programme_code: str | None, requested: str | None) -> Language:
    """The language a diploma of a qualification in ``programme_code`` gets when ``requested`` (None: the
    programme's). Raises :class:`~vitnemal.diplomas.rules.LanguageNotAllowed` for a language not allowed."""
    registered = programme_language(session, programme_code)
    return choose_language(registered if registered in ("nb", "nn", "en") else None,  # type: ignore[arg-type]
                           requested)


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
    person = session.get(Person, person_id)
    if person is None:
        raise DiplomaNotPossible(f"No person with id {person_id} in this institution's records.")
    qual = _qualification(session, person, qualification_code)
    row = find_programme(session, qual.programme_code) if qual.programme_code else None
    programme = programme_info(row) if row is not None else None
    chosen = choose_language(programme.language if programme else None, lang)
    if not faculty and not (programme and programme.faculty.nb):
        raise DiplomaNotPossible(f"The faculty awarding {qual.code} is not known: register programme "
                                 f"{qual.programme_code or '(none)'} in the programmes table or give the faculty.")
    admitted = is_admitted(session, person.id, qual.programme_code)
    code = institution_code or session.scalar(select(ExchangeSettings.institution_code)) or ""
    inputs = DiplomaInputs(
        lang=chosen,
        candidate=Candidate(person.first_name, person.last_name, person.birth_date, person.national_id),
        institution_code=code,
        institution_name=LangText(institution_name, None, institution_name_en),
        faculty=LangText(faculty) if faculty else LangText(),
        qualification=QualificationRecord(
            code=qual.code, name_nb=qual.name_nb, name_en=qual.name_en, level=qual.level, credits=qual.credits,
            award_date=qual.award_date, programme_code=qual.programme_code,
            programme_name_nb=qual.programme_name_nb, programme_name_en=qual.programme_name_en,
            specialisation_nb=qual.specialisation_nb, specialisation_en=qual.specialisation_en),
        results=_results(session, qual, grade_counts or GradeCounts(), chosen),
        recognitions=_recognitions(session, person.id, qual.code),
        issued_on=issued_on or date.today(),
        groups=tuple(GroupDef(g.position, g.heading_nb, g.heading_en) for g in qual.groups),
        programme=programme,
        admitted=admitted,
        remarks=tuple(remarks),
        signatories=signatories or Signatories(),
        url=url,
    )
    return compose_diploma_set(inputs)
