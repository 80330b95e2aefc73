"""How admission reads an applicant's fetched results, as plain functions (no I/O): the degrees with level and
date, the credits per level, the courses with their grades, and whether the fetch is complete and if not, why.

A fetched answer is kept as compact JSON (:func:`pack` / :func:`unpack`) of the exchange's verified
``ImportedResult`` and ``ImportedQualification``, so the summary is computed from exactly what the node signed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from vitnemal.admissions.models import Stopped
from vitnemal.exchange.outcomes import ImportedLink, ImportedQualification, ImportedResult, Outcome
from vitnemal.exchange.states import OutcomeState
from vitnemal.records.terms import season_order, term_day

LEVELS = ("bachelor", "master", "phd", "other")
NO_DEGREE = "none"  # courses that belong to no degree
# Outcomes after which nothing more can be had from that institution by asking again: the fetch is complete there.
COMPLETE_OUTCOMES = frozenset({Outcome.IMPORTED, Outcome.NO_RESULTS, Outcome.NOT_SHARING, Outcome.RESERVED})
# Of those, the ones where the institution's results (if any) were not seen: named in the summary.
NOT_COVERED_OUTCOMES = frozenset({Outcome.NOT_SHARING, Outcome.RESERVED})
LETTER_RANK = {"A": 5, "B": 4, "C": 3, "D": 2, "E": 1}


# --- what a fetch brought -----------------------------------------------------------------------------------------

def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def pack(results: Sequence[ImportedResult], qualifications: Sequence[ImportedQualification]) -> str:
    """The verified contents of one answer as compact JSON, for the fetch row."""
    return json.dumps({"r": [asdict(r) for r in results], "q": [asdict(q) for q in qualifications]},
                      default=_default, ensure_ascii=False, separators=(",", ":"))


def unpack(text: str) -> tuple[tuple[ImportedResult, ...], tuple[ImportedQualification, ...]]:
    data = json.loads(text)
    results = tuple(ImportedResult(**{**r, "credits": Decimal(r["credits"])}) for r in data["r"])
    quals = tuple(
        ImportedQualification(**{
            **q, "credits": Decimal(q["credits"]), "award_date": date.fromisoformat(q["award_date"]),
            "diploma_issued_on": date.fromisoformat(q["diploma_issued_on"]) if q["diploma_issued_on"] else None,
            "links": tuple(ImportedLink(**{**link, "credits_counted": None if link["credits_counted"] is None
                                           else Decimal(link["credits_counted"])}) for link in q["links"]),
        })
        for q in data["q"]
    )
    return results, quals


@dataclass(frozen=True)
class FetchedContents:
    """One institution's verified answer about the applicant."""

    institution: str
    institution_name: str
    results: tuple[ImportedResult, ...]
    qualifications: tuple[ImportedQualification, ...]


# --- the summary ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DegreeLine:
    institution: str
    institution_name: str
    code: str
    name_nb: str
    name_en: str
    level: str
    award_date: date
    credits: Decimal


@dataclass(frozen=True)
class CourseLine:
    institution: str
    institution_name: str
    code: str
    name_nb: str
    name_en: str
    year: int
    season: str
    credits: Decimal
    grade: str
    level: str  # the level of the degree the course belongs to, or NO_DEGREE

    @property
    def term(self) -> str:
        return f"{self.year} {self.season}"


@dataclass(frozen=True)
class Summary:
    degrees: tuple[DegreeLine, ...]
    courses: tuple[CourseLine, ...]
    credits_by_level: dict[str, Decimal]
    total_credits: Decimal
    not_covered: tuple[str, ...] = ()  # institutions that do not share or reserved themselves


def _level(value: str) -> str:
    return value if value in LEVELS else "other"


def _better(a: ImportedResult, b: ImportedResult) -> ImportedResult:
    """Of two results of the same course at one institution, the one that counts: the better letter grade, else
    (a pass/fail scale, or equal grades) the later term."""
    rank_a, rank_b = LETTER_RANK.get(a.grade.upper(), 0), LETTER_RANK.get(b.grade.upper(), 0)
    if rank_a != rank_b:
        return a if rank_a > rank_b else b
    return a if (a.year, season_order(a.season)) >= (b.year, season_order(b.season)) else b


# An institution's name on a day (a merged institution's name of that day: Registry.name_then), by code and day.
NameOn = Callable[[str, date], str]


def summarise(fetched: Iterable[FetchedContents], not_covered: Iterable[str] = (),
              name_on: NameOn | None = None) -> Summary:
    """Degrees (oldest first), courses (a course taken again at one institution counts once, with its best
    grade; oldest term first) and the passed credits per level of the degree each course belongs to. With
    ``name_on`` each line names its institution as it was named when the degree was awarded or the course taken
    (a 2014 course from 216: "Høgskulen i Sogn og Fjordane"), else by the source's name."""
    degrees: list[DegreeLine] = []
    courses: list[CourseLine] = []
    for source in fetched:
        def then(day: date, code: str = source.institution, now: str = source.institution_name) -> str:
            return name_on(code, day) if name_on is not None else now

        level_of_key: dict[str, str] = {}
        for q in sorted(source.qualifications, key=lambda q: q.award_date):
            degrees.append(DegreeLine(source.institution, then(q.award_date), q.code, q.name_nb, q.name_en,
                                      _level(q.level), q.award_date, q.credits))
            for link in q.links:
                level_of_key.setdefault(link.result_key, _level(q.level))
        best: dict[str, ImportedResult] = {}
        level_of_code: dict[str, str] = {}
        for r in source.results:
            best[r.course_code] = _better(best[r.course_code], r) if r.course_code in best else r
            if r.key in level_of_key:
                level_of_code.setdefault(r.course_code, level_of_key[r.key])
        for code, r in best.items():
            courses.append(CourseLine(source.institution, then(term_day(r.year, r.season)), code, r.name_nb, r.name_en,
                                      r.year, r.season, r.credits, r.grade, level_of_code.get(code, NO_DEGREE)))
    degrees.sort(key=lambda d: (d.award_date, d.institution, d.code))
    courses.sort(key=lambda c: (c.year, season_order(c.season), c.institution, c.code))
    by_level: dict[str, Decimal] = {}
    for c in courses:
        by_level[c.level] = by_level.get(c.level, Decimal(0)) + c.credits
    ordered = {lvl: by_level[lvl] for lvl in (*LEVELS, NO_DEGREE) if lvl in by_level}
    return Summary(tuple(degrees), tuple(courses), ordered, sum(ordered.values(), Decimal(0)),
                   tuple(sorted(set(not_covered))))


# --- complete or not ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FetchState:
    state: OutcomeState
    outcome: str
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class Reason:
    """Why an applicant's fetch is incomplete: ``code`` (an Outcome, ``not_asked``, ``waiting_retry``, or
    ``consent_withdrawn``), at ``institution`` (None for the applicant as a whole)."""

    code: str
    institution: str | None = None
    next_attempt_at: datetime | None = field(default=None, compare=False)


UNNAMED = "unnamed"  # the list gave no name: "no results" answers are not confirmed (see incomplete_reasons)


def incomplete_reasons(fetches: Mapping[str, FetchState], institutions: Sequence[str],
                       stopped: Stopped | None = None, named: bool = True) -> list[Reason]:
    """Why the applicant's results are not all in; an empty list means complete. Every institution of the round
    either answered for good in a way that leaves nothing out (:data:`COMPLETE_OUTCOMES`) or is a reason.

    An applicant the list did not name (first and last name, ``named``) cannot be told apart at a node from
    someone it holds under another national id (an old D-number: the seed's identity mismatch), so a node's "no
    results" about them is not confirmed: the applicant is incomplete, with :data:`UNNAMED` as the reason."""
    reasons = [Reason(stopped.value)] if stopped is not None else []
    if not named and any(f.outcome == Outcome.NO_RESULTS for f in fetches.values()):
        reasons.append(Reason(UNNAMED))
    for code in institutions:
        fetch = fetches.get(code)
        if fetch is None:
            if stopped is None:
                reasons.append(Reason("not_asked", code))
        elif fetch.state is OutcomeState.RETRY:
            if stopped is None:  # a stopped applicant is asked no more: the stop is the reason
                reasons.append(Reason("waiting_retry", code, fetch.next_attempt_at))
        elif fetch.outcome not in COMPLETE_OUTCOMES:
            reasons.append(Reason(fetch.outcome, code))
    return reasons
