"""The seed's "changes since the last fetch" as a pure rule: new result, improved grade, new degree and the rest."""

from __future__ import annotations

from vitnemal.exchange.changes import (
    CHANGED_GRADE,
    CHANGED_RESULT,
    IMPROVED_GRADE,
    NEW_RESULT,
    REMOVED_AT_SOURCE,
    ResultFacts,
    grade_rank,
    is_better,
    result_changes,
)


def fact(code: str, term: str, grade: str, *, removed: bool = False, **fields: object) -> ResultFacts:
    return ResultFacts(key=f"{code}|{term}", course_code=code, term=term, grade=grade,
                       fields={"grade": grade, "credits": "10", **fields}, removed_at_source=removed)


def kinds(held: list[ResultFacts], incoming: list[ResultFacts]) -> list[tuple[str, str]]:
    return [(c.kind, c.key) for c in result_changes(held, incoming)]


def test_grades_compare_on_the_letter_scale_only() -> None:
    assert is_better("A", "B") and is_better("b", "E") and not is_better("C", "C") and not is_better("D", "B")
    assert grade_rank("Bestått") is None and not is_better("Bestått", "C") and not is_better("A", "Bestått")


def test_nothing_changed_is_no_change() -> None:
    held = [fact("RES-100", "2014 HØST", "C")]
    assert result_changes(held, [fact("RES-100", "2014 HØST", "C")]) == []


def test_a_new_result_for_a_new_course_is_a_new_result() -> None:
    assert kinds([fact("RES-100", "2014 HØST", "C")],
                 [fact("RES-100", "2014 HØST", "C"), fact("RES-300", "2015 VÅR", "A")]) == [
        (NEW_RESULT, "RES-300|2015 VÅR")]


def test_a_better_grade_in_place_is_an_improved_grade_and_a_worse_one_a_changed_grade() -> None:
    held = [fact("RES-100", "2014 HØST", "C"), fact("RES-200", "2014 HØST", "B")]
    found = result_changes(held, [fact("RES-100", "2014 HØST", "B"), fact("RES-200", "2014 HØST", "D")])
    assert [(c.kind, c.code, c.detail, c.changed_fields) for c in found] == [
        (IMPROVED_GRADE, "RES-100", "RES-100 2014 HØST: C → B", ("grade",)),
        (CHANGED_GRADE, "RES-200", "RES-200 2014 HØST: B → D", ("grade",)),
    ]


def test_a_retake_with_a_better_grade_is_an_improved_grade_and_a_worse_retake_a_new_result() -> None:
    held = [fact("RES-100", "2014 HØST", "C")]
    better = result_changes(held, [held[0], fact("RES-100", "2015 VÅR", "A")])
    assert [(c.kind, c.key, c.detail) for c in better] == [
        (IMPROVED_GRADE, "RES-100|2015 VÅR", "RES-100 2015 VÅR: C → A (retaken)")]
    assert kinds(held, [held[0], fact("RES-100", "2015 VÅR", "D")]) == [(NEW_RESULT, "RES-100|2015 VÅR")]


def test_a_retake_is_compared_with_the_best_grade_held_not_the_first() -> None:
    held = [fact("RES-100", "2014 HØST", "D"), fact("RES-100", "2015 VÅR", "B")]
    assert kinds(held, [*held, fact("RES-100", "2016 VÅR", "C")]) == [(NEW_RESULT, "RES-100|2016 VÅR")]


def test_other_fields_vanishing_and_coming_back() -> None:
    held = [fact("RES-100", "2014 HØST", "C"), fact("RES-200", "2014 HØST", "B"),
            fact("RES-400", "2013 VÅR", "A", removed=True)]
    found = result_changes(held, [fact("RES-100", "2014 HØST", "C", credits="7.5"),
                                  fact("RES-400", "2013 VÅR", "A")])
    assert [(c.kind, c.code, c.changed_fields) for c in found] == [
        (CHANGED_RESULT, "RES-100", ("credits",)),
        (CHANGED_RESULT, "RES-400", ()),
        (REMOVED_AT_SOURCE, "RES-200", ()),
    ]
    # one already marked as removed is not reported again
    assert result_changes([fact("RES-200", "2014 HØST", "B", removed=True)], []) == []


def test_a_first_import_against_nothing_held_lists_everything_as_new() -> None:
    assert kinds([], [fact("A", "2014 HØST", "B")]) == [(NEW_RESULT, "A|2014 HØST")]
