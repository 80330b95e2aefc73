"""Admission points and the ranked list as JSON-ready records, CSV/JSON files and text lines.

Points and sums are strings with two decimals ("43.78") so no reader turns them into binary floats.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from vitnemal import csv_cells
from vitnemal.school.points import AdmissionPoints
from vitnemal.school.ranking import TIE_NOTE, Ranked
from vitnemal.school.service import PointsReport, Scored

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


def points_records(report: PointsReport) -> list[dict[str, object]]:
    """Return one record per accepted pupil in file order: id, name, school, rank, then the working."""
    places = {entry.pupil_id: entry for entry in report.ranking}
    records: list[dict[str, object]] = []
    for scored in report.scored:
        pupil = scored.certificate.pupil
        place = places[pupil.id]
        records.append(
            {
                "id": pupil.id,
                "name": pupil.name,
                "school": pupil.school,
                "source": scored.location,
                "rank": place.rank,
                "tied": place.tied,
                **working_record(scored.points),
            }
        )
    return records


def ranking_records(report: PointsReport) -> list[dict[str, object]]:
    """Return the ranked list, best first; tied applicants share a rank and carry the lot-drawing note."""
    pupils = {s.certificate.pupil.id: s.certificate.pupil for s in report.scored}
    return [
        _ranking_record(entry, pupils[entry.pupil_id].name, pupils[entry.pupil_id].school) for entry in report.ranking
    ]


def _ranking_record(entry: Ranked, name: str, school: str) -> dict[str, object]:
    return {
        "rank": entry.rank,
        "id": entry.pupil_id,
        "name": name,
        "school": school,
        "points": _two(entry.points),
        "tied": entry.tied,
        "tie_size": entry.tie_size,
        "note": TIE_NOTE if entry.tied else "",
    }


def write_ranking(path: Path, records: Sequence[dict[str, object]]) -> None:
    """Write the ranked list as CSV or JSON, chosen by the file's suffix (checked by the caller)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.casefold() == ".json":
        path.write_text(json.dumps(list(records), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        # Names and ids come from the input file: a cell such as "=HYPERLINK(...)" is written as text.
        writer = csv_cells.dict_writer(handle, RANKING_COLUMNS)
        writer.writeheader()
        for record in records:
            writer.writerow({**record, "tied": "ja" if record["tied"] else "nei"})


def text_line(scored: Scored) -> str:
    """Return one pupil's points and working as a line of text."""
    pupil = scored.certificate.pupil
    who = f"{pupil.id}  {pupil.name}".rstrip()
    return f"{who}  {_two(scored.points.points)}  {scored.points.formula}"
