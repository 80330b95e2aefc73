"""The ranked list of applicants by admission points, with ties shown rather than hidden.

Applicants with equal points share a rank (competition ranking: 1, 2, 2, 4) and are marked as tied: the
regulation breaks such ties by lot (loddtrekning), which is the admission office's act, not ours. Within a tie
the list is ordered by id only so that the output is the same however the input rows were ordered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

TIE_NOTE = "likt poeng: avgjøres ved loddtrekning"


@dataclass(frozen=True, slots=True)
class Ranked:
    """One applicant's place: ``rank`` is 1 + the number with more points; ``tie_size`` counts equal points."""

    rank: int
    pupil_id: str
    points: Decimal
    tie_size: int

    @property
    def tied(self) -> bool:
        return self.tie_size > 1


def rank(entries: Iterable[tuple[str, Decimal]]) -> list[Ranked]:
    """Return the applicants ``(id, points)`` ordered best first, each with rank and tie size."""
    ordered = sorted(entries, key=lambda entry: (-entry[1], entry[0]))
    sizes = Counter(points for _, points in ordered)
    ranked: list[Ranked] = []
    for position, (pupil_id, points) in enumerate(ordered, start=1):
        place = ranked[-1].rank if ranked and ranked[-1].points == points else position
        ranked.append(Ranked(place, pupil_id, points, sizes[points]))
    return ranked
