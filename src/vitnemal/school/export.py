"""Admission points and the ranked list as JSON-ready records, CSV/JSON files and text lines.

Points and sums are strings with two decimals ("43.78") so no reader turns them into binary floats.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO

from vitnemal import csv_cells
from vitnemal.files import FILE_MODE, private_dir
from vitnemal.school.batch import PointsRun, json_list, points_text
from vitnemal.school.model import Certificate
from vitnemal.school.points import AdmissionPoints
from vitnemal.school.ranking import TIE_NOTE
from vitnemal.school.service import Scored

RANKING_SUFFIXES = (".csv", ".json")
RANKING_COLUMNS = ("rank", "id", "name", "school", "points", "tied", "tie_size", "note")


def _two(value: Decimal) -> str:
    return f"{value:.2f}"


def working_record(points: AdmissionPoints) -> dict[str, object]:
    """Return the working of one pupil's points: each counted grade, the valgfag average, the sum and the count."""
    return {
        "points": _two(points.points),
        "sum": _two(points.total),
        "count": points.count,
        "elective_average": None if points.elective_average is None else _two(points.elective_average),
        "electives": list(points.electives),
        "counted": [
            {"subject": c.label, "source": c.source.value, "grade": c.grade, "value": str(c.value)}
            for c in points.counted
        ],
        "not_counted": [
            {"subject": s.label, "source": s.source.value, "grade": s.grade, "reason": s.reason} for s in points.skipped
        ],
        "formula": points.formula,
    }


def spool_record(cert: Certificate, points: AdmissionPoints, location: str) -> dict[str, object]:
    """What ``--json`` keeps of a pupil while the file is read (the rank is added when the file is done)."""
    pupil = cert.pupil
    return {"id": pupil.id, "name": pupil.name, "school": pupil.school, "source": location,
            **working_record(points)}


def points_records(run: PointsRun) -> Iterator[dict[str, object]]:
    """Yield one record per accepted pupil in file order: id, name, school, source, rank, tied, then the working."""
    for hundredths, spooled in run.spooled():
        rank, size = run.place(hundredths)
        record = dict(spooled)
        working = {k: record.pop(k) for k in list(record) if k not in ("id", "name", "school", "source")}
        yield {**record, "rank": rank, "tied": size > 1, **working}


def spool_text(cert: Certificate, points: AdmissionPoints, location: str) -> str:
    """What the text output keeps of a pupil while the file is read: its line."""
    return text_line(Scored(location, cert, points))


def write_ranking(path: Path, records: Iterable[dict[str, object]]) -> int:
    """Write the ranked list as CSV or JSON, chosen by the file's suffix (checked by the caller); return its length.

    The list is written to a temporary file beside ``path`` and renamed into place, so a failure never leaves a
    half-written list.
    """

    def write(handle: IO[str]) -> int:
        if path.suffix.casefold() == ".json":
            counted = _counting(records)
            for chunk in json_list(counted):
                handle.write(chunk)
            handle.write("\n")
            return counted.count
        # Names and ids come from the input file: a cell such as "=HYPERLINK(...)" is written as text.
        writer = csv_cells.dict_writer(handle, RANKING_COLUMNS)
        writer.writeheader()
        written = 0
        for record in records:
            writer.writerow({**record, "tied": "ja" if record["tied"] else "nei"})
            written += 1
        return written

    return _write_replacing(path, write)


def write_run_ranking(path: Path, run: PointsRun) -> int:
    """Write a points run's ranked list as :func:`write_ranking` does (the same bytes), the CSV a row at a time
    without a record per pupil; return its length."""
    if path.suffix.casefold() == ".json":
        return write_ranking(path, run.ranking())

    # What follows from a pupil's points alone, made once per points value: the line's start (the rank) and end
    # (points, tied, tie size, note), as csv.writer writes them.
    ends: dict[int, tuple[int, str, str, tuple[object, ...]]] = {}

    def place(negated: int) -> tuple[int, str, str, tuple[object, ...]]:
        rank, size = run.place(-negated)
        rest = (points_text(-negated), "ja" if size > 1 else "nei", size, TIE_NOTE if size > 1 else "")
        ends[negated] = (rank, f"{rank},", _csv_line(("", *rest)), rest)
        return ends[negated]

    def write(handle: IO[str]) -> int:
        writer = csv.writer(handle)
        writer.writerow(RANKING_COLUMNS)
        safe, put = csv_cells.safe_text, handle.write
        formula = csv_cells.FORMULA_STARTS
        for negated, pupil_id, name, school in run.entries():
            rank, head, tail, rest = ends.get(negated) or place(negated)
            # Only the id, name and school come from the input file. Cells that csv.writer would leave as they are
            # (no comma, quote or line break, no formula start) are joined here; the others it writes.
            cells = f"{pupil_id},{name},{school}"
            if (cells.count(",") == 2 and '"' not in cells and "\r" not in cells and "\n" not in cells
                    and pupil_id[:1] not in formula and name[:1] not in formula and school[:1] not in formula):
                put(head + cells + tail)
            else:
                writer.writerow((rank, safe(pupil_id), safe(name), safe(school), *rest))
        return run.accepted

    return _write_replacing(path, write)


def _csv_line(cells: tuple[object, ...]) -> str:
    """Return ``cells`` as csv.writer writes them as one line (with its line end)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def _write_replacing(path: Path, write: Callable[[IO[str]], int]) -> int:
    # Pupils' ids, names and points: owner-only like the certificates (a directory made for it is 0700).
    private_dir(path.parent, tighten=False)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        os.fchmod(fd, FILE_MODE)  # an older temporary file of the same name keeps its mode under O_CREAT
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            written = write(handle)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return written


class _counting:
    def __init__(self, items: Iterable[dict[str, object]]) -> None:
        self._items = iter(items)
        self.count = 0

    def __iter__(self) -> Iterator[dict[str, object]]:
        return self

    def __next__(self) -> dict[str, object]:
        item = next(self._items)
        self.count += 1
        return item


def text_line(scored: Scored) -> str:
    """Return one pupil's points and working as a line of text."""
    pupil = scored.certificate.pupil
    who = f"{pupil.id}  {pupil.name}".rstrip()
    return f"{who}  {_two(scored.points.points)}  {scored.points.formula}"
