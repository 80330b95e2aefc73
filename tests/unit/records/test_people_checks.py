"""The person register's checks without a database: names, e-mail addresses, national ids said by code, and when
an answer dated on a day was given."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from vitnemal.records.people import PersonRefused, Problem, answered_at, checked_email, checked_id, checked_name


def test_names_are_trimmed_and_bounded() -> None:
    assert checked_name("  Test \t Person1 ", "first name") == "Test Person1"
    assert checked_name("Ola\u0000Nordmann", "first name") == "Ola Nordmann"  # a control character is a space
    with pytest.raises(PersonRefused) as empty:
        checked_name(" \n ", "Fornavn")
    assert empty.value.key is Problem.NAME_MISSING and empty.value.params == {"field": "Fornavn"}
    with pytest.raises(PersonRefused) as long:
        checked_name("x" * 101, "last name")
    assert long.value.key is Problem.NAME_TOO_LONG


@pytest.mark.parametrize("text", ["tp1 at example", "a@b", "@example.no", "a b@example.no", "a@b@example.no"])
def test_what_is_no_email_address_is_refused(text: str) -> None:
    with pytest.raises(PersonRefused) as refused:
        checked_email(text)
    assert refused.value.key is Problem.EMAIL_INVALID


def test_an_email_address_or_nothing() -> None:
    assert checked_email(" tp1@example.no ") == "tp1@example.no"
    assert checked_email("") is None and checked_email(None) is None


@pytest.mark.parametrize(("text", "problem"), [
    ("01536112186", Problem.ID_CHECK_DIGIT_2), ("0153611218", Problem.ID_LENGTH),
    ("015361 1218x", Problem.ID_NOT_DIGITS), ("32536112185", Problem.ID_CHECK_DIGIT_1),
])
def test_a_wrong_id_says_what_is_wrong(text: str, problem: Problem) -> None:
    with pytest.raises(PersonRefused) as refused:
        checked_id(text)
    assert refused.value.key is problem
    assert str(refused.value).startswith(f"{' '.join(text.split())} is not a valid national id")


def test_the_seeds_id_with_its_space_is_the_persons_id() -> None:
    assert checked_id("015361 12185").number == "01536112185"


def test_an_answer_dated_today_is_now_and_an_earlier_day_noon_in_oslo() -> None:
    now = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already 2 December in Oslo
    assert answered_at(date(2026, 12, 2), now) == now
    assert answered_at(date(2026, 11, 20), now) == datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
