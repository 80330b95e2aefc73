"""Grade distributions (karakterfordeling) for the transcript, from the institution's own assessment records.

The rule, printed under the transcript (:data:`vitnemal.diplomas.texts.DISTRIBUTION_NOTE`):

* Counted are the **passed letter grades A–E** of the course at this institution (F is never part of it, nor are
  pass/fail results), in the **window of the last** :data:`WINDOW_YEARS` **years (ten terms) up to and including
  the term in which the candidate took the exam**. Every result counts once, so a candidate who improved a grade
  counts with both results, as the assessment record holds both.
* The distribution is **hidden when fewer than** :data:`MINIMUM_CANDIDATES` **passed results** are in the window:
  with so few candidates a share could point at a person, and the figures say little anyway.

:func:`distribution` is the pure rule; :class:`GradeCounts` reads the counts once for any number of courses (one
grouped query) so that issuing many diplomas does not query per line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vitnemal.diplomas.diploma_set import GradeDistribution, Language, Term
from vitnemal.diplomas.rules import MINIMUM_CANDIDATES, WINDOW_YEARS
from vitnemal.diplomas.texts import term_label
from vitnemal.records.models import AssessmentResult

__all__ = ["MINIMUM_CANDIDATES", "WINDOW_YEARS", "GradeCounts", "distribution", "window"]

LETTERS = ("A", "B", "C", "D", "E")


def ordinal(term: Term) -> int:
    """Terms as consecutive integers, VÅR before HØST, so a window is a range."""
    return term.year * 2 + term.index


def window(term: Term, years: int = WINDOW_YEARS) -> tuple[Term, Term]:
    """The first and last term of the window that ends with ``term`` (``years`` × 2 terms)."""
    first = ordinal(term) - 2 * years + 1
    return Term(first // 2, first % 2), term


def distribution(counts_by_term: Mapping[int, Mapping[str, int]], term: Term, lang: Language, *,
                 years: int = WINDOW_YEARS, minimum: int = MINIMUM_CANDIDATES) -> GradeDistribution | None:
    """Return the distribution of A–E in the window ending with ``term``, or None when it must be hidden.

    ``counts_by_term`` maps a term's :func:`ordinal` to the number of results per grade in that term; grades
    other than A–E are ignored.
    """
    start, end = window(term, years)
    totals = [0, 0, 0, 0, 0]
    for key in range(ordinal(start), ordinal(end) + 1):
        for grade, count in counts_by_term.get(key, {}).items():
            if grade in LETTERS:
                totals[LETTERS.index(grade)] += count
    if sum(totals) < minimum:
        return None
    label = f"{term_label(start, lang)}–{term_label(end, lang)}"
    return GradeDistribution((totals[0], totals[1], totals[2], totals[3], totals[4]), label)


class GradeCounts:
    """Passed A–E results per course and term, read with one query for the courses asked for.

    Create one per build, or one for a batch of diplomas; :meth:`ensure` reads the courses not yet loaded.
    """

    def __init__(self) -> None:
        self._by_course: dict[int, dict[int, dict[str, int]]] = {}

    def ensure(self, session: Session, course_ids: Iterable[int]) -> None:
        """Load the counts of every course in ``course_ids`` that is not loaded yet."""
        missing = sorted(set(course_ids) - set(self._by_course))
        if not missing:
            return
        loaded: dict[int, dict[int, dict[str, int]]] = {c: defaultdict(dict) for c in missing}
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            rows = session.execute(
                select(AssessmentResult.course_id, AssessmentResult.year, AssessmentResult.season,
                       AssessmentResult.grade, func.count())
                .where(AssessmentResult.course_id.in_(chunk), AssessmentResult.passed.is_(True),
                       AssessmentResult.grade.in_(LETTERS))
                .group_by(AssessmentResult.course_id, AssessmentResult.year, AssessmentResult.season,
                          AssessmentResult.grade)
            ).all()
            for course_id, year, season, grade, count in rows:
                loaded[course_id][ordinal(Term.of(year, season))][grade] = int(count)
        self._by_course.update({c: dict(v) for c, v in loaded.items()})

    def distribution(self, course_id: int, term: Term, lang: Language) -> GradeDistribution | None:
        """The course's distribution for a candidate who took it in ``term`` (None if hidden or not loaded)."""
        return distribution(self._by_course.get(course_id, {}), term, lang)
