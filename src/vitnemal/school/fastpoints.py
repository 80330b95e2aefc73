"""Admission points straight from a CSV record's cells, for the ranked list, without building a certificate.

:func:`plan_for` looks at the header once and returns a :class:`FastPlan`, whose :meth:`FastPlan.score` answers a
record's points in hundredths when the record is plainly valid, and None otherwise. None is never a verdict: the
caller then takes the explaining path (:func:`vitnemal.school.parsing.parse_certificate`) for that record, which
accepts it or gives its exact problems. So the fast path only ever accepts, and accepts exactly what the
explaining path accepts, with the same points (a property test in tests/unit/school holds the two together).

How a record is judged without the rules being written twice. A record is split into independent parts whose
rules never look at each other: the grades (final, valgfag and exam cells: the exam rules read the final grades,
so they are one part), each trinn's absence, the birth date, and the other checked fields (orden, atferd, the
date, the IOP flags). A part is judged by running the real parser and rules on a stand-in record that holds only
that part (and an id), keeping the problems that name the part, and the verdict is remembered per value. The
grades are remembered per *pattern*: the cells joined, with IV and the digits 1–6 blotted out, which tells where
a counted grade stands but not which. That is exact because the rules read kinds, never numbers, and never tell IV
from a number (both are graded and both count; fritatt, deltatt and ikke deltatt stay visible in the pattern); a
property test would see a rule that did. A county file has a couple of thousand patterns and a few hundred
absence and date values, so nearly every record is judged by a handful of dictionary look-ups.

The points are the rule of :mod:`vitnemal.school.points` in integers, as
:func:`~vitnemal.school.points.points_hundredths` computes them: a pattern knows how many grades count, and the
sum of the grade digits is the byte sum of the joined cells less the pattern's constant (the bytes that are not
digits); the valgfag average is rounded half-up to hundredths, then the points half-up to hundredths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from vitnemal.school.importer import Column, row_data
from vitnemal.school.model import Certificate
from vitnemal.school.parsing import InvalidCertificate, parse_certificate
from vitnemal.school.points import grade_value

MAX_REMEMBERED = 50_000  # verdicts kept per part; past that a new value is judged again each time


@dataclass(frozen=True)
class _Part:
    """Cells judged together: their indices and the problem prefixes (``where``) that belong to them."""

    indices: tuple[int, ...]
    domains: tuple[str, ...]

    def owns(self, where: str) -> bool:
        return any(where == d or where.startswith(d + ".") for d in self.domains)


@dataclass(frozen=True, slots=True)
class _Pattern:
    """What a grade pattern's first record told: counted grades, and what to take off a byte sum to get the digits'
    sum (of all grade cells, and of the valgfag cells)."""

    counted: int
    electives: int
    offset: int
    elective_offset: int


_SEPARATOR = "\x1f"
# IV is written 0 (it counts, and adds 0), then 0 and the six grade digits become a byte that UTF-8 never holds,
# so a pattern's key says where a counted grade stands but not which.
_DIGITS = bytes.maketrans(b"0123456", b"\xff" * 7)


def _offset(key: bytes) -> int:
    """``sum(cells) - offset`` is the sum of the grade digits (each digit byte is 48 + d, 0xFF in the key)."""
    return sum(key) - (0xFF - 48) * key.count(b"\xff")


def _cells_at(indices: tuple[int, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """Return a function picking these cells of a record, always as a tuple (itemgetter of one gives the cell)."""
    if len(indices) == 1:
        index = indices[0]
        return lambda cells: (cells[index],)
    return itemgetter(*indices)


class FastPlan:
    """The fast path for one header; see the module docstring. Not thread-safe (it remembers verdicts)."""

    def __init__(self, columns: Sequence[Column], id_index: int, parts: list[_Part], grades: _Part,
                 electives: tuple[int, ...]) -> None:
        self._columns = list(columns)
        self._id = id_index
        self._parts: list[tuple[Callable[[list[str]], tuple[str, ...]], _Part, dict[tuple[str, ...], bool]]] = [
            (_cells_at(p.indices), p, {}) for p in parts]
        # Grade cells in the order: final and exam, then valgfag.
        ordered = tuple(i for i in grades.indices if i not in electives) + electives
        self._grades = _Part(ordered, grades.domains)
        self._grade_cells = _cells_at(ordered)
        self._width = len(ordered)
        self._elective_cells = _cells_at(electives) if electives else None
        self._patterns: dict[bytes, _Pattern | None] = {}

    def score(self, cells: list[str]) -> int | None:
        """Return the record's points in hundredths, or None when the explaining path must judge it."""
        if not cells[self._id].strip():
            return None
        joined = _SEPARATOR.join(self._grade_cells(cells))
        if joined.count(_SEPARATOR) != self._width - 1 or "0" in joined:
            return None  # a cell holds the separator (the key would not say where cells start) or a 0 (IV's stand-in)
        raw = joined.replace("IV", "0").encode()
        if not raw.isascii():
            return None  # other digits ("５", "٥") are grades to the parser but not to the byte sum
        key = raw.translate(_DIGITS)
        if key in self._patterns:
            pattern = self._patterns[key]
        else:
            pattern = self._judge_pattern(cells)
            if len(self._patterns) < MAX_REMEMBERED:
                self._patterns[key] = pattern
        if pattern is None:
            return None
        for get, part, verdicts in self._parts:
            values = get(cells)
            ok = verdicts.get(values)
            if ok is None:
                ok = self._judge(part, values)
                if len(verdicts) < MAX_REMEMBERED:
                    verdicts[values] = ok
            if not ok:
                return None
        digits = sum(raw) - pattern.offset
        count = pattern.counted
        if pattern.electives:
            assert self._elective_cells is not None
            electives = self._elective_cells(cells)
            elective_sum = sum(_SEPARATOR.join(electives).replace("IV", "0").encode()) - pattern.elective_offset
            digits -= elective_sum
            total = digits * 100 + (200 * elective_sum + pattern.electives) // (2 * pattern.electives)
            count += 1
        else:
            total = digits * 100
        if not count:
            return None  # no countable grade: the explaining path says so
        return (20 * total + count) // (2 * count)

    def _judge_pattern(self, cells: list[str]) -> _Pattern | None:
        """Judge the grades of a record as a stand-in, for every record with the same key; None when they do not pass.

        Records with the same key differ only in a digit 1–6 or IV where the other has another: that turns a grade
        into a grade (of another number, or IV) and a non-grade into a non-grade, which the rules cannot tell apart.
        """
        values = self._grade_cells(cells)
        cert, _ = self._stand_in(self._grades, values)
        if cert is None:  # with nothing but grades, any problem is theirs
            return None
        counted = sum(1 for line in cert.final_grades if grade_value(line.grade) is not None)
        counted += sum(1 for exam in cert.exams if grade_value(exam.grade) is not None)
        electives = sum(1 for elective in cert.electives if grade_value(elective.grade) is not None)
        key = _SEPARATOR.join(values).replace("IV", "0").encode().translate(_DIGITS)
        elective_key = b""
        if self._elective_cells is not None:
            elective_key = _SEPARATOR.join(self._elective_cells(cells)).replace("IV", "0").encode().translate(_DIGITS)
        return _Pattern(counted, electives, _offset(key), _offset(elective_key))

    def _judge(self, part: _Part, values: object) -> bool:
        return not self._stand_in(part, values)[1]

    def _stand_in(self, part: _Part, values: object) -> tuple[Certificate | None, bool]:
        """Run the real parser and rules on a record holding only ``values`` in the part's cells (and an id);
        return the certificate (None when there is any problem) and whether a problem names the part."""
        assert isinstance(values, tuple)
        cells = [""] * len(self._columns)
        cells[self._id] = "x"
        for index, value in zip(part.indices, values, strict=True):
            cells[index] = value
        try:
            return parse_certificate(row_data(self._columns, cells)), False
        except InvalidCertificate as exc:
            return None, any(part.owns(problem.where) for problem in exc.problems)


# Field columns whose cells can make a record invalid: the birth date on its own (hundreds of values), the rest
# together (a handful of values each, so one look-up judges them all).
_CHECKED_FIELDS: tuple[tuple[str, ...], ...] = (("birth_date",), ("date", "order", "conduct", "iop",
                                                                   "iop_on_certificate"))
_FREE_FIELDS = frozenset({"id", "name", "school", "municipality", "remarks", "place", "principal", "contact_teacher"})


def plan_for(columns: Sequence[Column], id_index: int) -> FastPlan | None:
    """Return the fast path for a header, or None when the header needs the explaining path for every record
    (no grade column, or two absence columns naming the same trinn differently)."""
    grade_indices: list[int] = []
    electives: list[int] = []
    absence: dict[int, list[int]] = {}
    absence_keys: dict[int, str] = {}
    fields: dict[str, int] = {}
    for index, column in enumerate(columns):
        if column.kind in ("final", "exam"):
            grade_indices.append(index)
        elif column.kind == "elective":
            grade_indices.append(index)
            electives.append(index)
        elif column.kind == "absence":
            year = int(column.key)  # the importer's absence columns have digits for a key
            if absence_keys.setdefault(year, column.key) != column.key:
                return None
            absence.setdefault(year, []).append(index)
        elif column.kind == "field":
            fields[column.key] = index
        elif column.kind != "elective_name":  # a valgfag's name never makes a record invalid
            return None
    if not grade_indices or not set(fields) <= _FREE_FIELDS | {f for group in _CHECKED_FIELDS for f in group}:
        return None
    # Per trinn, the days with the days left out (one rule reads both), and the hours on their own.
    parts = [_Part(tuple(i for i in indices if (columns[i].extra == "hours") is hours), ("absence",))
             for _, indices in sorted(absence.items()) for hours in (False, True)]
    parts = [part for part in parts if part.indices]
    for group in _CHECKED_FIELDS:
        present = tuple(fields[f] for f in group if f in fields)
        if present:
            parts.append(_Part(present, group))
    grades = _Part(tuple(grade_indices), ("final", "electives", "exams"))
    return FastPlan(columns, id_index, parts, grades, tuple(electives))

