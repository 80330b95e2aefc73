"""The diploma set (vitnemål) as plain data: front page, information page and transcript ("Grunnlag for vitnemål").

A :class:`DiplomaSet` is built once (:func:`vitnemal.diplomas.build.build_diploma_set`) from the records and the
recognition decisions, in one language, and then rendered (:mod:`vitnemal.diplomas.render`) or exported
(:func:`vitnemal.interop.elmo.diploma_to_elmo`). Every word that is *content* (names, the information page's
fixed texts filled in with the degree's data, grades, terms) is already in the language of the set; only labels
(column headings, "Side N av M") are looked up at rendering time. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from vitnemal.i18n import Language
from vitnemal.records.terms import SEASONS

__all__ = [
    "Candidate",
    "DiplomaSet",
    "FrontPage",
    "GradeDistribution",
    "GroupKind",
    "InfoSection",
    "InformationPage",
    "Issuer",
    "Language",
    "QualificationFacts",
    "Signature",
    "Term",
    "Transcript",
    "TranscriptGroup",
    "TranscriptLine",
]

GroupKind = Literal["exams", "structure", "recognised", "other", "thesis"]


@dataclass(frozen=True, order=True)
class Term:
    """An exam term as FS writes it ("2024 VÅR", "2023 HØST"); orders oldest first, VÅR before HØST."""

    year: int
    index: int  # 0 for VÅR, 1 for HØST: what makes the dataclass order oldest first

    @classmethod
    def of(cls, year: int, season: str) -> Term:
        """Return the term; ValueError when ``season`` is not VÅR or HØST."""
        if season not in SEASONS:
            raise ValueError(f"{season!r} is not a season: use VÅR or HØST")
        return cls(year, SEASONS.index(season))

    @property
    def season(self) -> str:
        return SEASONS[self.index]

    def __str__(self) -> str:
        return f"{self.year} {self.season}"


@dataclass(frozen=True)
class Candidate:
    """The person the degree is awarded to, as the records hold them."""

    first_name: str
    last_name: str
    birth_date: date | None
    national_id: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Issuer:
    """The awarding institution and faculty; ``name`` and ``faculty`` are in the set's language."""

    code: str
    name: str
    faculty: str
    name_nb: str
    name_en: str
    url: str | None = None


@dataclass(frozen=True)
class QualificationFacts:
    """The awarded qualification, language-neutral where it can be (both names are kept for ELMO)."""

    code: str
    name: str  # in the set's language
    name_nb: str
    name_en: str
    level: str  # "bachelor", "master", "phd" or "other"
    credits: Decimal
    award_date: date
    programme_code: str | None = None
    nqf_cycle: int | None = None  # 1, 2 or 3 (NKR); None for qualifications outside the framework

    @property
    def is_degree(self) -> bool:
        return self.level in ("bachelor", "master", "phd")


@dataclass(frozen=True)
class GradeDistribution:
    """How the passed candidates of a course were graded: counts of A–E (F is never part of it).

    ``window`` says which results were counted, in words, e.g. "2020 VÅR–2024 HØST".
    """

    counts: tuple[int, int, int, int, int]
    window: str

    @property
    def total(self) -> int:
        return sum(self.counts)

    def percentages(self) -> tuple[int, int, int, int, int]:
        """Whole per cents of A–E, rounded so that they add up to 100 (largest remainder)."""
        total = self.total
        if total == 0:
            return (0, 0, 0, 0, 0)
        exact = [c * 100 / total for c in self.counts]
        floors = [int(x) for x in exact]
        missing = 100 - sum(floors)
        order = sorted(range(5), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
        for i in order[:missing]:
            floors[i] += 1
        return (floors[0], floors[1], floors[2], floors[3], floors[4])


@dataclass(frozen=True)
class TranscriptLine:
    """One row of the transcript: a course of this institution, a recognised external course, or a block.

    ``credits`` are the credits that count toward the degree (all of the course's, or the part in
    ``course_credits`` that counts); ``grade`` is printed as is ("B", "Bestått", "Innpasset").
    """

    code: str | None  # None for an aggregated block
    name: str
    term: Term | None
    term_label: str
    credits: Decimal
    grade: str
    kind: str = "course"  # "course", "exphil", "exfac" or "thesis"
    course_credits: Decimal | None = None
    name_en: str | None = None
    thesis_title: str | None = None
    institution: str | None = None  # the other institution, for recognised courses and blocks
    institution_code: str | None = None
    recognised: bool = False
    block: bool = False
    grading_scale: str = "letter"
    distribution: GradeDistribution | None = None

    @property
    def partly(self) -> bool:
        """True when only part of the course counts toward the degree."""
        return self.course_credits is not None and self.course_credits != self.credits


@dataclass(frozen=True)
class TranscriptGroup:
    """A heading of the transcript with its rows, oldest term first."""

    heading: str
    kind: GroupKind
    lines: tuple[TranscriptLine, ...]

    @property
    def credits(self) -> Decimal:
        return sum((line.credits for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class Signature:
    """A signature line: the signer's title, and their name when known."""

    title: str
    name: str = ""


@dataclass(frozen=True)
class FrontPage:
    """Page 1: the word "Vitnemål", institution and faculty, candidate, degree, dates, programme, oath, signatures."""

    title: str
    candidate_line: str  # "Kari Nordmann, født 1. mars 1995,"
    conferral: str  # "er tildelt graden"
    degree: str
    award_line: str  # "Graden er tildelt 20. juni 2026."
    programme_line: str | None
    specialisation_line: str | None
    oath_heading: str | None
    oath: str | None
    issued_line: str  # "Dato for utstedelse: 1. juli 2026"
    signatures: tuple[Signature, Signature]


@dataclass(frozen=True)
class InfoSection:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class InformationPage:
    """Page 2: the information fields (1–3 for degrees, 2–3 otherwise, or the transitional heading)."""

    sections: tuple[InfoSection, ...]


@dataclass(frozen=True)
class Transcript:
    """"Grunnlag for vitnemål": the head about the candidate, the grouped courses, remarks, date and signature."""

    title: str
    facts: tuple[tuple[str, str], ...]  # (label, value) rows of the head: name, id, degree, date, programme...
    groups: tuple[TranscriptGroup, ...]
    total_credits: Decimal
    remarks: tuple[str, ...]
    issued_line: str
    signature: Signature
    grading_text: tuple[str, ...]
    distribution_note: str

    @property
    def lines(self) -> tuple[TranscriptLine, ...]:
        return tuple(line for group in self.groups for line in group.lines)


@dataclass(frozen=True)
class DiplomaSet:
    """The whole set in one language, ready to render or to export."""

    lang: Language
    candidate: Candidate
    issuer: Issuer
    qualification: QualificationFacts
    issued_on: date
    front: FrontPage
    information: InformationPage
    transcript: Transcript
    title: str  # the PDF's document title
