"""Fixed texts and formatting, and the grade distribution rule (window, F excluded, anonymity threshold)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vitnemal.diplomas import texts
from vitnemal.diplomas.diploma_set import GradeDistribution, Term
from vitnemal.diplomas.distribution import MINIMUM_CANDIDATES, WINDOW_YEARS, distribution, ordinal, window


@pytest.mark.parametrize(("lang", "autumn", "spring"), [("nb", "2023 Høst", "2024 Vår"),
                                                        ("nn", "2023 Haust", "2024 Vår"),
                                                        ("en", "2023 Autumn", "2024 Spring")])
def test_term_labels(lang: str, autumn: str, spring: str) -> None:
    assert texts.term_label(Term.of(2023, "HØST"), lang) == autumn  # type: ignore[arg-type]
    assert texts.term_label(Term.of(2024, "VÅR"), lang) == spring  # type: ignore[arg-type]


def test_terms_sort_oldest_first_with_spring_before_autumn() -> None:
    terms = [Term.of(2024, "VÅR"), Term.of(2023, "HØST"), Term.of(2023, "VÅR")]
    assert [str(t) for t in sorted(terms)] == ["2023 VÅR", "2023 HØST", "2024 VÅR"]
    with pytest.raises(ValueError, match="VÅR or HØST"):
        Term.of(2023, "SOMMER")


def test_credits_and_grades() -> None:
    assert texts.credits_text(Decimal("10.0"), "nb") == "10"
    assert texts.credits_text(Decimal("7.5"), "nb") == "7,5"
    assert texts.credits_text(Decimal("7.50"), "en") == "7.5"
    assert texts.credits_text(Decimal("120"), "en") == "120"
    assert texts.grade_text("Bestått", "en") == "Passed"
    assert texts.grade_text("Ikke bestått", "nn") == "Ikkje bestått"
    assert texts.grade_text("B", "nn") == "B"


def test_page_numbers_and_officer_titles_follow_the_seed() -> None:
    assert texts.LABELS["nb"]["page"].format(page=1, pages=4) == "Side 1 av 4"
    assert texts.LABELS["nn"]["page"].format(page=2, pages=4) == "Side 2 av 4"
    assert texts.LABELS["en"]["page"].format(page=3, pages=4) == "Page 3 of 4"
    assert [texts.LABELS[lang]["officer"] for lang in ("nb", "nn", "en")] == [
        "saksbehandler", "sakshandsamar", "Faculty Officer"]
    assert [texts.INFO_TRANSITIONAL[lang] for lang in ("nb", "nn", "en")] == [
        "Informasjon om studieprogrammet", "Informasjon om studieprogrammet", "Information about the programme"]


def test_every_language_has_every_label() -> None:
    keys = set(texts.LABELS["nb"])
    assert set(texts.LABELS["nn"]) == keys and set(texts.LABELS["en"]) == keys


def test_window_is_ten_terms_ending_with_the_candidates_term() -> None:
    assert window(Term.of(2024, "HØST")) == (Term.of(2020, "VÅR"), Term.of(2024, "HØST"))
    assert window(Term.of(2024, "VÅR")) == (Term.of(2019, "HØST"), Term.of(2024, "VÅR"))
    start, end = window(Term.of(2024, "VÅR"))
    assert ordinal(end) - ordinal(start) + 1 == 2 * WINDOW_YEARS


def counts(*per_term: tuple[Term, dict[str, int]]) -> dict[int, dict[str, int]]:
    return {ordinal(term): grades for term, grades in per_term}


def test_distribution_counts_passed_letters_in_the_window_only() -> None:
    data = counts(
        (Term.of(2024, "HØST"), {"A": 2, "B": 3, "F": 40}),  # F never counts
        (Term.of(2022, "VÅR"), {"C": 4, "Bestått": 9}),  # pass/fail never counts
        (Term.of(2019, "HØST"), {"A": 100}),  # outside the window for 2024 HØST
        (Term.of(2025, "VÅR"), {"A": 100}),  # after the candidate's term
        (Term.of(2020, "VÅR"), {"D": 1, "E": 1}),
    )
    got = distribution(data, Term.of(2024, "HØST"), "nb")
    assert got == GradeDistribution((2, 3, 4, 1, 1), "2020 Vår–2024 Høst")


def test_distribution_is_hidden_below_the_threshold() -> None:
    few = counts((Term.of(2024, "VÅR"), {"A": MINIMUM_CANDIDATES - 1}))
    assert distribution(few, Term.of(2024, "VÅR"), "nb") is None
    enough = counts((Term.of(2024, "VÅR"), {"A": MINIMUM_CANDIDATES - 1, "E": 1}))
    assert distribution(enough, Term.of(2024, "VÅR"), "en") is not None


@given(st.tuples(*[st.integers(min_value=0, max_value=500)] * 5).filter(lambda c: sum(c) > 0))
def test_percentages_add_up_to_one_hundred(c: tuple[int, int, int, int, int]) -> None:
    shares = GradeDistribution(c, "").percentages()
    assert sum(shares) == 100
    assert all(abs(share - n * 100 / sum(c)) < 1 for share, n in zip(shares, c, strict=True))
