"""Invariants of admission points and ranking, over generated valid certificates."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vitnemal.school.model import (
    EXEMPT,
    NOT_POSSIBLE,
    Certificate,
    Elective,
    Exam,
    ExamForm,
    ExamSubject,
    FinalGrade,
    Grade,
    Pupil,
    Subject,
)
from vitnemal.school.points import NoCountableGrades, admission_points, points_hundredths
from vitnemal.school.ranking import rank
from vitnemal.school.rules import check_certificate

GRADED_SUBJECTS = [s for s in Subject if s not in (Subject.UTDANNINGSVALG, Subject.ARBEIDSLIVSFAG)]
grades = st.one_of(st.integers(1, 6).map(Grade.of), st.sampled_from([NOT_POSSIBLE, EXEMPT]))
numeric_or_iv = st.one_of(st.integers(1, 6).map(Grade.of), st.just(NOT_POSSIBLE))


@st.composite
def certificates(draw: st.DrawFn) -> Certificate:
    final = [
        FinalGrade(subject, draw(grades))
        for subject in GRADED_SUBJECTS
        if subject is not Subject.NORSK_SIDEMAL_SKRIFTLIG and draw(st.booleans() | st.just(True))
    ]
    sidemal = draw(grades)
    final.append(FinalGrade(Subject.NORSK_SIDEMAL_SKRIFTLIG, sidemal))
    electives = tuple(Elective(g) for g in draw(st.lists(grades, min_size=1, max_size=3)))
    written = draw(st.sampled_from([ExamSubject.NORSK, ExamSubject.ENGELSK, ExamSubject.MATEMATIKK]))
    if written is ExamSubject.NORSK:
        exams = [Exam(ExamSubject.NORSK_HOVEDMAL, ExamForm.WRITTEN, draw(grades))]
        if sidemal != EXEMPT:
            exams.append(Exam(ExamSubject.NORSK_SIDEMAL, ExamForm.WRITTEN, draw(grades)))
    else:
        exams = [Exam(written, ExamForm.WRITTEN, draw(grades))]
    oral = draw(st.sampled_from([ExamSubject.NORSK, ExamSubject.KRLE, ExamSubject.NATURFAG, ExamSubject.ENGELSK]))
    form = ExamForm.ORAL_PRACTICAL if oral is ExamSubject.NATURFAG else ExamForm.ORAL
    exams.append(Exam(oral, form, draw(numeric_or_iv)))  # at least one grade always counts
    cert = Certificate(
        Pupil(draw(st.text("abcdef0123456789", min_size=1, max_size=8))), tuple(final), electives, tuple(exams)
    )
    assert check_certificate(cert) == [], check_certificate(cert)
    return cert


def exact_points(cert: Certificate) -> Fraction:
    """The same rule computed with fractions, rounding the valgfag average and the result half-up."""

    def half_up(x: Fraction) -> Fraction:
        return Fraction((x * 100 + Fraction(1, 2)).__floor__(), 100)

    def value(g: Grade) -> Fraction | None:
        return Fraction(g.value) if g.is_numeric else Fraction(0) if g == NOT_POSSIBLE else None

    values = [v for v in (value(line.grade) for line in cert.final_grades) if v is not None]
    electives = [v for v in (value(e.grade) for e in cert.electives) if v is not None]
    if electives:
        values.append(half_up(Fraction(sum(electives), len(electives))))
    values += [v for v in (value(e.grade) for e in cert.exams) if v is not None]
    return half_up(sum(values) * 10 / len(values))


@settings(suppress_health_check=[HealthCheck.too_slow])  # generation speed is the machine's load
@given(certificates())
def test_points_are_between_0_and_60_and_match_exact_arithmetic(cert: Certificate) -> None:
    result = admission_points(cert)
    assert Decimal(0) <= result.points <= Decimal(60)
    assert Fraction(result.points) == exact_points(cert)
    assert result.total == sum(c.value for c in result.counted)
    assert result.points.as_tuple().exponent == -2


@settings(suppress_health_check=[HealthCheck.too_slow])  # generation speed is the machine's load
@given(certificates(), st.data())
def test_adding_a_6_never_lowers_the_points(cert: Certificate, data: st.DataObject) -> None:
    before = admission_points(cert).points
    present = {line.subject for line in cert.final_grades if line.grade != EXEMPT}
    open_subjects = [s for s in GRADED_SUBJECTS if s not in present and s is not Subject.NORSK_SIDEMAL_SKRIFTLIG]
    choices = ["elective"] if len(cert.electives) < 3 else []
    choices += [s.value for s in open_subjects]
    if not choices:
        return
    choice = data.draw(st.sampled_from(choices))
    if choice == "elective":
        changed = Certificate(cert.pupil, cert.final_grades, (*cert.electives, Elective(Grade.of(6))), cert.exams)
    else:
        subject = Subject(choice)
        final = tuple(line for line in cert.final_grades if line.subject is not subject)
        changed = Certificate(cert.pupil, (*final, FinalGrade(subject, Grade.of(6))), cert.electives, cert.exams)
    assert check_certificate(changed) == []
    assert admission_points(changed).points >= before


# Generation time depends on the load of the (shared) machine, not on the code under test.
@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(certificates(), min_size=1, max_size=30, unique_by=lambda c: c.pupil.id), st.randoms())
def test_the_order_of_rows_does_not_matter(certs: list[Certificate], rnd: random.Random) -> None:
    entries = [(c.pupil.id, admission_points(c).points) for c in certs]
    shuffled = entries[:]
    rnd.shuffle(shuffled)
    assert rank(shuffled) == rank(entries)


@settings(suppress_health_check=[HealthCheck.too_slow])  # generation speed is the machine's load
@given(st.lists(st.integers(0, 600).map(lambda n: Decimal(n) / 10), min_size=1, max_size=40))
def test_ties_share_a_rank_and_ranks_follow_points(points: list[Decimal]) -> None:
    ranked = rank([(f"p{i:03}", p) for i, p in enumerate(points)])
    for before, after in pairwise(ranked):
        assert before.points >= after.points
        assert (before.rank == after.rank) == (before.points == after.points)
    for entry in ranked:
        assert entry.rank == 1 + sum(1 for p in points if p > entry.points)
        assert entry.tie_size == points.count(entry.points)


def test_a_certificate_where_nothing_counts_has_no_points() -> None:
    cert = Certificate(
        Pupil("x"),
        (FinalGrade(Subject.MUSIKK, EXEMPT),),
        (Elective(EXEMPT),),
        (Exam(ExamSubject.MATEMATIKK, ExamForm.WRITTEN, EXEMPT), Exam(ExamSubject.KRLE, ExamForm.ORAL, EXEMPT)),
    )
    try:
        admission_points(cert)
    except NoCountableGrades:
        return
    raise AssertionError("expected NoCountableGrades")


@settings(suppress_health_check=[HealthCheck.too_slow])  # generation speed is the machine's load
@given(certificates())
def test_the_fast_path_and_the_explaining_path_agree_on_every_pupil(cert: Certificate) -> None:
    try:
        explained = admission_points(cert).points
    except NoCountableGrades:
        with pytest.raises(NoCountableGrades):
            points_hundredths(cert)
        return
    assert points_hundredths(cert) == int(explained * 100)
