"""Whole files of certificates: read every pupil, keep the good rows, report the bad ones by line.

Admission points for files of any size are :mod:`vitnemal.school.batch` (streaming, bounded memory).

One bad row never stops the others: it is reported with its line (CSV) or item (JSON) and every problem found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from vitnemal.school.importer import open_pupil_file
from vitnemal.school.model import Certificate
from vitnemal.school.parsing import InvalidCertificate, parse_certificate
from vitnemal.school.points import AdmissionPoints

# Called with (steps done, steps in all) while a file is read; steps are lines (CSV) or items (JSON).
Progress = Callable[[int, int], None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that was left out, where it is, and every problem with it."""

    location: str
    pupil_id: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        who = f" (id {self.pupil_id})" if self.pupil_id else ""
        return f"{self.location}{who}: " + "; ".join(self.problems)


@dataclass(frozen=True, slots=True)
class Accepted:
    location: str
    certificate: Certificate


@dataclass(frozen=True, slots=True)
class Scored:
    location: str
    certificate: Certificate
    points: AdmissionPoints


@dataclass
class LoadResult:
    accepted: list[Accepted] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _with_progress(
    rows: Iterator[T], size: int, position: Callable[[], int], progress: Progress | None
) -> Iterator[T]:
    if progress is None:
        yield from rows
        return
    step = max(1, size // 200)
    last = 0
    for row in rows:
        yield row
        done = position()
        if done - last >= step:
            progress(done, size)
            last = done
    progress(size, size)


def load_certificates(path: Path, *, issuable: bool = False, progress: Progress | None = None) -> LoadResult:
    """Return the valid certificates of a file and the rejected rows (duplicate ids included).

    Raises :class:`~vitnemal.school.importer.InputFileError` when the file as a whole cannot be read.
    """
    pupil_file = open_pupil_file(path)
    result = LoadResult()
    first_seen: dict[str, str] = {}
    for row in _with_progress(pupil_file.rows, pupil_file.size, pupil_file.position, progress):
        pupil_id = str(row.data.get("id") or "").strip()
        if row.problem:
            result.rejected.append(Rejected(row.location, pupil_id, (row.problem,)))
            continue
        try:
            cert = parse_certificate(row.data, issuable=issuable)
        except InvalidCertificate as exc:
            result.rejected.append(Rejected(row.location, pupil_id, tuple(str(p) for p in exc.problems)))
            continue
        if cert.pupil.id in first_seen:
            problem = f"id: {cert.pupil.id!r} is already used at {first_seen[cert.pupil.id]}; ids must be unique"
            result.rejected.append(Rejected(row.location, pupil_id, (problem,)))
            continue
        first_seen[cert.pupil.id] = row.location
        result.accepted.append(Accepted(row.location, cert))
    return result
