"""Hostile and odd pupils files: bounded memory, line-numbered errors (exit 2, never a traceback), encodings.

Before streaming, a 1,000,000-row file took 6 GB, a 128 KiB cell or a 100,000-deep JSON file ended in a
traceback, and a UTF-16 file was misread as Windows-1252.
"""

from __future__ import annotations

import json
import random
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vitnemal.bench.school import write_county_csv
from vitnemal.cli import app
from vitnemal.school import batch
from vitnemal.school.batch import run_points
from vitnemal.school.export import write_ranking, write_run_ranking
from vitnemal.school.points import admission_points
from vitnemal.school.ranking import rank
from vitnemal.school.service import load_certificates

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "school"
CSV_TEXT = (EXAMPLES / "pupils.csv").read_text(encoding="utf-8")


def points_of(path: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["school", "points", str(path)])
    return result.exit_code, result.stdout, result.stderr


def test_a_128_kib_cell_is_a_line_numbered_usage_error(tmp_path: Path) -> None:
    lines = CSV_TEXT.splitlines()
    cells = lines[2].split(",")
    cells[1] = "x" * (128 * 1024)
    path = tmp_path / "pupils.csv"
    path.write_text("\n".join([*lines[:2], ",".join(cells), *lines[3:]]) + "\n", encoding="utf-8")
    code, _, err = points_of(path)
    assert code == 2
    assert "line 3 is longer than 65,536 characters" in err and "Traceback" not in err


def test_a_quoted_cell_over_many_lines_is_bounded_too(tmp_path: Path) -> None:
    header = CSV_TEXT.splitlines()[0]
    path = tmp_path / "pupils.csv"
    path.write_text(header + '\n"' + "x\n" * 70_000 + '",\n', encoding="utf-8")
    code, _, err = points_of(path)
    assert code == 2 and "line 2: not readable as CSV" in err and "field larger than field limit" in err


@pytest.mark.parametrize(
    ("document", "line"),
    [
        ('[{"id": "a"},\n' + "[" * 100_000 + "]" * 100_000 + "]", 2),
        ('{\n "school": ' + "[" * 100_000 + "]" * 100_000 + ', "pupils": []}', 2),
        ('[\n{"id": "a", "final": ' + '{"x": ' * 40 + "1" + "}" * 40 + "}]", 2),
    ],
)
def test_deep_json_is_a_line_numbered_usage_error(tmp_path: Path, document: str, line: int) -> None:
    path = tmp_path / "pupils.json"
    path.write_text(document, encoding="utf-8")
    code, _, err = points_of(path)
    assert code == 2, err
    assert f"line {line}: nested deeper than 16 levels" in err and "Traceback" not in err


def test_json_on_one_line_is_read_item_by_item(tmp_path: Path) -> None:
    document = json.loads((EXAMPLES / "pupils.json").read_text(encoding="utf-8"))
    path = tmp_path / "pupils.json"
    path.write_text(json.dumps({"pupils": document.pop("pupils"), **document}), encoding="utf-8")  # defaults last
    assert points_of(path) == points_of(EXAMPLES / "pupils.json")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "cp1252", "latin-1"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "pupils.csv"
    data = CSV_TEXT.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    assert points_of(path) == points_of(EXAMPLES / "pupils.csv")


def test_utf16_without_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pupils.csv"
    path.write_bytes(CSV_TEXT.encode("utf-16-le"))
    code, _, err = points_of(path)
    assert code == 2 and "UTF-16 without a byte-order mark" in err and "save it as UTF-8" in err


def test_a_file_that_turns_latin1_halfway_names_the_line(tmp_path: Path) -> None:
    lines = CSV_TEXT.splitlines()
    rows = [lines[2].replace("p2", f"q{n}", 1) for n in range(400)]  # well past the first 64 KiB
    path = tmp_path / "pupils.csv"
    path.write_bytes(("\n".join([lines[0], *rows]) + "\n").encode() + "q9,Bjørn,".encode("latin-1") + b"\n")
    code, _, err = points_of(path)
    assert code == 2 and "line 402: not utf-8 text" in err and "mixes encodings" in err


def _peak_bytes(county: Path, work: Path) -> tuple[int, batch.PointsRun]:
    tracemalloc.start()
    try:
        run = run_points(county, work)
        for _ in run.ranking():  # as the ranked list is written: one entry at a time
            pass
        return tracemalloc.get_traced_memory()[1], run
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_pupils_and_the_spilled_ranking_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    write_county_csv(small, 300)
    write_county_csv(large, 900)
    monkeypatch.setattr(batch, "RUN_SIZE", 150)  # sorted runs on disk, merged
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    small_peak, _ = _peak_bytes(small, tmp_path / "a")
    large_peak, run = _peak_bytes(large, tmp_path / "b")
    ranking = list(run.ranking())
    assert len(run.runs) == 6
    # Holding every pupil's certificate and working, as the import did, took several kB a pupil; streaming
    # keeps only the ids (~100 bytes each) and a bounded batch.
    assert (large_peak - small_peak) / 600 < 400, (small_peak, large_peak)
    expected = rank(
        (item.certificate.pupil.id, admission_points(item.certificate).points)
        for item in load_certificates(large).accepted
    )
    assert [(r["rank"], r["id"], r["points"], r["tie_size"]) for r in ranking] == [
        (e.rank, e.pupil_id, f"{e.points:.2f}", e.tie_size) for e in expected
    ]
    assert run.accepted == len(expected) and run.rejected_count == 900 - len(expected)


def test_the_ranked_csv_is_never_half_written(tmp_path: Path) -> None:
    lines = CSV_TEXT.splitlines()
    path = tmp_path / "pupils.csv"
    path.write_text("\n".join([*lines, "x" * 70_000]) + "\n", encoding="utf-8")
    ranked = tmp_path / "ranked.csv"
    result = CliRunner().invoke(app, ["school", "points", str(path), "--ranked-out", str(ranked)])
    assert result.exit_code == 2 and not ranked.exists() and list(tmp_path.iterdir()) == [path]


def test_the_ranked_list_from_the_fast_path_is_the_explaining_paths(tmp_path: Path) -> None:
    county = tmp_path / "county.csv"
    write_county_csv(county, 2_000)
    (tmp_path / "fast").mkdir()
    (tmp_path / "explained").mkdir()
    fast = run_points(county, tmp_path / "fast")
    explained = run_points(county, tmp_path / "explained", spool=lambda cert, points, location: points.points)
    assert list(fast.ranking()) == list(explained.ranking())
    assert fast.rejected == explained.rejected and fast.counts == explained.counts
    assert all(int(points * 100) == hundredths for hundredths, points in explained.spooled())


def test_the_ranked_csv_of_the_fast_path_is_byte_for_byte_the_explaining_paths(tmp_path: Path) -> None:
    """A county file with odd rows (other spellings, bad cells, duplicate ids): the same accepted and rejected
    rows, and the same ranked CSV bytes, whether scored fast or with the working."""
    county = tmp_path / "county.csv"
    write_county_csv(county, 1_500)
    rng = random.Random(5)
    lines = county.read_text(encoding="utf-8").splitlines()
    odd = [" 5", "iv", "Fritatt", "0", "7", "deltatt", "", "x"]
    for number in range(1, len(lines), 7):
        cells = lines[number].split(",")
        cells[rng.randrange(5, 60)] = rng.choice(odd)
        lines[number] = ",".join(cells)
    lines += lines[10:14]  # four ids used again
    county.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "fast").mkdir()
    (tmp_path / "explained").mkdir()
    fast = run_points(county, tmp_path / "fast")
    explained = run_points(county, tmp_path / "explained", spool=lambda cert, points, location: points.points)
    assert fast.rejected == explained.rejected and fast.rejected_count > 4 + 1_500 // 997
    assert fast.accepted == explained.accepted and fast.counts == explained.counts
    write_run_ranking(tmp_path / "fast.csv", fast)
    write_ranking(tmp_path / "explained.csv", explained.ranking())
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "explained.csv").read_bytes()
    write_run_ranking(tmp_path / "fast.json", fast)
    write_ranking(tmp_path / "explained.json", explained.ranking())
    assert (tmp_path / "fast.json").read_bytes() == (tmp_path / "explained.json").read_bytes()
