"""The rules a leaving certificate must follow, as pure functions returning every problem found.

From the seed (003) and forskrift til opplæringsloven § 3-41 (føring av fråvær):

- up to 15 final-grade lines: the fourteen subjects plus valgfag, which is one line with one to three grades;
  fremmedspråk *or* arbeidslivsfag, not both; utdanningsvalg is deltatt / ikke deltatt, never a number;
- one written exam drawn among norsk, engelsk and matematikk; norsk is two papers (hovedmål and sidemål) except
  for a pupil exempt from sidemål, who gets one hovedmål grade; one oral (or oral-practical) exam among norsk,
  engelsk, matematikk, KRLE, samfunnsfag, naturfag, fremmedspråk / arbeidslivsfag; 2–3 exam grades in all.
  An exam the pupil is exempt from is entered as "fritatt" so the certificate still says so;
- absence per trinn (8, 9, 10) in days and single hours; up to 10 documented days per school year are left out
  on request;
- the individual education plan is noted only when the pupil had one and asked for it to be noted.

A missing subject is not an error: the seed says "inntil 15" and a school may leave out a subject the pupil was
never taught. :func:`check_certificate` is enough for admission points; :func:`check_issuable` adds what a
printed certificate needs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from vitnemal.school.model import (
    ORAL_EXAM_SUBJECTS,
    WRITTEN_EXAM_SUBJECTS,
    Certificate,
    Exam,
    ExamSubject,
    GradeKind,
    Subject,
)

MAX_FINAL_GRADE_LINES = 15
MAX_ELECTIVES = 3
MAX_EXCLUDED_DAYS_PER_YEAR = 10
SCHOOL_YEARS = (8, 9, 10)
_UNGRADED = frozenset({GradeKind.PARTICIPATED, GradeKind.NOT_PARTICIPATED})


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: ``where`` names the part of the certificate, ``message`` what is wrong and what to do."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_certificate(cert: Certificate) -> list[Problem]:
    """Return every problem with the certificate's content (empty when it follows the rules)."""
    problems: list[Problem] = []
    if not cert.pupil.id.strip():
        problems.append(Problem("id", "every pupil needs an id (unique in the file)"))
    problems += _check_final_grades(cert)
    problems += _check_electives(cert)
    problems += _check_exams(cert)
    problems += _check_absence(cert)
    if cert.individual_plan_on_certificate and not cert.individual_plan:
        problems.append(
            Problem("iop", "iop_on_certificate is set but the pupil had no individual education plan (iop)")
        )
    return problems


def check_issuable(cert: Certificate) -> list[Problem]:
    """Return the content problems plus what a printed certificate needs: name, orden and atferd."""
    problems = check_certificate(cert)
    if not cert.pupil.name.strip():
        problems.append(Problem("name", "the pupil's name is needed on the certificate"))
    if cert.order is None:
        problems.append(Problem("order", "orden is missing; give G, NG or LG"))
    if cert.conduct is None:
        problems.append(Problem("conduct", "atferd is missing; give G, NG or LG"))
    return problems


def _check_final_grades(cert: Certificate) -> list[Problem]:
    problems: list[Problem] = []
    counts = Counter(line.subject for line in cert.final_grades)
    for subject, count in counts.items():
        if count > 1:
            problems.append(Problem(f"final.{subject.value}", f"given {count} times; give one grade"))
    if Subject.FREMMEDSPRAK in counts and Subject.ARBEIDSLIVSFAG in counts:
        problems.append(
            Problem("final", "both fremmedspråk and arbeidslivsfag; a pupil has one or the other, remove one")
        )
    for line in cert.final_grades:
        where = f"final.{line.subject.value}"
        if line.subject is Subject.UTDANNINGSVALG:
            if line.grade.kind not in _UNGRADED:
                problems.append(Problem(where, f"is assessed deltatt / ikke deltatt, not {line.grade}"))
        elif line.grade.kind in _UNGRADED:
            problems.append(Problem(where, f"{line.grade} is only for utdanningsvalg; give 1–6, IV or fritatt"))
    graded_lines = sum(1 for line in cert.final_grades if line.subject is not Subject.UTDANNINGSVALG)
    graded_lines += 1 if cert.electives else 0
    if graded_lines > MAX_FINAL_GRADE_LINES:
        problems.append(
            Problem("final", f"{graded_lines} final-grade lines; a certificate has at most {MAX_FINAL_GRADE_LINES}")
        )
    return problems


def _check_electives(cert: Certificate) -> list[Problem]:
    problems: list[Problem] = []
    if not 1 <= len(cert.electives) <= MAX_ELECTIVES:
        problems.append(
            Problem(
                "electives",
                f"{len(cert.electives)} valgfag grades; a certificate has one, two or three "
                "(one per kind of valgfag the pupil had; use 'fritatt' for an exempt pupil)",
            )
        )
    for index, elective in enumerate(cert.electives, start=1):
        if elective.grade.kind in _UNGRADED:
            problems.append(Problem(f"electives.{index}", f"{elective.grade} is not a valgfag grade; give 1–6, IV"))
    return problems


def _check_exams(cert: Certificate) -> list[Problem]:
    written = [exam for exam in cert.exams if not exam.form.is_oral]
    oral = [exam for exam in cert.exams if exam.form.is_oral]
    problems = _check_exam_lines(cert.exams)
    problems += _check_written(cert, written)
    problems += _check_oral(cert, oral)
    return problems


def _check_exam_lines(exams: tuple[Exam, ...]) -> list[Problem]:
    problems: list[Problem] = []
    for label, count in Counter(exam.label for exam in exams).items():
        if count > 1:
            problems.append(Problem(f"exams.{label}", f"given {count} times; give one grade"))
    for exam in exams:
        if exam.grade.kind in _UNGRADED:
            problems.append(
                Problem(f"exams.{exam.label}", f"{exam.grade} is not an exam grade; give 1–6, IV or fritatt")
            )
    return problems


def _check_written(cert: Certificate, written: list[Exam]) -> list[Problem]:
    disciplines = sorted({exam.subject.discipline for exam in written})
    wrong = [d for d in disciplines if d not in WRITTEN_EXAM_SUBJECTS]
    if wrong:
        names = ", ".join(d.value for d in wrong)
        return [Problem("exams", f"no written exam in {names}; written exams are in norsk, engelsk or matematikk")]
    if not disciplines:
        return [
            Problem(
                "exams",
                "no written exam; the pupil is drawn for one in norsk, engelsk or matematikk "
                "(e.g. 'matematikk skriftlig'); give 'fritatt' if the pupil is exempt",
            )
        ]
    if len(disciplines) > 1:
        names = " and ".join(d.value for d in disciplines)
        return [Problem("exams", f"written exams in {names}; a pupil is drawn for only one written exam")]
    if disciplines[0] is not ExamSubject.NORSK:
        return []
    papers = {exam.subject for exam in written}
    problems: list[Problem] = []
    if ExamSubject.NORSK_HOVEDMAL not in papers:
        problems.append(Problem("exams", "written norsk needs 'norsk hovedmål skriftlig'"))
    if cert.exempt_from_sidemal and ExamSubject.NORSK_SIDEMAL in papers:
        problems.append(
            Problem(
                "exams",
                "the pupil is exempt from norsk sidemål (fritatt) and so gets one written norsk grade, "
                "in hovedmål; remove 'norsk sidemål skriftlig'",
            )
        )
    if not cert.exempt_from_sidemal and ExamSubject.NORSK_SIDEMAL not in papers:
        problems.append(
            Problem(
                "exams",
                "written norsk is two papers: give 'norsk sidemål skriftlig' too, or set the final grade in "
                "'norsk sidemål skriftlig' to fritatt if the pupil is exempt from sidemål",
            )
        )
    return problems


def _check_oral(cert: Certificate, oral: list[Exam]) -> list[Problem]:
    if not oral:
        return [
            Problem(
                "exams",
                "no oral exam; the pupil is drawn for one (e.g. 'engelsk muntlig', 'naturfag muntlig-praktisk'); "
                "give 'fritatt' if the pupil is exempt",
            )
        ]
    if len(oral) > 1:
        names = ", ".join(exam.label for exam in oral)
        return [Problem("exams", f"oral exams in {names}; a pupil is drawn for only one oral exam")]
    exam = oral[0]
    if exam.subject not in ORAL_EXAM_SUBJECTS:
        return [
            Problem(f"exams.{exam.label}", "hovedmål and sidemål are written papers; the oral exam is 'norsk muntlig'")
        ]
    has = {line.subject for line in cert.final_grades}
    if exam.subject is ExamSubject.FREMMEDSPRAK and Subject.ARBEIDSLIVSFAG in has and Subject.FREMMEDSPRAK not in has:
        return [Problem(f"exams.{exam.label}", "the pupil has arbeidslivsfag, not fremmedspråk")]
    if exam.subject is ExamSubject.ARBEIDSLIVSFAG and Subject.FREMMEDSPRAK in has and Subject.ARBEIDSLIVSFAG not in has:
        return [Problem(f"exams.{exam.label}", "the pupil has fremmedspråk, not arbeidslivsfag")]
    return []


def _check_absence(cert: Certificate) -> list[Problem]:
    problems: list[Problem] = []
    for year, count in Counter(a.year for a in cert.absence).items():
        if count > 1:
            problems.append(Problem(f"absence.{year}", f"given {count} times; give one line per trinn"))
    for absence in cert.absence:
        where = f"absence.{absence.year}"
        if absence.year not in SCHOOL_YEARS:
            problems.append(Problem(where, "absence is recorded for trinn 8, 9 and 10 only"))
        if absence.days < 0 or absence.hours < 0:
            problems.append(Problem(where, "days and hours cannot be negative"))
        if not 0 <= absence.excluded_days <= MAX_EXCLUDED_DAYS_PER_YEAR:
            problems.append(
                Problem(
                    where,
                    f"{absence.excluded_days} days left out; at most {MAX_EXCLUDED_DAYS_PER_YEAR} documented "
                    "days per school year can be left out on request",
                )
            )
        elif absence.excluded_days > absence.days:
            problems.append(
                Problem(where, f"{absence.excluded_days} days left out but only {absence.days} days of absence")
            )
    return problems
