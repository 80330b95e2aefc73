"""Admission points (inntakspoeng / grunnskolepoeng) for upper-secondary admission, with their working.

The rule implemented:

1. Every numeric final grade (standpunkt) and every numeric exam grade counts at its own value.
2. Several valgfag grades are first averaged to one grade, rounded half-up to two decimals, which counts as
   *one* grade; a single valgfag grade counts as itself.
3. Orden and atferd, fritatt, and subjects without a numeric grade (utdanningsvalg: deltatt) do not count.
4. IV ("vurdering ikke mulig") counts as 0 and stays in the count, in valgfag too.
5. ``points = sum × 10 ÷ count``, rounded half-up to two decimals.

All arithmetic is exact: grades are :class:`~decimal.Decimal` and the two roundings are done on integers
(:func:`divide_half_up`): 60.33 × 10 ÷ 12 = 50.275 exactly rounds to 50.28, where binary floats (50.27499…)
give 50.27, and 43.125 rounds to 43.13, where round-half-even gives 43.12.

Why step 5 rounds once, at the end. Guides word the rule two ways. SSB and several guides say "summen av
karakterene delt på antall karakterer, multiplisert med 10" (sum ÷ count × 10); others, and one SSB definition,
say "gjennomsnittet av tallkarakterene med to desimaler, multiplisert med 10" (the average is rounded to two
decimals first). The two readings differ whenever the average's third decimal matters: sum 61 over 14 grades is
43.571… → **43.57** here, but 4.36 × 10 = 43.60 with the average rounded first. We round once because (a) the
regulation's arithmetic is sum × 10 ÷ count and rounding an intermediate value only loses information, (b) the
points keep two meaningful decimals instead of one, so fewer applicants tie on equal points (ties are broken by
lot), and (c) points written with two decimals, such as 43.78, then mean what they say: the average-first
reading always ends in 0. The valgfag average is the one intermediate rounding, because the rule itself makes
it a grade "with two decimals". ``tests/unit/school/test_school_points.py`` pins the boundary between the two readings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from vitnemal.school.model import Certificate, Grade, GradeKind

TWO_PLACES = 2
MAX_POINTS = Decimal(60)


NO_COUNTABLE_GRADES = (
    "no grade counts for admission points (every grade is fritatt or without a number); "
    "such a pupil is admitted on another basis"
)


class NoCountableGrades(ValueError):
    """The certificate has no grade that counts (all fritatt, say), so no admission points can be computed."""


class Source(StrEnum):
    FINAL = "standpunkt"
    ELECTIVES = "valgfag"
    EXAM = "eksamen"
    ORDER_AND_CONDUCT = "orden og atferd"


@dataclass(frozen=True, slots=True)
class CountedGrade:
    """A grade in the sum: ``value`` is what it adds (IV adds 0; the valgfag line adds the average)."""

    label: str
    source: Source
    grade: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class SkippedGrade:
    """A line on the certificate that does not count, and why."""

    label: str
    source: Source
    grade: str
    reason: str


@dataclass(frozen=True)
class AdmissionPoints:
    """The points and every step that led to them."""

    counted: tuple[CountedGrade, ...]
    skipped: tuple[SkippedGrade, ...]
    electives: tuple[str, ...]
    elective_average: Decimal | None
    total: Decimal
    count: int
    points: Decimal

    @property
    def formula(self) -> str:
        """The working as one line, e.g. ``(4 + 5 + … + 4.50) × 10 ÷ 16 = 656.50 ÷ 16 = 41.03``."""
        terms = " + ".join(str(grade.value) for grade in self.counted)
        return f"({terms}) × 10 ÷ {self.count} = {self.total * 10} ÷ {self.count} = {self.points}"


def divide_half_up(numerator: Decimal, denominator: int, places: int = TWO_PLACES) -> Decimal:
    """Return ``numerator ÷ denominator`` rounded half-up (away from zero on .5) to ``places`` decimals, exactly.

    Exact for any finite decimal numerator: the division is done on integers, never on floats, and no
    intermediate result is rounded to the context's precision.
    """
    if denominator <= 0:
        raise ZeroDivisionError("denominator must be positive")
    sign, digits, exponent = numerator.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite number: {numerator}")
    scaled = int("".join(map(str, digits)) or "0")  # |numerator| = scaled × 10**exponent
    shift = places + exponent  # result × 10**places = scaled × 10**shift ÷ denominator
    top = scaled * 10**shift if shift >= 0 else scaled
    bottom = denominator if shift >= 0 else denominator * 10**-shift
    quotient = (2 * top + bottom) // (2 * bottom)
    return Decimal((sign, tuple(int(d) for d in str(quotient)), -places))


_NUMERIC = GradeKind.NUMERIC  # enum member lookups are slow on Python 3.11; a county file does ~10⁶ of these
_NOT_POSSIBLE = GradeKind.NOT_POSSIBLE
_DECIMALS = tuple(Decimal(n) for n in range(7))


def grade_value(grade: Grade) -> Decimal | None:
    """Return what a grade adds to the sum: its number, 0 for IV, None when it does not count."""
    kind = grade.kind
    if kind is _NUMERIC:
        return _DECIMALS[grade.value]
    if kind is _NOT_POSSIBLE:
        return _DECIMALS[0]
    return None


def elective_average(grades: list[Grade]) -> Decimal | None:
    """Return the one valgfag grade that counts: the average to two decimals (IV as 0, fritatt left out).

    None when no valgfag grade counts.
    """
    values = [v for v in (grade_value(g) for g in grades) if v is not None]
    if not values:
        return None
    return divide_half_up(sum(values, Decimal(0)), len(values))


_SKIP_REASONS = {
    GradeKind.EXEMPT: "fritatt teller ikke",
    GradeKind.PARTICIPATED: "ingen tallkarakter",
    GradeKind.NOT_PARTICIPATED: "ingen tallkarakter",
}


def admission_points(cert: Certificate) -> AdmissionPoints:
    """Return the admission points of a certificate with their working.

    Raises :class:`NoCountableGrades` when nothing counts. The certificate should already have passed
    :func:`vitnemal.school.rules.check_certificate`; this function only reads grades.
    """
    counted: list[CountedGrade] = []
    skipped: list[SkippedGrade] = []

    def add(label: str, source: Source, grade: Grade) -> None:
        value = grade_value(grade)
        if value is None:
            skipped.append(SkippedGrade(label, source, str(grade), _SKIP_REASONS[grade.kind]))
        else:
            counted.append(CountedGrade(label, source, str(grade), value))

    for line in cert.final_grades:
        add(line.subject.value, Source.FINAL, line.grade)

    grades = [e.grade for e in cert.electives]
    average = elective_average(grades)
    for index, elective in enumerate(cert.electives, start=1):
        if grade_value(elective.grade) is None:
            label = f"valgfag {index}" + (f" ({elective.name})" if elective.name else "")
            skipped.append(SkippedGrade(label, Source.ELECTIVES, str(elective.grade), "fritatt teller ikke"))
    if average is not None:
        shown = " + ".join(str(g) for g in grades if grade_value(g) is not None)
        counted.append(CountedGrade("valgfag (gjennomsnitt)", Source.ELECTIVES, shown, average))

    for exam in cert.exams:
        add(exam.label, Source.EXAM, exam.grade)

    for label, mark in (("orden", cert.order), ("atferd", cert.conduct)):
        if mark is not None:
            skipped.append(SkippedGrade(label, Source.ORDER_AND_CONDUCT, mark.value, "orden og atferd teller ikke"))

    if not counted:
        raise NoCountableGrades(NO_COUNTABLE_GRADES)
    total = sum((c.value for c in counted), Decimal(0))
    points = divide_half_up(total * 10, len(counted))
    return AdmissionPoints(
        counted=tuple(counted),
        skipped=tuple(skipped),
        electives=tuple(str(g) for g in grades),
        elective_average=average,
        total=total,
        count=len(counted),
        points=points,
    )


# For the fast path: what each grade kind adds, in whole grades (None: does not count).
def _whole(grade: Grade) -> int | None:
    kind = grade.kind
    if kind is _NUMERIC:
        return int(grade.value)
    if kind is _NOT_POSSIBLE:
        return 0
    return None


def points_hundredths(cert: Certificate) -> int:
    """Return the admission points of a certificate in hundredths (4378 for 43.78), without the working.

    The same rule as :func:`admission_points`, in integers: the valgfag average is rounded half-up to hundredths
    (``(2·sum·100 + n) // 2n``), then sum × 10 ÷ count half-up to hundredths. Exact, so the result is always
    ``admission_points(cert).points × 100`` (a property test holds them together). Raises :class:`NoCountableGrades`
    as it does.
    """
    total = 0  # in hundredths
    count = 0
    for line in cert.final_grades:
        value = _whole(line.grade)
        if value is not None:
            total += value * 100
            count += 1
    elective_sum = elective_count = 0
    for elective in cert.electives:
        value = _whole(elective.grade)
        if value is not None:
            elective_sum += value
            elective_count += 1
    if elective_count:
        total += (200 * elective_sum + elective_count) // (2 * elective_count)
        count += 1
    for exam in cert.exams:
        value = _whole(exam.grade)
        if value is not None:
            total += value * 100
            count += 1
    if not count:
        raise NoCountableGrades(NO_COUNTABLE_GRADES)
    return (20 * total + count) // (2 * count)
