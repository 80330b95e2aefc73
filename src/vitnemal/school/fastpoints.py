"""Admission points straight from a CSV record's cells, for the ranked list, without building a certificate.

:func:`plan_for` looks at the header once and returns a :class:`FastPlan`, whose :meth:`FastPlan.score` answers a
record's points in hundredths when the record is plainly valid, and None otherwise. None is never a verdict: the
caller then takes the explaining path (:func:`vitnemal.school.parsing.parse_certificate`) for that record, which
accepts it or gives its exact problems. So the fast path only ever accepts, and accepts exactly what the
explaining path accepts, with the same points (a property test in tests/unit/school holds the two together).

How a record is judged without the rules being written twice. A record is split into independent parts whose
rules never look at each other: the final grades (final and valgfag cells), the exams (whose rules read three
final grades: norsk sidemål, fremmedspråk and arbeidslivsfag, so those cells belong to the exams' part too),
each trinn's absence, the birth date, and the other checked fields (orden, atferd, the date, the IOP flags). A
part is judged by running the real parser and rules on a stand-in record that holds only that part (and an id),
keeping the problems that name the part (the final grades with two exams that are valid with any final grades,
the exams with one valgfag grade, so that any problem is the part's own), and the verdict is remembered per
value. Grades are remembered per *pattern*: the cells joined, with IV and the digits 1–6 blotted out, which tells
where a counted grade stands but not which. That is exact because the rules read kinds, never numbers, and never
tell IV from a number (both are graded and both count; fritatt, deltatt and ikke deltatt stay visible in the
pattern); a property test would see a rule that did. The exams are judged only for a record whose final grades
passed (a part of valid final grades is valid). A county file has a few hundred final-grade and exam patterns
(a couple of thousand when the two were one pattern) and a few hundred absence and date values, so nearly every
record is judged by a handful of dictionary look-ups.

The points are the rule of :mod:`vitnemal.school.points` in integers, as
:func:`~vitnemal.school.points.points_hundredths` computes them: a pattern knows how many grades count, and the
sum of the grade digits is the byte sum of the joined cells less the pattern's constant (the bytes that are not
digits); the valgfag average is rounded half-up to hundredths, then the points half-up to hundredths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Final, TypeVar

from vitnemal.school.importer import Column, row_data
from vitnemal.school.model import Certificate, Subject
from vitnemal.school.names import resolve_final
from vitnemal.school.parsing import InvalidCertificate, parse_certificate
from vitnemal.school.points import grade_value

K = TypeVar("K")
V = TypeVar("V")
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
    """What the first record of a final-grade pattern (final and valgfag cells) told: counted grades, what to take
    off a byte sum to get the digits' sum (of all its cells, and of the valgfag cells), and the blotted cells of
    the final grades the exam rules read (norsk sidemål, fremmedspråk, arbeidslivsfag)."""

    counted: int
    electives: int
    offset: int
    elective_offset: int
    context: bytes


@dataclass(frozen=True, slots=True)
class _ExamPattern:
    """What the first record of an exam pattern (exam cells, with the final grades they read) told."""

    counted: int
    offset: int


_SEPARATOR = "\x1f"
# IV is written 0 (it counts, and adds 0), then 0 and the six grade digits become a byte that UTF-8 never holds,
# so a pattern's key says where a counted grade stands but not which.
_DIGITS = bytes.maketrans(b"0123456", b"\xff" * 7)
# Not in a pattern table yet (None there means judged and declined).
_UNJUDGED_FINALS: Final = _Pattern(-1, -1, 0, 0, b"")
_UNJUDGED_EXAMS: Final = _ExamPattern(-1, 0)
# Stand-ins: exams that are valid with any final grades (for judging final grades alone), a valgfag grade (for
# judging exams alone). Their problems would be theirs, and they have none.
_VALID_EXAMS: Final = {"matematikk skriftlig": "4", "engelsk muntlig": "4"}
_VALID_ELECTIVES: Final = [{"grade": "4"}]
# The final grades the exam rules read (rules._check_written, rules._check_oral).
_EXAM_CONTEXT: Final = frozenset({Subject.NORSK_SIDEMAL_SKRIFTLIG, Subject.FREMMEDSPRAK, Subject.ARBEIDSLIVSFAG})


def _blotted(cells: tuple[str, ...]) -> bytes:
    return _SEPARATOR.join(cells).replace("IV", "0").encode().translate(_DIGITS)


def _offset(key: bytes) -> int:
    """``sum(cells) - offset`` is the sum of the grade digits (each digit byte is 48 + d, 0xFF in the key)."""
    return sum(key) - (0xFF - 48) * key.count(b"\xff")


def _cells_at(indices: tuple[int, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """Return a function picking these cells of a record, always as a tuple (itemgetter of one gives the cell)."""
    if len(indices) == 1:
        index = indices[0]
        return lambda cells: (cells[index],)
    if not indices:
        return lambda cells: ()
    return itemgetter(*indices)


def _grade_bytes(cells: tuple[str, ...]) -> bytes | None:
    """The cells joined with IV as 0, or None when the key could not tell them apart or their digit sum: a cell
    holds the separator or a 0 (IV's stand-in), or a character that is not ASCII ('５', '٥' are grades to the
    parser but not to the byte sum)."""
    joined = _SEPARATOR.join(cells)
    if joined.count(_SEPARATOR) != max(len(cells) - 1, 0) or "0" in joined:
        return None
    raw = joined.replace("IV", "0").encode()
    return raw if raw.isascii() else None


def _remember(table: dict[K, V], key: K, verdict: V) -> V:
    """Keep a verdict, unless the table is full (then the value is judged again when it comes again)."""
    if len(table) < MAX_REMEMBERED:
        table[key] = verdict
    return verdict


class FastPlan:
    """The fast path for one header; see the module docstring. Not thread-safe (it remembers verdicts)."""

    def __init__(self, columns: Sequence[Column], id_index: int, parts: list[_Part], finals: tuple[int, ...],
                 electives: tuple[int, ...], exams: tuple[int, ...], context: tuple[int, ...]) -> None:
        self._columns = list(columns)
        self._id = id_index
        self._parts: list[tuple[Callable[[list[str]], tuple[str, ...]], _Part, dict[tuple[str, ...], bool]]] = [
            (_cells_at(p.indices), p, {}) for p in parts]
        # Final-grade cells in the order: final, then valgfag; exam cells; the final cells the exam rules read.
        self._final_indices = finals + electives
        self._final_cells = _cells_at(self._final_indices)
        self._elective_cells = _cells_at(electives) if electives else None
        self._exam_indices = exams
        self._exam_cells = _cells_at(exams)
        self._context_indices = context
        self._context_cells = _cells_at(context)
        self._patterns: dict[bytes, _Pattern | None] = {}
        self._exam_patterns: dict[tuple[bytes, bytes], _ExamPattern | None] = {}

    def score(self, cells: list[str]) -> int | None:
        """Return the record's points in hundredths, or None when the explaining path must judge it."""
        if not cells[self._id].strip():
            return None
        raw = _grade_bytes(self._final_cells(cells))
        exam_raw = _grade_bytes(self._exam_cells(cells))
        if raw is None or exam_raw is None:
            return None
        key = raw.translate(_DIGITS)
        pattern = self._patterns.get(key, _UNJUDGED_FINALS)
        if pattern is _UNJUDGED_FINALS:
            pattern = _remember(self._patterns, key, self._judge_finals(cells))
        if pattern is None:
            return None
        exam_key = (pattern.context, exam_raw.translate(_DIGITS))
        exams = self._exam_patterns.get(exam_key, _UNJUDGED_EXAMS)
        if exams is _UNJUDGED_EXAMS:
            exams = _remember(self._exam_patterns, exam_key, self._judge_exams(cells))
        if exams is None:
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
        digits = sum(raw) - pattern.offset + sum(exam_raw) - exams.offset
        count = pattern.counted + exams.counted
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

    def _judge_finals(self, cells: list[str]) -> _Pattern | None:
        """Judge the final and valgfag grades of a record as a stand-in (with exams valid whatever the finals), for
        every record with the same key; None when they do not pass.

        Records with the same key differ only in a digit 1–6 or IV where the other has another: that turns a grade
        into a grade (of another number, or IV) and a non-grade into a non-grade, which the rules cannot tell apart.
        """
        values = self._final_cells(cells)
        cert = self._stand_in(self._final_indices, values, exams=_VALID_EXAMS)
        if cert is None:  # with nothing but these grades and valid exams, any problem is theirs
            return None
        counted = sum(1 for line in cert.final_grades if grade_value(line.grade) is not None)
        electives = sum(1 for elective in cert.electives if grade_value(elective.grade) is not None)
        elective_key = _blotted(self._elective_cells(cells)) if self._elective_cells is not None else b""
        return _Pattern(counted, electives, _offset(_blotted(values)), _offset(elective_key),
                        _blotted(self._context_cells(cells)))

    def _judge_exams(self, cells: list[str]) -> _ExamPattern | None:
        """Judge the exam grades of a record whose final grades passed, as a stand-in with the final grades the exam
        rules read (a part of valid final grades is valid) and a valgfag grade; None when they do not pass.

        Records with the same exam key have the same blotted exam cells and the same blotted final cells the exam
        rules read, so the rules cannot tell them apart, as for the final grades.
        """
        exam_values = self._exam_cells(cells)
        cert = self._stand_in(self._exam_indices + self._context_indices, exam_values + self._context_cells(cells),
                              electives=_VALID_ELECTIVES)
        if cert is None:
            return None
        counted = sum(1 for exam in cert.exams if grade_value(exam.grade) is not None)
        return _ExamPattern(counted, _offset(_blotted(exam_values)))

    def _judge(self, part: _Part, values: object) -> bool:
        assert isinstance(values, tuple)
        try:
            parse_certificate(row_data(self._columns, self._stand_in_cells(part.indices, values)))
        except InvalidCertificate as exc:
            return not any(part.owns(problem.where) for problem in exc.problems)
        return True

    def _stand_in_cells(self, indices: tuple[int, ...], values: tuple[str, ...]) -> list[str]:
        """A record holding only ``values`` in these cells, and an id."""
        cells = [""] * len(self._columns)
        cells[self._id] = "x"
        for index, value in zip(indices, values, strict=True):
            cells[index] = value
        return cells

    def _stand_in(self, indices: tuple[int, ...], values: tuple[str, ...], **extra: object) -> Certificate | None:
        """Run the real parser and rules on a record holding only ``values`` (and an id), with ``extra`` fields
        (the stand-in exams or valgfag) in place of what the record's own columns give; None on any problem."""
        data = row_data(self._columns, self._stand_in_cells(indices, values))
        data.update(extra)
        try:
            return parse_certificate(data)
        except InvalidCertificate:
            return None


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
    finals = tuple(i for i in grade_indices if columns[i].kind == "final")
    exams = tuple(i for i in grade_indices if columns[i].kind == "exam")
    context = tuple(i for i in finals if resolve_final(columns[i].key) in _EXAM_CONTEXT)
    return FastPlan(columns, id_index, parts, finals, tuple(electives), exams, context)
