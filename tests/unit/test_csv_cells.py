"""Every CSV the project writes neutralises cells that a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from vitnemal import csv_cells


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("https://evil.example","klikk")', "+47 1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"],
)
def test_a_cell_that_would_be_a_formula_is_written_as_text(text: str) -> None:
    assert csv_cells.safe_cell(text) == "'" + text
    handle = io.StringIO(newline="")
    csv_cells.writer(handle).writerow([text, "Kari"])
    [row] = list(csv.reader(io.StringIO(handle.getvalue(), newline="")))
    assert row == ["'" + text, "Kari"]


@pytest.mark.parametrize(("value", "written"), [("Kari = Ola", "Kari = Ola"), (-3, "-3"), (Decimal("-1.50"), "-1.50"),
                                               (None, ""), ("", ""), (True, "True"), ("'=x", "'=x")])
def test_ordinary_cells_and_computed_numbers_are_unchanged(value: object, written: str) -> None:
    assert csv_cells.safe_cell(value) == written


def test_the_dict_writer_neutralises_every_field_and_refuses_unknown_ones() -> None:
    handle = io.StringIO(newline="")
    writer = csv_cells.dict_writer(handle, ["id", "name"])
    writer.writeheader()
    writer.writerow({"id": "@1", "name": "=1+1"})
    assert handle.getvalue().splitlines() == ["id,name", "'@1,'=1+1"]
    with pytest.raises(ValueError, match="not in the header"):
        writer.writerow({"id": "1", "other": "x"})
