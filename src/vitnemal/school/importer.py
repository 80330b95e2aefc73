"""Read a school's or a county's pupils from CSV or JSON into rows of loose data, each with its place in the file.

The formats are documented with examples in ``docs/school.md`` and ``examples/school/``. In short:

CSV (UTF-8, comma or semicolon separated, one pupil per row). A column is one of

- a pupil field: ``id``, ``name``, ``birth_date``, ``school``, ``municipality``, ``order``, ``conduct``, ``iop``,
  ``iop_on_certificate``, ``remarks`` (several separated by `` | ``), ``place``, ``date``, ``principal``,
  ``contact_teacher``;
- a subject, named as on the certificate (``norsk muntlig``, ``KRLE``, ``kunst og håndverk``, ...): its final grade;
- ``valgfag 1`` .. ``valgfag 3`` (grades) and ``valgfag 1 navn`` .. (the valgfag's names);
- ``eksamen <exam>``, e.g. ``eksamen matematikk skriftlig``, ``eksamen naturfag muntlig-praktisk``: an exam grade;
- ``absence_<trinn>_days``, ``absence_<trinn>_hours``, ``absence_<trinn>_excluded_days`` for trinn 8, 9 and 10.

Empty cells mean "not on the certificate". An unknown column is an error for the whole file, because a misspelt
subject would otherwise silently drop a grade from every pupil.

JSON: a list of pupils shaped as :mod:`vitnemal.school.parsing` describes, or ``{"pupils": [...], ...}`` whose other
keys (``school``, ``place``, ``date``, ``principal``, ...) are defaults for every pupil.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vitnemal.school.jsonstream import check_shape, json_defaults, json_items
from vitnemal.school.names import CONDUCT, ELECTIVE, ORDER, UnknownName, resolve_exam, resolve_final
from vitnemal.school.textfile import SNIFF_BYTES, InputFileError, TextLines, detect_encoding

__all__ = [
    "STANDARD_HEADER", "Column", "CsvRecords", "InputFileError", "PupilFile", "SourceRow", "cells_problem",
    "open_csv_records", "open_pupil_file", "pupil_row", "resolve_header", "row_data",
]

PUPIL_FIELDS = (
    "id",
    "name",
    "birth_date",
    "school",
    "municipality",
    "order",
    "conduct",
    "iop",
    "iop_on_certificate",
    "remarks",
    "place",
    "date",
    "principal",
    "contact_teacher",
)
_FIELD_ALIASES = {"orden": "order", "atferd": "conduct", "åtferd": "conduct", "navn": "name", "dato": "date"}
_ABSENCE = re.compile(r"^(?:absence|fravær|fravaer)[ _](\d+)[ _](days|hours|excluded_days)$")
_ELECTIVE = re.compile(r"^(?:valgfag|valfag|elective)[ _]?(\d)(?:[ _](navn|namn|name))?$")
_EXAM_PREFIX = re.compile(r"^(?:eksamen|exam)[ _:]+(.+)$")




@dataclass(frozen=True, slots=True)
class SourceRow:
    """One pupil's loose data and where it stands: ``location`` is "line 7" (CSV) or "item 3 (index 2)" (JSON).

    ``problem`` is set, and ``data`` empty, when the row could not even be split into fields.
    """

    location: str
    data: Mapping[str, object]
    problem: str = ""


@dataclass(frozen=True)
class PupilFile:
    """The rows of one file, read lazily; ``size`` is the number of progress steps (lines or items)."""

    size: int
    rows: Iterator[SourceRow]
    position: Callable[[], int]


def open_pupil_file(path: Path) -> PupilFile:
    """Return the pupils of a CSV or JSON file, chosen by suffix (or by content when the suffix is neither).

    The file is read as it is consumed, never whole, so memory does not grow with its size. Raises
    :class:`InputFileError` when the file cannot be read as either, at once for what the start of the file shows
    (encoding, header) and while the rows are read for a broken line (too long, wrongly encoded, malformed JSON);
    the error names the line.
    """
    size, encoding, is_json = _sniff(path)
    return _json_rows(path, encoding, size) if is_json else _csv_rows(path, encoding, size)


def _sniff(path: Path) -> tuple[int, str, bool]:
    """Return the file's size, its encoding and whether it is read as JSON (by suffix, else by its first character)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror}") from None
    encoding = detect_encoding(head, path)
    start = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")[:1]
    suffix = path.suffix.casefold()
    return size, encoding, suffix == ".json" or (suffix != ".csv" and start in ("[", "{"))




def _json_rows(path: Path, encoding: str, size: int) -> PupilFile:
    defaults = json_defaults(path, encoding)
    done = [0]

    def rows() -> Iterator[SourceRow]:
        for index, line, item in json_items(path, encoding):
            done[0] = index + 1
            location = f"item {index + 1} (index {index})"
            if not isinstance(item, Mapping):
                yield SourceRow(location, {}, f"expected an object with the pupil's data, not {type(item).__name__}")
                continue
            check_shape(item, path, f"{location}, line {line}")
            yield SourceRow(location, {**defaults, **item} if defaults else item)

    return PupilFile(size, rows(), lambda: done[0])




@dataclass(frozen=True, slots=True)
class Column:
    """What one CSV column holds, resolved from its header once."""

    kind: str  # "field", "final", "elective", "elective_name", "exam", "absence"
    key: str
    extra: str = ""


def _column(header: str, number: int, path: Path) -> Column:
    name = " ".join(header.strip().casefold().split())
    name = _FIELD_ALIASES.get(name, name)
    if name in PUPIL_FIELDS:
        return Column("field", name)
    if match := _ABSENCE.match(name):
        return Column("absence", match.group(1), match.group(2))
    if match := _ELECTIVE.match(name):
        return Column("elective_name" if match.group(2) else "elective", match.group(1))
    if match := _EXAM_PREFIX.match(name):
        try:
            resolve_exam(match.group(1))
        except UnknownName as exc:
            raise InputFileError(f"{path}: column {number} {header!r}: {exc}") from None
        return Column("exam", match.group(1))
    try:
        target = resolve_final(header)
    except UnknownName as exc:
        raise InputFileError(
            f"{path}: column {number} {header!r} is not known: {exc}; pupil fields are {', '.join(PUPIL_FIELDS)}; "
            "exams are 'eksamen <subject> <form>', absence 'absence_<trinn>_days|hours|excluded_days'"
        ) from None
    if target == ORDER:
        return Column("field", "order")
    if target == CONDUCT:
        return Column("field", "conduct")
    if target == ELECTIVE:
        return Column("elective", "1")
    return Column("final", header.strip())


@dataclass(frozen=True)
class CsvRecords:
    """A CSV file's header resolved once, and its records as raw cells.

    ``records`` yields ``(line, cells)`` per non-blank record (``line`` is where the record starts); ``lines``
    reads the file (its ``position``, the bytes read so far, is for progress). Rows with the wrong number of cells
    are yielded as they are.
    """

    columns: list[Column]
    id_index: int
    records: Iterator[tuple[int, list[str]]]
    lines: TextLines


def open_csv_records(path: Path) -> CsvRecords | None:
    """Return the CSV records of ``path``, or None when it is read as JSON (see :func:`open_pupil_file`).

    Raises :class:`InputFileError` as :func:`open_pupil_file` does.
    """
    _, encoding, is_json = _sniff(path)
    return None if is_json else _csv_records(path, encoding)


def _csv_records(path: Path, encoding: str) -> CsvRecords:
    lines = TextLines(path, encoding)
    line_iter = iter(lines)
    try:
        first_line = next(line_iter)
    except StopIteration:
        lines.close()
        raise InputFileError(f"{path}: the file is empty; the first line must name the columns") from None
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(itertools.chain((first_line,), line_iter), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        lines.close()
        raise InputFileError(f"{path}: line 1: the header cannot be read as CSV: {exc}") from None
    columns, id_index = resolve_header(header, path)

    def records() -> Iterator[tuple[int, list[str]]]:
        last_line = 1
        try:
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise InputFileError(f"{path}: line {last_line + 1}: not readable as CSV: {exc}") from None
                line = last_line + 1
                last_line = reader.line_num
                if "".join(cells).strip():  # a record of blank cells is no pupil
                    yield line, cells
        finally:
            lines.close()

    return CsvRecords(columns, id_index, records(), lines)


def resolve_header(header: Sequence[str], path: Path) -> tuple[list[Column], int]:
    """Return what each column of a CSV header holds, and where the id is; raise :class:`InputFileError` for an
    unknown column, a missing id or two columns meaning the same (``path`` names the file in the message)."""
    columns = [_column(h, n, path) for n, h in enumerate(header, start=1)]
    if not any(c.kind == "field" and c.key == "id" for c in columns):
        raise InputFileError(f"{path}: no 'id' column; every pupil needs an id")
    seen: dict[tuple[str, str, str], str] = {}
    for column, title in zip(columns, header, strict=True):
        ident = (column.kind, column.key, column.extra)
        if column.kind != "final" and ident in seen:
            raise InputFileError(f"{path}: columns {seen[ident]!r} and {title!r} mean the same; keep one")
        seen[ident] = title
    return columns, next(i for i, c in enumerate(columns) if c.kind == "field" and c.key == "id")


def cells_problem(columns: list[Column], id_index: int, cells: list[str]) -> SourceRow | None:
    """Return the row of a record whose cells do not match the header (its problem set), else None."""
    if len(cells) == len(columns):
        return None
    known = {"id": cells[id_index]} if id_index < len(cells) else {}
    return SourceRow("", known, f"{len(cells)} cells but the header has {len(columns)} columns")


def _csv_rows(path: Path, encoding: str, size: int) -> PupilFile:
    csv_file = _csv_records(path, encoding)
    columns, id_index = csv_file.columns, csv_file.id_index

    def rows() -> Iterator[SourceRow]:
        for line, cells in csv_file.records:
            bad = cells_problem(columns, id_index, cells)
            if bad is not None:
                yield SourceRow(f"line {line}", bad.data, bad.problem)
            else:
                yield SourceRow(f"line {line}", row_data(columns, cells))

    return PupilFile(size, rows(), lambda: min(csv_file.lines.position, size))


def row_data(columns: list[Column], cells: list[str]) -> dict[str, object]:
    data: dict[str, object] = {}
    final: dict[str, object] = {}
    exams: dict[str, object] = {}
    electives: dict[str, dict[str, str]] = {}
    absence: dict[str, dict[str, str]] = {}
    for column, raw in zip(columns, cells, strict=True):
        cell = raw.strip()
        if not cell:
            continue
        if column.kind == "field":
            data[column.key] = cell
        elif column.kind == "final":
            final[column.key] = cell
        elif column.kind == "exam":
            exams[column.key] = cell
        elif column.kind == "elective":
            electives.setdefault(column.key, {})["grade"] = cell
        elif column.kind == "elective_name":
            electives.setdefault(column.key, {})["name"] = cell
        else:
            absence.setdefault(column.key, {})[column.extra] = cell
    data["final"] = final
    data["exams"] = exams
    data["electives"] = [electives[k] for k in sorted(electives) if "grade" in electives[k]]
    if absence:
        data["absence"] = absence
    return data


def _standard_header() -> list[str]:
    from vitnemal.school.model import ExamForm, ExamSubject, Subject

    written = ["norsk hovedmål", "norsk sidemål", "engelsk", "matematikk"]
    oral = [s for s in ExamSubject if s not in (ExamSubject.NORSK_HOVEDMAL, ExamSubject.NORSK_SIDEMAL)]
    oral_practical = {ExamSubject.NATURFAG, ExamSubject.MATEMATIKK, ExamSubject.ARBEIDSLIVSFAG}
    header = list(PUPIL_FIELDS[:5]) + [s.value for s in Subject]
    for n in (1, 2, 3):
        header += [f"valgfag {n}", f"valgfag {n} navn"]
    header += [f"eksamen {s} {ExamForm.WRITTEN.word}" for s in written]
    header += [f"eksamen {s.value} {ExamForm.ORAL.word}" for s in oral]
    header += [f"eksamen {s.value} {ExamForm.ORAL_PRACTICAL.word}" for s in oral if s in oral_practical]
    header += ["order", "conduct"]
    for year in (8, 9, 10):
        header += [f"absence_{year}_days", f"absence_{year}_hours", f"absence_{year}_excluded_days"]
    header += list(PUPIL_FIELDS[7:])
    return header


# Every column a school export may use, in the documented order.
STANDARD_HEADER: tuple[str, ...] = tuple(_standard_header())


def pupil_row(data: Mapping[str, object], header: tuple[str, ...] = STANDARD_HEADER) -> list[str]:
    """Return one pupil's loose data (the JSON shape) as CSV cells under ``header``; for examples and benchmarks.

    Names in ``data`` must be spelt as in the header (canonical names); absent values are empty cells.
    """
    cells = {name: "" for name in header}

    def put(column: str, value: object) -> None:
        if column not in cells:
            raise KeyError(f"no column {column!r} in the header")
        cells[column] = "" if value is None else ("ja" if value is True else "nei" if value is False else str(value))

    for key in PUPIL_FIELDS:
        if key in data and key != "remarks":
            put(key, data[key])
    if "remarks" in data:
        remarks = data["remarks"]
        put("remarks", " | ".join(map(str, remarks)) if isinstance(remarks, list) else remarks)
    final = data.get("final") or {}
    exams = data.get("exams") or {}
    electives = data.get("electives") or []
    absence = data.get("absence") or {}
    assert isinstance(final, Mapping) and isinstance(exams, Mapping) and isinstance(absence, Mapping)
    assert isinstance(electives, list)
    for subject, grade in final.items():
        put(str(subject), grade)
    for label, grade in exams.items():
        put(f"eksamen {label}", grade)
    for n, elective in enumerate(electives, start=1):
        if isinstance(elective, Mapping):
            put(f"valgfag {n}", elective.get("grade"))
            put(f"valgfag {n} navn", elective.get("name"))
        else:
            put(f"valgfag {n}", elective)
    for year, entry in absence.items():
        assert isinstance(entry, Mapping)
        for part in ("days", "hours", "excluded_days"):
            put(f"absence_{year}_{part}", entry.get(part))
    return [cells[name] for name in header]
