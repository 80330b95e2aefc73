"""Reading a pupils file in blocks gives the lines of reading it line by line; the ranked CSV written a line at a
time is the bytes csv.writer (through vitnemal.csv_cells) writes.

Both are shortcuts of the points pass (issue 11 #1), so each is held against the plain way on odd input: line
breaks that are not newlines (a lone CR, U+2028, NEL), CRLF, a byte-order mark, blocks cut anywhere; cells with
commas, quotes, line breaks and formula starts.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vitnemal import csv_cells
from vitnemal.school import textfile
from vitnemal.school.batch import PointsRun
from vitnemal.school.export import RANKING_COLUMNS, write_run_ranking
from vitnemal.school.ranking import TIE_NOTE
from vitnemal.school.textfile import InputFileError, TextLines

PIECES = ["a", "æøå", "1,2", "\n", "\r\n", "\r", "\u2028", "\x85", "\x0b", "\x1c", '"', " ", "\ufeff", "€"]


def by_line(data: bytes, encoding: str) -> list[str]:
    """The file's lines read one at a time, split after each newline byte and decoded."""
    decode = codecs.getincrementaldecoder(encoding)().decode
    pieces = data.split(b"\n")
    lines = [piece + b"\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    return [text for text in (decode(line) for line in lines) if text]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(text=st.lists(st.sampled_from(PIECES), max_size=40).map("".join), block=st.integers(1, 12),
       bom=st.booleans())
def test_lines_read_in_blocks_are_the_lines_read_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, block: int, bom: bool
) -> None:
    monkeypatch.setattr(textfile, "BLOCK_BYTES", block)
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode()
    path = tmp_path / "pupils.csv"
    path.write_bytes(data)
    encoding = "utf-8-sig" if bom else "utf-8"
    lines = TextLines(path, encoding)
    assert list(lines) == by_line(data, encoding)
    assert lines.position == len(data)
    lines.close()


def test_a_line_that_does_not_decode_is_named_after_the_lines_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textfile, "BLOCK_BYTES", 64)
    path = tmp_path / "pupils.csv"
    path.write_bytes("".join(f"p{n},Åse\n" for n in range(20)).encode() + "p20,Bjørn\n".encode("latin-1") + b"p21\n")
    seen: list[str] = []
    with pytest.raises(InputFileError, match=r"line 21: not utf-8 text \(invalid start byte, byte 0xf8\)"):
        seen.extend(TextLines(path, "utf-8"))
    assert seen == [f"p{n},Åse\n" for n in range(20)]


def test_a_line_over_the_bound_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textfile, "BLOCK_BYTES", 1000)
    path = tmp_path / "pupils.csv"
    path.write_text("id\n" + "x" * (textfile.MAX_LINE_CHARS + 1) + "\nlast\n", encoding="utf-8")
    seen: list[str] = []
    with pytest.raises(InputFileError, match=r"line 2 is longer than 65,536 characters"):
        seen.extend(TextLines(path, "utf-8"))
    assert seen == ["id\n"]


CELLS = st.lists(st.sampled_from(["Kari", "Nordmann", ",", '"', "\n", "\r", "=1+1", "+47", "-", "@x", "\t", " ", "ø",
                                  "Skole 1"]), max_size=4).map("".join)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(pupils=st.lists(st.tuples(st.integers(0, 6000), CELLS, CELLS), max_size=12))
def test_the_ranked_csv_is_what_csv_writer_writes(tmp_path: Path, pupils: list[tuple[int, str, str]]) -> None:
    run = PointsRun(tmp_path, accepted=len(pupils))
    for hundredths, _, _ in pupils:
        run.counts[hundredths] = run.counts.get(hundredths, 0) + 1
    run.held = sorted((-h, f"{name}{n}", name, school) for n, (h, name, school) in enumerate(pupils))
    write_run_ranking(tmp_path / "ranked.csv", run)

    expected = io.StringIO()
    writer = csv_cells.writer(expected)
    writer.writerow(RANKING_COLUMNS)
    for negated, pupil_id, name, school in run.held:
        rank, size = run.place(-negated)
        writer.writerow((rank, pupil_id, name, school, f"{-negated // 100}.{-negated % 100:02}",
                         "ja" if size > 1 else "nei", size, TIE_NOTE if size > 1 else ""))
    assert (tmp_path / "ranked.csv").read_bytes() == expected.getvalue().encode()
    with (tmp_path / "ranked.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.reader(handle))) == len(pupils) + 1
