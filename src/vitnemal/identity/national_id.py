"""Norwegian national identity numbers: validation, parsing and construction.

Pure functions and frozen dataclasses, no I/O.

A number has 11 digits, ``DDMMYY III K1 K2``: a six-digit date, a three-digit individual number and two
check digits. ``K1`` is mod-11 over the first nine digits (weights 3 7 6 1 8 9 4 5 2), ``K2`` is mod-11 over
the first ten (weights 5 4 3 2 7 6 5 4 3 2). ``11 - sum % 11`` gives the digit; 11 means 0 and 10 means that
no valid number starts with those digits.

Kinds and series (offsets added to the date fields):

* ordinary fødselsnummer: ``DD`` 01–31, ``MM`` 01–12;
* D-number: day + 40 (``DD`` 41–71);
* H-number (health-sector help number): month + 40 (``MM`` 41–50, see below for 51–52);
* synthetic test numbers from Skatteetaten/Tenor: month + 80 (``MM`` 81–92), also as D-numbers;
* the FS/Samordna opptak series: month + 50 (``MM`` 51–62), also as D-numbers. FS gives such "fiktive"
  numbers to applicants without a Norwegian number as well as to test persons, so ``is_test`` means "not
  from the population register", not "safe to delete".

Ambiguity, resolved deliberately: ``MM`` 51 and 52 fit both an H-number (November, December) and the +50
series (January, February). They are read as the +50 series: in education that series is common (the seed's
test persons, FS applicants), whereas H-numbers are internal to hospitals and should never reach educational
records. So ``make_national_id`` refuses H-numbers born in November or December, and H-numbers exist only in
the ordinary series (H + 50 or H + 80 would collide with other series).

Century, from the individual number ``III`` and the year ``YY`` (Skatteetaten's table): 000–499 → 1900–1999;
500–749 with ``YY`` 54–99 → 1854–1899; 500–999 with ``YY`` 00–39 → 2000–2039; 900–999 with ``YY`` 40–99 →
1940–1999. Other combinations are not allocated and the number is invalid (code ``"date"``).

The 2032 rule (Skatteetaten, "nytt fødselsnummer fra 2032"): individual numbers run out, so ``K1`` may be
computed with remainder 0, 1, 2 or 3: the weighted sum of the first nine digits plus ``K1`` (weight 1), taken
mod 11, is one of those four. Remainder 0 is the traditional mod-11 digit; up to four values of ``K1`` are valid
(a computed 10 is discarded). ``K2`` stays strict: mod-11 over the first ten digits as they stand, the ``K1``
actually present included. The issue date is not in the number (a D-number issued in 2033 to someone born in
1970 carries a 1970 date), and such numbers may be issued before 2032 and are already accepted by public
services (NAV's fnrvalidator), so the rule is the same whatever the date of checking. ``k1_remainder`` says
which rule a number satisfies; a number with remainder 1–3 has ``gender=None``: its digit 9 carries no gender
(new numbers are gender-neutral). For remainder 0 the gender is the traditional reading of digit 9 (odd =
male).

Input may contain whitespace anywhere ("015361 12185"); nothing else is stripped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
K1_REMAINDERS = (0, 1, 2, 3)
"""The remainders a first check digit may be computed with (module docstring: the 2032 rule)."""

_DIGITS = frozenset("0123456789")

Gender = Literal["female", "male"]
ErrorCode = Literal["length", "not_digits", "check_digit_1", "check_digit_2", "date"]


class NationalIdKind(StrEnum):
    """Which kind of number: the value is what JSON output and the CLI show."""

    FODSELSNUMMER = "fodselsnummer"
    D_NUMBER = "d_number"
    H_NUMBER = "h_number"


class Series(StrEnum):
    """Which number series: the real register, Skatteetaten's synthetic (+80) or FS/Samordna opptak (+50)."""

    ORDINARY = "ordinary"
    SYNTHETIC = "synthetic"
    FS_TEST = "fs_test"


_MONTH_OFFSET = {Series.ORDINARY: 0, Series.SYNTHETIC: 80, Series.FS_TEST: 50}
_H_OFFSET = 40
_D_OFFSET = 40


class InvalidNationalId(ValueError):
    """An invalid number: ``code`` is machine-readable, ``message`` says what is wrong for a human."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message


@dataclass(frozen=True, slots=True)
class NationalId:
    """A valid, parsed number.

    ``number`` is the normalised 11 digits; ``birth_date`` has all offsets removed; ``k1_remainder`` is the
    remainder its ``K1`` was computed with (0: traditional; 1–3: the 2032 rule), and ``gender`` is None for
    remainders 1–3.
    """

    number: str
    kind: NationalIdKind
    series: Series
    birth_date: date
    gender: Gender | None
    k1_remainder: int = 0

    @property
    def formatted(self) -> str:
        """The number as ``"DDMMYY IIIKK"``, the way it is printed on Norwegian documents."""
        return f"{self.number[:6]} {self.number[6:]}"

    @property
    def k1_rule(self) -> str:
        """``"mod11"`` for the traditional first check digit, ``"2032"`` for one computed with remainder 1–3."""
        return "mod11" if self.k1_remainder == 0 else "2032"

    @property
    def is_test(self) -> bool:
        """True for the synthetic (+80) and FS (+50) series: numbers not issued by the population register."""
        return self.series is not Series.ORDINARY

    @property
    def individual(self) -> int:
        """The individual number, digits 7–9, which with the year gives the century."""
        return int(self.number[6:9])


def _mod11(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit of ``digits``, or None when it would be 10 (no valid digit exists)."""
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        return 0
    return None if check == 10 else check


def mod11_check_digits(first_nine: str) -> tuple[int | None, int | None]:
    """Return ``(K1, K2)`` for the first nine digits of a number.

    Either is None when mod-11 gives 10, which means no valid number (under the pre-2032 rule) starts with
    these nine digits; K2 is then None too, since it is computed over K1. Raises ValueError unless given 9
    digits.
    """
    if len(first_nine) != 9 or not set(first_nine) <= _DIGITS:
        raise ValueError(f"need exactly 9 digits, got {first_nine!r}")
    k1 = _mod11(first_nine, K1_WEIGHTS)
    if k1 is None:
        return None, None
    return k1, _mod11(first_nine + str(k1), K2_WEIGHTS)


def birth_year(individual: int, yy: int) -> int | None:
    """The four-digit birth year for an individual number and two-digit year, per Skatteetaten's table.

    Returns None for combinations that are not allocated (e.g. 750–899 with a year 40–99).
    """
    if individual < 500:
        return 1900 + yy
    if yy <= 39:
        return 2000 + yy
    if individual >= 900:
        return 1900 + yy
    if individual < 750 and yy >= 54:
        return 1800 + yy
    return None


def individual_ranges(year: int) -> tuple[range, ...]:
    """The individual numbers that may be used for people born in ``year``; empty outside 1854–2039.

    The inverse of :func:`birth_year`, for generators that need to pick a valid individual number.
    """
    if 1854 <= year <= 1899:
        return (range(500, 750),)
    if 1900 <= year <= 1939:
        return (range(0, 500),)
    if 1940 <= year <= 1999:
        return (range(0, 500), range(900, 1000))
    if 2000 <= year <= 2039:
        return (range(500, 1000),)
    return ()


def _normalise(text: str) -> str:
    """Strip all whitespace; raise InvalidNationalId for other non-digits or a length other than 11."""
    number = "".join(text.split())
    bad = sorted(set(number) - _DIGITS, key=number.index)
    if bad:
        shown = ", ".join(repr(c) for c in bad[:5])
        raise InvalidNationalId("not_digits", f"contains characters other than digits: {shown}")
    if len(number) != 11:
        raise InvalidNationalId(
            "length", f"has {len(number)} digit{'s' if len(number) != 1 else ''}; 11 digits are needed"
        )
    return number


def k1_candidates(first_nine: str) -> dict[int, int]:
    """The valid first check digits for nine digits under the 2032 rule, each with its remainder (0–3).

    A remainder whose digit would be 10 has none; the traditional digit is the one with remainder 0.
    """
    total = sum(int(d) * w for d, w in zip(first_nine, K1_WEIGHTS, strict=True))
    candidates = {}
    for remainder in K1_REMAINDERS:
        k1 = (remainder - total) % 11  # total + k1 ≡ remainder (mod 11)
        if k1 != 10:
            candidates[k1] = remainder
    return candidates


def _check_digits(number: str) -> int:
    """Verify K1 (any of the 2032 rule's remainders) and K2 (strict, over the K1 present); return K1's remainder."""
    candidates = k1_candidates(number[:9])
    remainder = candidates.get(int(number[9]))
    if remainder is None:
        expected = ", ".join(str(k) for k, _ in sorted(candidates.items(), key=lambda kv: kv[1]))
        message = (f"first check digit is {number[9]}, expected one of {expected} (remainder 0–3, Skatteetaten's "
                   "2032 rule)")
        raise InvalidNationalId("check_digit_1", message)
    k2 = _mod11(number[:10], K2_WEIGHTS)
    if k2 != int(number[10]):
        if k2 is None:
            message = "second check digit is wrong: no valid number starts with these ten digits"
        else:
            message = f"second check digit is {number[10]}, expected {k2}"
        raise InvalidNationalId("check_digit_2", message)
    return remainder


def _decode_date(number: str) -> tuple[NationalIdKind, Series, date]:
    """Remove the offsets from the date fields and derive kind, series and a real calendar birth date."""
    dd, mm, yy, individual = int(number[0:2]), int(number[2:4]), int(number[4:6]), int(number[6:9])
    is_d = 41 <= dd <= 71
    day = dd - _D_OFFSET if is_d else dd
    if not 1 <= day <= 31:
        raise InvalidNationalId(
            "date", f"day field {number[0:2]} is neither a day (01–31) nor a D-number day (41–71)"
        )
    is_h = False
    if 1 <= mm <= 12:
        series, month = Series.ORDINARY, mm
    elif 41 <= mm <= 50:
        series, month, is_h = Series.ORDINARY, mm - _H_OFFSET, True
    elif 51 <= mm <= 62:  # 51–52 could be an H-number too; read as the +50 series (module docstring)
        series, month = Series.FS_TEST, mm - _MONTH_OFFSET[Series.FS_TEST]
    elif 81 <= mm <= 92:
        series, month = Series.SYNTHETIC, mm - _MONTH_OFFSET[Series.SYNTHETIC]
    else:
        raise InvalidNationalId(
            "date", f"month field {number[2:4]} is not a month in any series (01–12, +40, +50 or +80)"
        )
    if is_d and is_h:
        raise InvalidNationalId("date", "day + 40 and month + 40: a number cannot be both D- and H-number")
    year = birth_year(individual, yy)
    if year is None:
        raise InvalidNationalId(
            "date", f"individual number {number[6:9]} is not used for year {number[4:6]}, so no birth year"
        )
    try:
        born = date(year, month, day)
    except ValueError:
        raise InvalidNationalId("date", f"birth date {day:02d}.{month:02d}.{year} does not exist") from None
    if is_d:
        return NationalIdKind.D_NUMBER, series, born
    return (NationalIdKind.H_NUMBER if is_h else NationalIdKind.FODSELSNUMMER), series, born


def parse_national_id(text: str) -> NationalId:
    """Validate and parse a number; return a :class:`NationalId` or raise :class:`InvalidNationalId`.

    Checks, in order: only digits and whitespace, 11 digits, K1 (remainder 0–3, the 2032 rule), K2 over the K1
    present, then the date fields (offsets, century, real calendar date).
    """
    number = _normalise(text)
    remainder = _check_digits(number)
    kind, series, born = _decode_date(number)
    gender: Gender | None = None if remainder else ("male" if int(number[8]) % 2 else "female")
    return NationalId(number, kind, series, born, gender, remainder)


def is_valid_national_id(text: str) -> bool:
    """True when :func:`parse_national_id` accepts ``text``."""
    try:
        parse_national_id(text)
    except InvalidNationalId:
        return False
    return True


def make_national_id(
    birth_date: date,
    individual: int,
    *,
    kind: NationalIdKind | str = NationalIdKind.FODSELSNUMMER,
    series: Series | str = Series.ORDINARY,
) -> str | None:
    """Build the 11-digit number for a birth date and individual number, with both mod-11 check digits.

    Returns None when a check digit comes out as 10 (that individual number is unusable on that date; try
    another). Raises ValueError for combinations that cannot be represented: an individual number outside
    :func:`individual_ranges` for the birth year, an H-number outside the ordinary series, or an H-number
    born in November/December (it would read as the +50 series). The result always parses back to the same
    birth date, kind and series.
    """
    kind, series = NationalIdKind(kind), Series(series)
    if not 0 <= individual <= 999:
        raise ValueError(f"individual number must be 0–999, got {individual}")
    if birth_year(individual, birth_date.year % 100) != birth_date.year:
        ranges = ", ".join(f"{r.start:03d}–{r.stop - 1:03d}" for r in individual_ranges(birth_date.year))
        raise ValueError(
            f"individual number {individual:03d} is not used for births in {birth_date.year}"
            f" (usable: {ranges or 'none'})"
        )
    day, month = birth_date.day, birth_date.month + _MONTH_OFFSET[series]
    if kind is NationalIdKind.D_NUMBER:
        day += _D_OFFSET
    elif kind is NationalIdKind.H_NUMBER:
        if series is not Series.ORDINARY:
            raise ValueError("H-numbers exist only in the ordinary series")
        if birth_date.month > 10:
            raise ValueError("H-numbers for November and December would read as the +50 series")
        month += _H_OFFSET
    first_nine = f"{day:02d}{month:02d}{birth_date.year % 100:02d}{individual:03d}"
    k1, k2 = mod11_check_digits(first_nine)
    if k1 is None or k2 is None:
        return None
    return f"{first_nine}{k1}{k2}"


def earlier_id_refusal(number: NationalId) -> str | None:
    """Why ``number`` cannot be recorded or accepted as someone's *earlier* id, or None when it can.

    An earlier id is a number a person had before being given their fødselsnummer: a D-number, or a temporary
    number from the FS/Samordna opptak series (+50). An ordinary fødselsnummer (the real register's, or a
    synthetic test person's, which stands for one) is never an earlier id: it is another person's identity, and
    accepting it lets one institution fetch a second person's results under the first one's name. A person whose
    fødselsnummer really changed is re-registered under the new number by their institution.
    """
    if number.kind is NationalIdKind.D_NUMBER or number.series is Series.FS_TEST:
        return None
    if number.kind is NationalIdKind.H_NUMBER:
        return f"{number.number} is an H-number (a health-sector help number); it is never an earlier id"
    return (f"{number.number} is an ordinary fødselsnummer; only a D-number or a temporary number (FS series, "
            "month + 50) can be an earlier id")
