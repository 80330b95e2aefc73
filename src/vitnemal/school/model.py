"""The lower-secondary school leaving certificate (vitnemål for grunnskolen) as plain, frozen data.

Nothing here does I/O or checks rules; :mod:`vitnemal.school.rules` checks a :class:`Certificate`,
:mod:`vitnemal.school.points` turns one into admission points and :mod:`vitnemal.school.parsing` builds one from
loose input. Subject names as data are Norwegian (bokmål, lower case, as the seed writes them); the enum member
names are English-ish identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class GradeKind(StrEnum):
    """What stands in a grade column: a number, or one of the marks that are not numbers."""

    NUMERIC = "numeric"
    NOT_POSSIBLE = "IV"  # "vurdering ikke mulig": the basis for assessment is missing
    EXEMPT = "fritatt"  # exempt from assessment with a grade
    PARTICIPATED = "deltatt"  # assessed without a grade (utdanningsvalg)
    NOT_PARTICIPATED = "ikke deltatt"


@dataclass(frozen=True, slots=True)
class Grade:
    """One grade: ``Grade.of(5)``, ``Grade.NOT_POSSIBLE`` (IV), ``Grade.EXEMPT`` (fritatt), ...

    ``value`` is 1–6 for numeric grades and 0 otherwise.
    """

    kind: GradeKind
    value: int = 0

    @staticmethod
    def of(value: int) -> Grade:
        if not 1 <= value <= 6:
            raise ValueError(f"a grade is 1–6, not {value}")
        return Grade(GradeKind.NUMERIC, value)

    @property
    def is_numeric(self) -> bool:
        return self.kind is GradeKind.NUMERIC

    def __str__(self) -> str:
        return str(self.value) if self.kind is GradeKind.NUMERIC else self.kind.value


NOT_POSSIBLE = Grade(GradeKind.NOT_POSSIBLE)
EXEMPT = Grade(GradeKind.EXEMPT)
PARTICIPATED = Grade(GradeKind.PARTICIPATED)
NOT_PARTICIPATED = Grade(GradeKind.NOT_PARTICIPATED)


class Subject(StrEnum):
    """A subject with a final assessment grade (standpunktkarakter) on the certificate, valgfag excepted.

    The seed lists fifteen lines (valgfag being one line with one to three grades), hence "inntil 15".
    Utdanningsvalg is assessed deltatt / ikke deltatt where a school still uses it.
    """

    NORSK_MUNTLIG = "norsk muntlig"
    NORSK_HOVEDMAL_SKRIFTLIG = "norsk hovedmål skriftlig"
    NORSK_SIDEMAL_SKRIFTLIG = "norsk sidemål skriftlig"
    ENGELSK_MUNTLIG = "engelsk muntlig"
    ENGELSK_SKRIFTLIG = "engelsk skriftlig"
    MATEMATIKK = "matematikk"
    NATURFAG = "naturfag"
    SAMFUNNSFAG = "samfunnsfag"
    KRLE = "KRLE"
    MAT_OG_HELSE = "mat og helse"
    MUSIKK = "musikk"
    KUNST_OG_HANDVERK = "kunst og håndverk"
    KROPPSOVING = "kroppsøving"
    FREMMEDSPRAK = "fremmedspråk"
    ARBEIDSLIVSFAG = "arbeidslivsfag"
    UTDANNINGSVALG = "utdanningsvalg"


# The order in which subjects stand on the certificate.
SUBJECT_ORDER: tuple[Subject, ...] = tuple(Subject)
VALGFAG = "valgfag"


class ExamForm(StrEnum):
    """Exam form as printed on the certificate: S skriftlig, M muntlig, MP muntlig-praktisk."""

    WRITTEN = "S"
    ORAL = "M"
    ORAL_PRACTICAL = "MP"

    @property
    def word(self) -> str:
        return {"S": "skriftlig", "M": "muntlig", "MP": "muntlig-praktisk"}[self.value]

    @property
    def is_oral(self) -> bool:
        return self is not ExamForm.WRITTEN


class ExamSubject(StrEnum):
    """A subject a pupil can be drawn for at exam. Written norsk is two papers, hovedmål and sidemål."""

    NORSK = "norsk"
    NORSK_HOVEDMAL = "norsk hovedmål"
    NORSK_SIDEMAL = "norsk sidemål"
    ENGELSK = "engelsk"
    MATEMATIKK = "matematikk"
    KRLE = "KRLE"
    SAMFUNNSFAG = "samfunnsfag"
    NATURFAG = "naturfag"
    FREMMEDSPRAK = "fremmedspråk"
    ARBEIDSLIVSFAG = "arbeidslivsfag"

    @property
    def discipline(self) -> ExamSubject:
        """The subject drawn, with hovedmål and sidemål both being norsk."""
        return ExamSubject.NORSK if self.value.startswith("norsk") else self


WRITTEN_EXAM_SUBJECTS = frozenset({ExamSubject.NORSK, ExamSubject.ENGELSK, ExamSubject.MATEMATIKK})
ORAL_EXAM_SUBJECTS = frozenset(
    {
        ExamSubject.NORSK,
        ExamSubject.ENGELSK,
        ExamSubject.MATEMATIKK,
        ExamSubject.KRLE,
        ExamSubject.SAMFUNNSFAG,
        ExamSubject.NATURFAG,
        ExamSubject.FREMMEDSPRAK,
        ExamSubject.ARBEIDSLIVSFAG,
    }
)


class Behaviour(StrEnum):
    """A mark in orden (order) or atferd (conduct): God, Nokså god, Lite god. Never counts for admission."""

    GOOD = "G"
    FAIRLY_GOOD = "NG"
    POOR = "LG"


@dataclass(frozen=True, slots=True)
class FinalGrade:
    subject: Subject
    grade: Grade


@dataclass(frozen=True, slots=True)
class Elective:
    """One valgfag grade; ``name`` is the valgfag's own name when known (e.g. "Programmering")."""

    grade: Grade
    name: str = ""


@dataclass(frozen=True, slots=True)
class Exam:
    subject: ExamSubject
    form: ExamForm
    grade: Grade

    @property
    def label(self) -> str:
        """The exam's name as data, e.g. "matematikk skriftlig" or "naturfag muntlig-praktisk"."""
        return f"{self.subject.value} {self.form.word}"


@dataclass(frozen=True, slots=True)
class Absence:
    """Absence in one school year (trinn 8, 9 or 10): whole days and single hours, never converted.

    ``excluded_days`` are documented days (up to 10 per school year) left out on the pupil's request;
    the certificate shows ``days - excluded_days``.
    """

    year: int
    days: int
    hours: int
    excluded_days: int = 0

    @property
    def recorded_days(self) -> int:
        return self.days - self.excluded_days


@dataclass(frozen=True, slots=True)
class Pupil:
    id: str
    name: str = ""
    birth_date: date | None = None
    school: str = ""
    municipality: str = ""


@dataclass(frozen=True, slots=True)
class Signatures:
    """The two people who sign the certificate (names may be left blank for a handwritten signature)."""

    principal: str = ""
    contact_teacher: str = ""


@dataclass(frozen=True)
class Certificate:
    """Everything on one pupil's leaving certificate."""

    pupil: Pupil
    final_grades: tuple[FinalGrade, ...] = ()
    electives: tuple[Elective, ...] = ()
    exams: tuple[Exam, ...] = ()
    order: Behaviour | None = None
    conduct: Behaviour | None = None
    absence: tuple[Absence, ...] = ()
    individual_plan: bool = False
    individual_plan_on_certificate: bool = False
    remarks: tuple[str, ...] = ()
    place: str = ""
    issued_on: date | None = None
    signatures: Signatures = field(default_factory=Signatures)

    def final_grade(self, subject: Subject) -> Grade | None:
        """Return the final grade in ``subject``, or None when the subject is not on the certificate."""
        for line in self.final_grades:
            if line.subject is subject:
                return line.grade
        return None

    @property
    def exempt_from_sidemal(self) -> bool:
        """True when the pupil is exempt from assessment with a grade in norsk sidemål."""
        return self.final_grade(Subject.NORSK_SIDEMAL_SKRIFTLIG) == EXEMPT

    @property
    def shows_individual_plan(self) -> bool:
        """The IOP is noted only when the pupil had one and the pupil or parents asked for it."""
        return self.individual_plan and self.individual_plan_on_certificate
