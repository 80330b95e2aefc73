"""Norwegian national identity numbers: every kind and series, every error code, the century table, 2032."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from vitnemal.identity.national_id import (
    InvalidNationalId,
    NationalIdKind,
    Series,
    birth_year,
    individual_ranges,
    is_valid_national_id,
    make_national_id,
    mod11_check_digits,
    parse_national_id,
)

K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2]
K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]


def _mod11(digits: str, weights: list[int]) -> int | None:
    """Test-local mod-11, written out from the specification rather than imported."""
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return {11: 0, 10: None}.get(check, check)


def complete(first_nine: str) -> str:
    """The full number for nine digits, computing K1 and K2 independently of the module under test."""
    k1 = _mod11(first_nine, [3, 7, 6, 1, 8, 9, 4, 5, 2])
    assert k1 is not None, f"{first_nine} has no valid K1; pick another test number"
    k2 = _mod11(first_nine + str(k1), [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    assert k2 is not None, f"{first_nine} has no valid K2; pick another test number"
    return f"{first_nine}{k1}{k2}"


def complete_or_none(first_nine: str) -> str | None:
    try:
        return complete(first_nine)
    except AssertionError:
        return None


def nearest_complete(first_nine: str) -> str:
    """The full number for the first individual number from ``first_nine[6:]`` on with both check digits."""
    start = int(first_nine[6:])
    for individual in range(start, start + 40):
        number = complete_or_none(f"{first_nine[:6]}{individual:03d}")
        if number is not None:
            return number
    raise AssertionError(f"no complete number near {first_nine}")


def error_code(text: str) -> str:
    with pytest.raises(InvalidNationalId) as info:
        parse_national_id(text)
    assert info.value.message == str(info.value)
    assert issubclass(InvalidNationalId, ValueError)
    return info.value.code


# --- documented examples ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "born"),
    [("015361 12185", date(1961, 3, 1)), ("195883 12510", date(1983, 8, 19))],
)
def test_seed_test_persons_are_the_fs_series(text: str, born: date) -> None:
    nid = parse_national_id(text)
    assert nid.number == text.replace(" ", "")
    assert nid.kind is NationalIdKind.FODSELSNUMMER
    assert nid.series is Series.FS_TEST
    assert nid.series == "fs_test"
    assert nid.birth_date == born
    assert nid.gender == "male"
    assert nid.is_test
    assert nid.formatted == text
    assert nid.k1_remainder == 0


def test_published_check_digit_example_born_1899() -> None:
    # fnrinfo.no's worked example: 311299567 gets check digits 1 and 5; individual 567 with year 99 is 1899.
    assert complete("311299567") == "31129956715"
    nid = parse_national_id("31129956715")
    assert (nid.kind, nid.series, nid.birth_date) == (
        NationalIdKind.FODSELSNUMMER,
        Series.ORDINARY,
        date(1899, 12, 31),
    )
    assert nid.individual == 567
    assert not nid.is_test


# --- kinds and series -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_nine", "kind", "series", "born"),
    [
        ("150385123", NationalIdKind.FODSELSNUMMER, Series.ORDINARY, date(1985, 3, 15)),
        ("550385123", NationalIdKind.D_NUMBER, Series.ORDINARY, date(1985, 3, 15)),
        ("710170400", NationalIdKind.D_NUMBER, Series.ORDINARY, date(1970, 1, 31)),
        ("154385123", NationalIdKind.H_NUMBER, Series.ORDINARY, date(1985, 3, 15)),
        ("155085123", NationalIdKind.H_NUMBER, Series.ORDINARY, date(1985, 10, 15)),
        ("158385123", NationalIdKind.FODSELSNUMMER, Series.SYNTHETIC, date(1985, 3, 15)),
        ("559285123", NationalIdKind.D_NUMBER, Series.SYNTHETIC, date(1985, 12, 15)),
        ("155385123", NationalIdKind.FODSELSNUMMER, Series.FS_TEST, date(1985, 3, 15)),
        ("556285123", NationalIdKind.D_NUMBER, Series.FS_TEST, date(1985, 12, 15)),
    ],
)
def test_each_kind_and_series(first_nine: str, kind: NationalIdKind, series: Series, born: date) -> None:
    number = nearest_complete(first_nine)
    nid = parse_national_id(number)
    assert (nid.kind, nid.series, nid.birth_date) == (kind, series, born)
    assert nid.is_test == (series is not Series.ORDINARY)


@pytest.mark.parametrize(("mm", "month"), [("51", 1), ("52", 2)])
def test_month_51_and_52_read_as_fs_series_not_h_number(mm: str, month: int) -> None:
    number = make_national_id(date(1990, month, 10), 123, series="fs_test") or make_national_id(
        date(1990, month, 10), 124, series="fs_test"
    )
    assert number is not None and number[2:4] == mm
    nid = parse_national_id(number)
    assert (nid.kind, nid.series, nid.birth_date) == (
        NationalIdKind.FODSELSNUMMER,
        Series.FS_TEST,
        date(1990, month, 10),
    )
    with pytest.raises(ValueError, match="November and December"):
        make_national_id(date(1990, month + 10, 10), 123, kind=NationalIdKind.H_NUMBER)


def test_h_numbers_only_in_the_ordinary_series() -> None:
    with pytest.raises(ValueError, match="ordinary series"):
        make_national_id(date(1990, 3, 10), 123, kind="h_number", series="synthetic")


def test_gender_from_digit_nine() -> None:
    numbers = {i: make_national_id(date(1985, 3, 15), i) for i in range(100, 140)}
    genders = {
        i % 2: parse_national_id(n).gender for i, n in numbers.items() if n is not None
    }
    assert genders == {0: "female", 1: "male"}


# --- input normalisation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["01536112185", " 015361 12185 ", "01 53 61 121 85", "015361\t12185", "015361\u00a012185\n"]
)
def test_whitespace_anywhere_is_ignored(text: str) -> None:
    assert parse_national_id(text).number == "01536112185"
    assert is_valid_national_id(text)


# --- errors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "given"),
    [("0153611218", "10 digits"), ("015361121850", "12 digits"), ("", "0 digits"), ("1", "1 digit;")],
)
def test_wrong_length_says_how_many(text: str, given: str) -> None:
    with pytest.raises(InvalidNationalId) as info:
        parse_national_id(text)
    assert info.value.code == "length"
    assert given in info.value.message and "11" in info.value.message


@pytest.mark.parametrize(
    "text", ["0153611218a", "015361-12185", "01.53.61 12185", "٠١٥٣٦١١٢١٨٥", "01536112185x"]
)
def test_non_digits_are_named(text: str) -> None:
    with pytest.raises(InvalidNationalId) as info:
        parse_national_id(text)
    assert info.value.code == "not_digits"
    bad = next(c for c in text if c not in "0123456789 ")
    assert repr(bad) in info.value.message


def test_first_check_digit_wrong_says_expected() -> None:
    # 015361121: weighted sum 113 ≡ 3 (mod 11), so K1 8, 9 and 0 have remainders 0, 1 and 3 (2 would need 10).
    with pytest.raises(InvalidNationalId) as info:
        parse_national_id("01536112118")
    assert info.value.code == "check_digit_1"
    assert "first check digit is 1, expected one of 8, 9, 0" in info.value.message


def test_second_check_digit_wrong_says_expected() -> None:
    with pytest.raises(InvalidNationalId) as info:
        parse_national_id("01536112186")
    assert info.value.code == "check_digit_2"
    assert "second check digit is 6, expected 5" in info.value.message


def test_nine_digits_whose_traditional_k1_would_be_10_still_have_2032_digits() -> None:
    first_nine = next(
        f"150385{i:03d}" for i in range(500) if _mod11(f"150385{i:03d}", K1_WEIGHTS) is None
    )
    assert mod11_check_digits(first_nine) == (None, None)
    assert make_national_id(date(1985, 3, 15), int(first_nine[6:])) is None  # it makes traditional numbers
    # Weighted sum ≡ 1 (mod 11): K1 0, 1 and 2 give remainders 1, 2 and 3.
    for k1, remainder in ((0, 1), (1, 2), (2, 3)):
        k2 = _mod11(f"{first_nine}{k1}", K2_WEIGHTS)
        if k2 is not None:
            assert parse_national_id(f"{first_nine}{k1}{k2}").k1_remainder == remainder


@pytest.mark.parametrize(
    ("first_nine", "fragment"),
    [
        ("311361123", "month field 13"),
        ("013361123", "month field 33"),
        ("019361123", "month field 93"),
        ("320361123", "day field 32"),
        ("000361123", "day field 00"),
        ("720361123", "day field 72"),
        ("300285123", "30.02.1985 does not exist"),
        ("690285123", "29.02.1985 does not exist"),
        ("298285123", "29.02.1985 does not exist"),
        ("454385123", "both D- and H-number"),
        ("150345800", "individual number 800 is not used for year 45"),
        ("150353600", "individual number 600 is not used for year 53"),
    ],
)
def test_impossible_dates(first_nine: str, fragment: str) -> None:
    number = nearest_complete(first_nine)  # same century behaviour: stays within the individual range
    fragment = fragment.replace(first_nine[6:9], number[6:9]) if "individual" in fragment else fragment
    with pytest.raises(InvalidNationalId) as info:
        parse_national_id(number)
    assert info.value.code == "date"
    assert fragment in info.value.message


def test_29_february_in_a_leap_year_is_fine() -> None:
    number = make_national_id(date(2000, 2, 29), 512) or make_national_id(date(2000, 2, 29), 513)
    assert number is not None
    assert parse_national_id(number).birth_date == date(2000, 2, 29)


# --- century table ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("individual", "yy", "year"),
    [
        (0, 0, 1900), (0, 99, 1999), (499, 0, 1900), (499, 99, 1999),
        (500, 54, 1854), (749, 54, 1854), (500, 99, 1899), (749, 99, 1899),
        (500, 0, 2000), (999, 0, 2000), (500, 39, 2039), (999, 39, 2039), (750, 20, 2020),
        (900, 40, 1940), (999, 40, 1940), (900, 99, 1999), (999, 99, 1999),
        (500, 40, None), (749, 53, None), (750, 54, None), (899, 99, None), (750, 40, None), (899, 40, None),
    ],
)  # fmt: skip
def test_century_table_boundaries(individual: int, yy: int, year: int | None) -> None:
    assert birth_year(individual, yy) == year
    number = complete_or_none(f"0101{yy:02d}{individual:03d}")
    if number is None:  # no check digits for this exact combination: the table itself is tested above
        return
    if year is None:
        assert error_code(number) == "date"
    else:
        assert parse_national_id(number).birth_date == date(year, 1, 1)


def test_individual_ranges_are_the_inverse_of_the_table() -> None:
    for year in range(1850, 2045):
        usable = {i for r in individual_ranges(year) for i in r}
        assert usable == {i for i in range(1000) if birth_year(i, year % 100) == year}, year


# --- the 2032 rule ----------------------------------------------------------------------------------------


def with_remainder(first_nine: str, remainder: int) -> str | None:
    """The number whose K1 is computed with ``remainder`` (Skatteetaten: the weighted sum of the nine digits plus
    K1 is ≡ remainder mod 11) and whose K2 is mod-11 over the ten digits; None when either would be 10. Written
    from the rule, independently of the module under test."""
    total = sum(int(d) * w for d, w in zip(first_nine, K1_WEIGHTS, strict=True))
    k1 = (remainder - total) % 11
    k2 = _mod11(f"{first_nine}{k1}", K2_WEIGHTS) if k1 != 10 else None
    return None if k2 is None else f"{first_nine}{k1}{k2}"


def numbers_for_every_remainder(first_nines: list[str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for first_nine in first_nines:
        for remainder in range(4):
            number = with_remainder(first_nine, remainder)
            if number is not None:
                found.setdefault(remainder, number)
    assert sorted(found) == [0, 1, 2, 3]
    return found


@pytest.mark.parametrize(("prefix", "first_individual", "born"), [
    ("010361", 100, date(1961, 3, 1)),  # ordinary
    ("311299", 500, date(1899, 12, 31)),  # born in the 1800s
    ("550385", 100, date(1985, 3, 15)),  # a D-number
    ("158381", 100, date(1981, 3, 15)),  # the synthetic series (month + 80)
    ("210207", 500, date(2007, 2, 21)),  # born in the 2000s
])
def test_k1_computed_with_each_remainder_is_valid_and_says_which(prefix: str, first_individual: int,
                                                                  born: date) -> None:
    # The rule depends neither on the birth date nor on the date of checking: such numbers may be issued now.
    first_nines = [f"{prefix}{i:03d}" for i in range(first_individual, first_individual + 60)]
    for remainder, number in numbers_for_every_remainder(first_nines).items():
        nid = parse_national_id(number)
        assert (nid.k1_remainder, nid.k1_rule) == (remainder, "mod11" if remainder == 0 else "2032")
        assert nid.birth_date == born
        assert (nid.gender is None) == (remainder != 0)  # a 2032-rule number's digit 9 carries no gender


def test_remainder_0_is_the_traditional_digit() -> None:
    nid = parse_national_id("01536112185")
    assert nid.k1_remainder == 0 and nid.k1_rule == "mod11" and nid.gender == "male"
    assert with_remainder("015361121", 0) == "01536112185"


@pytest.mark.parametrize("remainder", range(4, 11))
def test_k1_computed_with_remainder_4_to_10_is_refused(remainder: int) -> None:
    number = next(n for i in range(100, 200) if (n := with_remainder(f"010361{i:03d}", remainder)) is not None)
    assert error_code(number) == "check_digit_1"


@pytest.mark.parametrize("remainder", range(1, 4))
def test_k2_stays_strict_over_the_k1_actually_present(remainder: int) -> None:
    number = next(n for i in range(100, 200) if (n := with_remainder(f"010361{i:03d}", remainder)) is not None)
    for other in "0123456789":
        if other != number[10]:
            assert error_code(number[:10] + other) == "check_digit_2"
    # K2 computed over the traditional K1 instead of the one present is wrong too (when the two differ).
    traditional = complete_or_none(number[:9])
    if traditional is not None and traditional[10] != number[10]:
        assert error_code(number[:10] + traditional[10]) == "check_digit_2"


# --- helpers for the demo data generator ------------------------------------------------------------------


def test_mod11_check_digits() -> None:
    assert mod11_check_digits("015361121") == (8, 5)
    assert mod11_check_digits("311299567") == (1, 5)
    for bad in ["01536112", "0153611210", "01536112a"]:
        with pytest.raises(ValueError):
            mod11_check_digits(bad)


def test_make_national_id_examples() -> None:
    assert make_national_id(date(1961, 3, 1), 121, series=Series.FS_TEST) == "01536112185"
    assert make_national_id(date(1983, 8, 19), 125, series="fs_test") == "19588312510"
    assert make_national_id(date(1899, 12, 31), 567) == "31129956715"


@pytest.mark.parametrize(
    ("born", "individual"),
    [
        (date(1985, 1, 1), 600),
        (date(2005, 1, 1), 100),
        (date(1850, 1, 1), 600),
        (date(2040, 1, 1), 900),
        (date(1985, 1, 1), 1000),
        (date(1985, 1, 1), -1),
    ],
)
def test_make_national_id_refuses_unrepresentable(born: date, individual: int) -> None:
    with pytest.raises(ValueError):
        make_national_id(born, individual)


KINDS = st.sampled_from(list(NationalIdKind))
SERIES = st.sampled_from(list(Series))


@st.composite
def birth_and_individual(draw: st.DrawFn) -> tuple[date, int]:
    born = draw(st.dates(min_value=date(1854, 1, 1), max_value=date(2039, 12, 31)))
    ranges = individual_ranges(born.year)
    individual = draw(st.sampled_from(ranges).flatmap(lambda r: st.integers(r.start, r.stop - 1)))
    return born, individual


@given(birth_and_individual(), KINDS, SERIES)
def test_made_numbers_parse_back(
    born_individual: tuple[date, int], kind: NationalIdKind, series: Series
) -> None:
    born, individual = born_individual
    if kind is NationalIdKind.H_NUMBER:
        assume(series is Series.ORDINARY and born.month <= 10)
    number = make_national_id(born, individual, kind=kind, series=series)
    assume(number is not None)
    assert number is not None
    nid = parse_national_id(number)
    assert (nid.birth_date, nid.kind, nid.series, nid.individual) == (born, kind, series, individual)
    assert nid.k1_remainder == 0
    assert nid.gender == ("male" if individual % 2 else "female")
    assert nid.formatted.replace(" ", "") == number


@given(st.text(alphabet=st.sampled_from("0123456789 -a\t"), max_size=14))
def test_parse_raises_only_invalid_national_id(text: str) -> None:
    try:
        nid = parse_national_id(text)
    except InvalidNationalId as exc:
        assert exc.code in {"length", "not_digits", "check_digit_1", "check_digit_2", "date"}
    else:
        assert len(nid.number) == 11
        with pytest.raises(dataclasses.FrozenInstanceError):
            nid.number = "0"


def test_birth_dates_span_the_whole_table() -> None:
    day = date(1854, 1, 1)
    made = 0
    while day <= date(2039, 12, 31):
        number = next(
            n for i in individual_ranges(day.year)[0] if (n := make_national_id(day, i)) is not None
        )
        assert parse_national_id(number).birth_date == day
        made += 1
        day += timedelta(days=97)
    assert made > 600


def test_only_d_numbers_and_temporary_numbers_can_be_earlier_ids() -> None:
    from vitnemal.identity.national_id import earlier_id_refusal

    born = date(1995, 3, 1)

    def number(kind: str, series: str = "ordinary") -> str:
        return next(n for i in range(100, 200) if (n := make_national_id(born, i, kind=kind, series=series)))

    assert earlier_id_refusal(parse_national_id(number("d_number"))) is None
    assert earlier_id_refusal(parse_national_id(number("d_number", "synthetic"))) is None
    assert earlier_id_refusal(parse_national_id(number("fodselsnummer", "fs_test"))) is None  # FS temporary
    assert "ordinary fødselsnummer" in (earlier_id_refusal(parse_national_id(number("fodselsnummer"))) or "")
    assert "ordinary" in (earlier_id_refusal(parse_national_id(number("fodselsnummer", "synthetic"))) or "")
    assert "H-number" in (earlier_id_refusal(parse_national_id(number("h_number"))) or "")
