"""Reading the applicants' list (CSV) within bounds: each line becomes an applicant or a rejection with its line
number and reason. No I/O: the caller passes the bytes; consent is the service's to check (it needs the records).

A line number is the file's own (the header is line 1), as an editor or a spreadsheet shows it; an item sent
through the API is numbered from 1 in the order sent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vitnemal.admissions.models import LineProblem
from vitnemal.identity.national_id import InvalidNationalId, parse_national_id

MAX_BYTES = 50 * 1024 * 1024
MAX_LINES = 500_000
MAX_LINE_CHARS = 1_000
ID_COLUMNS = ("fodselsnummer", "fødselsnummer", "national_id", "fnr")
REFERENCE_COLUMNS = ("referanse", "reference", "soknadsnummer", "søknadsnummer")
FIRST_NAME_COLUMNS = ("fornavn", "first_name")
LAST_NAME_COLUMNS = ("etternavn", "last_name")
MAX_REFERENCE = 60
MAX_NAME = 100


class ListRefused(ValueError):
    """The whole list is refused (too large, no header naming the national id column, not UTF-8); ``code`` says
    which, for the pages' words: ``too_large``, ``not_utf8``, ``no_header``, ``unreadable``, ``too_many_lines``."""

    def __init__(self, message: str, code: str = "unreadable", line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.line = line


@dataclass(frozen=True)
class ApplicantLine:
    line_no: int
    national_id: str  # normalised 11 digits
    reference: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True)
class LineRejection:
    line_no: int
    national_id: str  # as written, cut to 20 characters
    reason: LineProblem
    message: str


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    wanted = [h.strip().lower() for h in header]
    for name in names:
        if name in wanted:
            return wanted.index(name)
    return None


def _readable(rows: Any) -> Iterator[list[str]]:
    """The rows of the csv reader ``rows``; a row csv cannot read refuses the list, naming the line it starts on.

    csv raises its own Error for a cell over its field limit (128 KiB), which is what a quote left open makes of the
    rest of the file: that is the list's fault, not a server error."""
    while True:
        starts_on = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ListRefused(f"line {starts_on} cannot be read ({exc}): a quote (\") may be left open",
                              "unreadable", starts_on) from None
        yield row


def read_csv(data: bytes, *, max_lines: int = MAX_LINES) -> Iterator[ApplicantLine | LineRejection]:
    """Every data line of ``data`` as an :class:`ApplicantLine` or a :class:`LineRejection`; raises
    :class:`ListRefused` for a list that cannot be read at all. A line repeating an earlier national id is a
    duplicate naming the line of the first."""
    if len(data) > MAX_BYTES:
        raise ListRefused(f"the list is {len(data):,} bytes; at most {MAX_BYTES:,} are taken: split it", "too_large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListRefused(f"the list is not UTF-8 (byte {exc.start}); save it as UTF-8 CSV", "not_utf8") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(rows, None)
    id_col = _column(header or [], ID_COLUMNS)
    if header is None or id_col is None:
        raise ListRefused(f"the first line must be a header naming the national id column ({ID_COLUMNS[0]})",
                          "no_header")
    ref_col = _column(header, REFERENCE_COLUMNS)
    first_col, last_col = _column(header, FIRST_NAME_COLUMNS), _column(header, LAST_NAME_COLUMNS)

    def cell(row: list[str], col: int | None, size: int) -> str | None:
        return (row[col].strip()[:size] or None) if col is not None else None

    check = _Checker()
    count = 0
    for row in _readable(rows):
        if not row or all(not c.strip() for c in row):
            continue  # blank lines are not applicants
        count += 1
        if count > max_lines:
            raise ListRefused(f"the list has more than {max_lines:,} applicants: split it into several rounds",
                              "too_many_lines")
        if len(row) != len(header) or sum(map(len, row)) > MAX_LINE_CHARS:
            written = row[id_col].strip()[:20] if id_col < len(row) else ""
            yield LineRejection(rows.line_num, written, LineProblem.MALFORMED,
                                f"the line has {len(row)} columns (the header has {len(header)}) or is longer than "
                                f"{MAX_LINE_CHARS} characters")
            continue
        yield check(rows.line_num, row[id_col], cell(row, ref_col, MAX_REFERENCE), cell(row, first_col, MAX_NAME),
                    cell(row, last_col, MAX_NAME))


def read_items(items: Sequence[Mapping[str, object]], *, max_lines: int = MAX_LINES
               ) -> Iterator[ApplicantLine | LineRejection]:
    """The API's list (``[{"national_id", "reference"?, "first_name"?, "last_name"?}, ...]``) by the same rules,
    each item numbered from 1."""
    if len(items) > max_lines:
        raise ListRefused(f"the list has more than {max_lines:,} applicants: split it into several rounds",
                          "too_many_lines")
    check = _Checker()

    def text(item: Mapping[str, object], name: str, size: int) -> str | None:
        value = item.get(name)
        return str(value).strip()[:size] or None if isinstance(value, str | int) else None

    for n, item in enumerate(items, start=1):
        written = text(item, "national_id", 20) or ""
        yield check(n, written, text(item, "reference", MAX_REFERENCE), text(item, "first_name", MAX_NAME),
                    text(item, "last_name", MAX_NAME))


class _Checker:
    """The checks of one list's lines: a valid national id, not seen on an earlier line."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, line_no: int, written: str, reference: str | None, first_name: str | None,
                 last_name: str | None) -> ApplicantLine | LineRejection:
        try:
            number = parse_national_id(written).number
        except InvalidNationalId as exc:
            return LineRejection(line_no, written.strip()[:20], LineProblem.INVALID_NATIONAL_ID, exc.message)
        if number in self.seen:
            return LineRejection(line_no, written.strip()[:20], LineProblem.DUPLICATE,
                                 f"the same national id as line {self.seen[number]}")
        self.seen[number] = line_no
        return ApplicantLine(line_no, number, reference, first_name, last_name)
