"""Admission points for a whole file in bounded memory: one streaming pass, the ranked list sorted on disk.

:func:`run_points` reads the file row by row (:func:`vitnemal.school.importer.open_pupil_file`), checks and scores
each pupil, and keeps only what the outputs need:

- a count of pupils per points value (points are hundredths from 0 to 6000, so at most 6,001 counters): a pupil's
  rank is 1 + the number with more points and its tie size the count at its own points, so ranks are known
  from the counts alone, without holding the pupils;
- the ranked list's entries ``(points, id, name, school)``, sorted in runs of :data:`RUN_SIZE` and spilled to a
  temporary directory, then merged (``heapq.merge``) while the list is written;
- each pupil's working (``--json``) or text line, spooled to the same directory and read back with its rank;
- the ids seen (duplicates are rejected), and the rejected rows, of which the first :data:`MAX_REJECTED_KEPT`
  are kept with their problems (a file of nothing but bad rows would otherwise grow without bound).

Memory then grows only with the ids (about 100 bytes a pupil); the rest is bounded.
"""

from __future__ import annotations

import gc
import heapq
import json
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from vitnemal.school.fastpoints import plan_for
from vitnemal.school.importer import SourceRow, cells_problem, open_csv_records, open_pupil_file, row_data
from vitnemal.school.parsing import InvalidCertificate, parse_certificate
from vitnemal.school.points import NoCountableGrades, admission_points, points_hundredths
from vitnemal.school.ranking import TIE_NOTE
from vitnemal.school.service import Progress, Rejected, _with_progress

RUN_SIZE = 100_000
PICKLE_BATCH = 2_000
MAX_REJECTED_KEPT = 10_000

# (negated hundredths, id, name, school): sorts best first, then by id, as vitnemal.school.ranking.rank does.
Entry = tuple[int, str, str, str]


def points_text(hundredths: int) -> str:
    """Return points in hundredths as the two-decimal text of the outputs ("43.78")."""
    return f"{hundredths // 100}.{hundredths % 100:02}"


@dataclass
class PointsRun:
    """The outcome of one pass; read the outputs with :meth:`ranking`, :meth:`records`, :meth:`lines`."""

    work: Path
    accepted: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    rejected_count: int = 0
    explained: int = 0  # records judged by the explaining path (the rest of the accepted went the fast way)
    counts: dict[int, int] = field(default_factory=dict)
    runs: list[Path] = field(default_factory=list)
    held: list[Entry] = field(default_factory=list)  # the sorted entries when they fitted one run (none spilled)
    spool: Path | None = None
    _better: dict[int, int] | None = None

    def place(self, hundredths: int) -> tuple[int, int]:
        """Return ``(rank, tie size)`` of a pupil with these points."""
        if self._better is None:
            better, above = {}, 0
            for value in sorted(self.counts, reverse=True):
                better[value] = above
                above += self.counts[value]
            self._better = better
        return self._better[hundredths] + 1, self.counts[hundredths]

    def entries(self) -> Iterator[Entry]:
        """Yield the ranked list's entries ``(negated hundredths, id, name, school)``, best first."""
        if not self.runs:
            return iter(self.held)
        return heapq.merge(*(_read_run(run) for run in self.runs))

    def ranking(self) -> Iterator[dict[str, object]]:
        """Yield the ranked list, best first (rank, id, name, school, points, tied, tie_size, note)."""
        for negated, pupil_id, name, school in self.entries():
            rank, size = self.place(-negated)
            yield {"rank": rank, "id": pupil_id, "name": name, "school": school, "points": points_text(-negated),
                   "tied": size > 1, "tie_size": size, "note": TIE_NOTE if size > 1 else ""}

    def spooled(self) -> Iterator[tuple[int, Any]]:
        """Yield ``(hundredths, what was spooled)`` per accepted pupil, in file order."""
        if self.spool is None:
            return
        with self.spool.open("rb") as handle:
            while True:
                try:
                    batch = pickle.load(handle)
                except EOFError:
                    return
                yield from batch


def _read_run(path: Path) -> Iterator[Entry]:
    with path.open("rb") as handle:
        while True:
            try:
                batch = pickle.load(handle)
            except EOFError:
                return
            yield from batch


class _Spiller:
    """Writes pickled batches to one file (our own temporary files only: pickle never reads outside input)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] = path.open("wb")
        self._batch: list[Any] = []

    def add(self, item: Any) -> None:
        self._batch.append(item)
        if len(self._batch) >= PICKLE_BATCH:
            self.flush()

    def flush(self) -> None:
        if self._batch:
            pickle.dump(self._batch, self._handle, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []

    def close(self) -> None:
        self.flush()
        self._handle.close()


# What to spool per accepted pupil for the output asked for: its working (JSON), its text line, or nothing.
Spool = Callable[[Any, Any, str], Any] | None


def run_points(
    path: Path, work: Path, *, spool: Spool = None, ranked: bool = True, progress: Progress | None = None
) -> PointsRun:
    """Score every pupil of ``path`` in one pass; see :func:`_run_points`.

    The pass makes millions of short-lived objects and next to no reference cycles, yet the collector would spend
    ~40 % of the time walking the ids seen so far: it is paused for the pass, and run on the young objects at
    each spilled run (so the few cycles, from rejected rows' exceptions, stay bounded).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_points(path, work, spool=spool, ranked=ranked, progress=progress)
    finally:
        if enabled:
            gc.enable()


def _run_points(
    path: Path, work: Path, *, spool: Spool, ranked: bool, progress: Progress | None
) -> PointsRun:
    """Score every pupil of ``path`` in one pass, keeping what :class:`PointsRun` describes under ``work``.

    ``spool(certificate, points, location)`` returns what to keep for each accepted pupil (read back with
    :meth:`PointsRun.spooled`). Raises :class:`~vitnemal.school.importer.InputFileError` when the file as a whole
    cannot be read.

    A CSV file scored for the ranked list alone goes through :mod:`vitnemal.school.fastpoints` record by record;
    a record the fast path does not accept, and every record when an output shows the working, takes the
    explaining path (parse, check, :func:`~vitnemal.school.points.admission_points`).
    """
    scoring = _Pass(PointsRun(work), ranked, _Spiller(work / "spool.pickle") if spool is not None else None)
    csv_file = open_csv_records(path) if spool is None else None
    if csv_file is None:
        pupil_file = open_pupil_file(path)
        for row in _with_progress(pupil_file.rows, pupil_file.size, pupil_file.position, progress):
            scoring.explain(row, spool)
        return scoring.finish()
    columns, id_index = csv_file.columns, csv_file.id_index
    plan = plan_for(columns, id_index)
    score = plan.score if plan is not None else None
    width = len(columns)
    keys = {c.key: i for i, c in enumerate(columns) if c.kind == "field"}
    name_at, school_at = keys.get("name"), keys.get("school")
    size = path.stat().st_size
    # _Pass.accept written out for the fast path's records (nearly all of them): a call less per pupil
    first_seen, counts, entries = scoring.first_seen, scoring.run.counts, scoring.entries
    keep = ranked
    records = _with_progress(csv_file.records, size, lambda: min(csv_file.lines.position, size), progress)
    for line, cells in records:
        if score is not None and len(cells) == width:
            hundredths = score(cells)
            if hundredths is not None:
                pupil_id = cells[id_index].strip()
                if pupil_id not in first_seen:
                    first_seen[pupil_id] = line
                    counts[hundredths] = counts.get(hundredths, 0) + 1
                    if keep:
                        entries.append((-hundredths, pupil_id, "" if name_at is None else cells[name_at].strip(),
                                        "" if school_at is None else cells[school_at].strip()))
                        if len(entries) >= RUN_SIZE:
                            scoring.spill()
                    continue
        bad = cells_problem(columns, id_index, cells)
        scoring.explain(SourceRow(f"line {line}", row_data(columns, cells)) if bad is None
                        else SourceRow(f"line {line}", bad.data, bad.problem), None)
    return scoring.finish()


class _Pass:
    """What one pass keeps as it goes: the counts, the ids seen, the ranked entries in runs, the rejected rows."""

    def __init__(self, run: PointsRun, ranked: bool, spiller: _Spiller | None) -> None:
        self.run = run
        self.ranked = ranked
        self.spiller = spiller
        # "line 7" is kept as 7, "item 3 (index 2)" as -3: an int per id instead of a string.
        self.first_seen: dict[str, int] = {}
        self.entries: list[Entry] = []

    def accept(self, pupil_id: str, number: int, hundredths: int, name: str, school: str) -> None:
        run = self.run
        self.first_seen[pupil_id] = number
        run.counts[hundredths] = run.counts.get(hundredths, 0) + 1
        if self.ranked:
            self.entries.append((-hundredths, pupil_id, name, school))
            if len(self.entries) >= RUN_SIZE:
                self.spill()

    def reject(self, location: str, pupil_id: str, problems: tuple[str, ...]) -> None:
        self.run.rejected_count += 1
        if len(self.run.rejected) < MAX_REJECTED_KEPT:
            self.run.rejected.append(Rejected(location, pupil_id, problems))

    def explain(self, row: SourceRow, spool: Spool) -> None:
        """Judge one row the explaining way: parse and check it, then its points (with the working when spooled)."""
        self.run.explained += 1
        pupil_id = str(row.data.get("id") or "").strip()
        if row.problem:
            self.reject(row.location, pupil_id, (row.problem,))
            return
        try:
            cert = parse_certificate(row.data)
            # The working is built only when an output shows it; the ranked list needs the points alone.
            points = admission_points(cert) if spool is not None else None
            hundredths = int(points.points * 100) if points is not None else points_hundredths(cert)
        except InvalidCertificate as exc:
            self.reject(row.location, pupil_id, tuple(str(p) for p in exc.problems))
            return
        except NoCountableGrades as exc:
            self.reject(row.location, cert.pupil.id, (str(exc),))
            return
        earlier = self.first_seen.get(cert.pupil.id)
        if earlier is not None:
            where = f"line {earlier}" if earlier > 0 else f"item {-earlier} (index {-earlier - 1})"
            self.reject(row.location, pupil_id,
                        (f"id: {cert.pupil.id!r} is already used at {where}; ids must be unique",))
            return
        number = int(row.location.split()[1])
        pupil = cert.pupil
        self.accept(pupil.id, number if row.location.startswith("line") else -number, hundredths, pupil.name,
                    pupil.school)
        if self.spiller is not None and spool is not None:
            self.spiller.add((hundredths, spool(cert, points, row.location)))

    def spill(self) -> None:
        run, entries = self.run, self.entries
        entries.sort()
        run_path = run.work / f"run-{len(run.runs)}.pickle"
        writer = _Spiller(run_path)
        for entry in entries:
            writer.add(entry)
        writer.close()
        run.runs.append(run_path)
        entries.clear()
        gc.collect(0)

    def finish(self) -> PointsRun:
        self.run.accepted = len(self.first_seen)  # every accepted pupil's id, once
        if not self.run.runs:
            self.entries.sort()
            self.run.held = self.entries
        elif self.entries:
            self.spill()
        if self.spiller is not None:
            self.spiller.close()
            self.run.spool = self.spiller.path
        return self.run


def temporary_work() -> tempfile.TemporaryDirectory[str]:
    """A private temporary directory for one run's spilled files (removed when the run is done)."""
    return tempfile.TemporaryDirectory(prefix="vitnemal-points-")


def json_list(items: Iterator[dict[str, object]]) -> Iterator[str]:
    """Yield ``json.dumps(list(items), ensure_ascii=False, indent=1)`` in pieces, without holding the list."""
    first = True
    for item in items:
        body = json.dumps(item, ensure_ascii=False, indent=1).replace("\n", "\n ")
        yield ("[\n " if first else ",\n ") + body
        first = False
    yield "[]" if first else "\n]"
