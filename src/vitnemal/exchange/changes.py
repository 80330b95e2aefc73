"""What changed at a source institution since the last fetch: a pure rule over what we hold and what came in.

The seed (step 12, "Endringer/nye resultater") names three things a case worker must be told about when results
are fetched again: more results, a new degree, an improved grade. A grade is improved either in place (an appeal:
the same course and term, a better grade) or by a retake (a new result for a course we already hold, with a better
grade than any we hold for it). Anything else that differs (names, credits, a lowered grade) is a change too, said
as such. No I/O: the importer gives what it read from the database and stores what this returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The kinds, in the order a case worker reads them (most important first).
NEW_RESULT = "new_result"
IMPROVED_GRADE = "improved_grade"
NEW_QUALIFICATION = "new_qualification"
CHANGED_GRADE = "changed_grade"
CHANGED_RESULT = "changed_result"
CHANGED_QUALIFICATION = "changed_qualification"
REMOVED_AT_SOURCE = "removed_at_source"
KINDS = (NEW_RESULT, IMPROVED_GRADE, NEW_QUALIFICATION, CHANGED_GRADE, CHANGED_RESULT, CHANGED_QUALIFICATION,
         REMOVED_AT_SOURCE)
# Kinds a page highlights as "new since the last fetch" (the seed's three).
HIGHLIGHTED = frozenset({NEW_RESULT, IMPROVED_GRADE, NEW_QUALIFICATION})

_LETTERS = "ABCDE"  # passed letter grades, best first (F is never shared: only passed results are)


def grade_rank(grade: str | None) -> int | None:
    """A comparable rank of a passed grade (higher is better), or None when grades on its scale do not compare
    ("Bestått" is neither better nor worse than another "Bestått")."""
    value = (grade or "").strip().upper()
    if len(value) == 1 and value in _LETTERS:
        return len(_LETTERS) - _LETTERS.index(value)
    return None


def is_better(new: str | None, old: str | None) -> bool:
    """Whether ``new`` is a better grade than ``old`` on the letter scale (False when they do not compare)."""
    new_rank, old_rank = grade_rank(new), grade_rank(old)
    return new_rank is not None and old_rank is not None and new_rank > old_rank


@dataclass(frozen=True)
class ResultFacts:
    """One result as the source describes it: its key (course + term), course code, grade and every other field."""

    key: str
    course_code: str
    term: str
    grade: str
    fields: Mapping[str, Any]
    removed_at_source: bool = False


@dataclass(frozen=True)
class ResultChange:
    """A change to report and highlight, with the result's key so a page can mark the row."""

    kind: str
    code: str
    key: str
    detail: str
    changed_fields: tuple[str, ...] = ()


def result_changes(held: Iterable[ResultFacts], incoming: Iterable[ResultFacts]) -> list[ResultChange]:
    """Every change between what we ``held`` from the last fetch and what the source sends now.

    A result that is no longer sent is ``removed_at_source`` (once: one already marked so is not reported again);
    one that comes back is a ``changed_result``.
    """
    before = {r.key: r for r in held}
    best: dict[str, str] = {}
    for r in before.values():
        if not r.removed_at_source and (r.course_code not in best or is_better(r.grade, best[r.course_code])):
            best[r.course_code] = r.grade
    changes: list[ResultChange] = []
    seen: set[str] = set()
    for new in incoming:
        seen.add(new.key)
        old = before.get(new.key)
        label = f"{new.course_code} {new.term}"
        if old is None:
            earlier = best.get(new.course_code)
            if earlier is not None and is_better(new.grade, earlier):
                changes.append(ResultChange(IMPROVED_GRADE, new.course_code, new.key,
                                            f"{label}: {earlier} → {new.grade} (retaken)"))
            else:
                changes.append(ResultChange(NEW_RESULT, new.course_code, new.key, f"{label}: {new.grade}"))
            continue
        diff = tuple(f for f in new.fields if old.fields.get(f) != new.fields[f])
        if "grade" in diff:
            kind = IMPROVED_GRADE if is_better(new.grade, old.grade) else CHANGED_GRADE
            changes.append(ResultChange(kind, new.course_code, new.key, f"{label}: {old.grade} → {new.grade}", diff))
        elif diff or old.removed_at_source:
            changes.append(ResultChange(CHANGED_RESULT, new.course_code, new.key,
                                        f"{label}: {', '.join(diff) or 'back among the passed results'}", diff))
    for key, old in before.items():
        if key not in seen and not old.removed_at_source:
            changes.append(ResultChange(REMOVED_AT_SOURCE, old.course_code, key,
                                        f"{old.course_code} {old.term} is no longer among the passed results"))
    return changes


def order_of(kind: str) -> int:
    """Sort key for changes: the seed's three first."""
    return KINDS.index(kind) if kind in KINDS else len(KINDS)
