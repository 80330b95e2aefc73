"""Which transcript rows are surely one line high, so that typst can be told their height.

Typst measures every row of ``auto`` height (it lays out each cell once to find the height, then again in it):
that first pass was a fifth of the whole compile of a four-page set (40 of 191 million instructions, counted
with cachegrind). A row given a fixed height is laid out once. A row is fixed here only when every cell of it is
certainly one line: no notes under the course name, and the name (summed glyph widths, measured once per
process by typst itself in the document's font, with a margin for kerning) narrower than the least width the
name column can have. Every other row stays ``auto``, so a long name still wraps and its row grows, as before.
The fixed height is what typst gives a one-line row (the font's cap height plus the cell's top and bottom inset),
so the page looks exactly as with ``auto`` rows (``tests/functional/diplomas/test_render_rows.py`` compares the
rendered pages pixel for pixel).

Everything here must agree with ``diploma.typ``: the page's text width, the insets and the distribution columns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

PT_PER_CM: Final = 72 / 2.54
TEXT_WIDTH_PT: Final = (21.0 - 2 * 2.0) * PT_PER_CM  # A4, margin x 2.0cm
CELL_PAD_PT: Final = 3.0  # `pad` in diploma.typ: each side of every column
CELL_Y_PT: Final = 2.6  # the cells' top and bottom inset
DIST_WIDTH_PT: Final = 5 * 0.74 * PT_PER_CM + 2 * CELL_PAD_PT  # the five share columns
HEADING_PT: Final = 8.5  # column headings: bold, 8.5 pt
# A name is taken as one line only with this much room to spare (kerning and ligatures only make it narrower).
MARGIN: Final = 1.03
MARGIN_PT: Final = 2.0
# The characters measured: Latin-1 and Latin Extended-A (Norwegian, Sami and the rest of Europe's Latin letters).
CHARS: Final = "".join(chr(c) for c in [*range(32, 127), *range(160, 384)])

CALIBRATION: Final = b"""
#set text(font: "Libertinus Serif", size: 10pt)
#let chars = sys.inputs.at("chars").clusters()
#context [#metadata((
  regular: chars.map(c => measure(text(c)).width / 1pt),
  bold: chars.map(c => measure(text(size: 8.5pt, weight: "bold", c)).width / 1pt),
  line: measure(text("X")).height / 1pt,
)) <widths>]
"""


@dataclass(frozen=True)
class TextMetrics:
    """Glyph widths (pt) of the transcript's font: regular at 10 pt, bold at 8.5 pt; ``line`` the height of a line."""

    regular: dict[str, float]
    bold: dict[str, float]
    line: float

    def width(self, text: str, *, bold: bool = False, size: float = 10.0) -> float | None:
        """The width of ``text`` set in one line, or None when it holds a character not measured."""
        widths, base = (self.bold, HEADING_PT) if bold else (self.regular, 10.0)
        try:
            return sum(widths[c] for c in text) * size / base
        except KeyError:
            return None

    @property
    def row_height(self) -> float:
        """The height typst gives a transcript row of one line."""
        return self.line + 2 * CELL_Y_PT


def measure_font() -> TextMetrics:
    """Measure the font with typst (about 20 ms, once per process)."""
    import typst

    compiler = typst.Compiler(CALIBRATION, ignore_system_fonts=True, sys_inputs={"chars": CHARS})
    found = json.loads(compiler.query("<widths>", field="value", one=True, format="json"))
    return TextMetrics(dict(zip(CHARS, found["regular"], strict=True)), dict(zip(CHARS, found["bold"], strict=True)),
                       float(found["line"]))


def _column(metrics: TextMetrics, heading: str, cells: list[str], *, bold_cells: tuple[str, ...] = ()) -> float | None:
    widths = [metrics.width(heading, bold=True), *(metrics.width(c) for c in cells),
              *(metrics.width(c, bold=True, size=10.0) for c in bold_cells)]
    if any(w is None for w in widths):
        return None
    return max(w for w in widths if w is not None) + 2 * CELL_PAD_PT


def row_heights(transcript: dict[str, Any], labels: dict[str, str], metrics: TextMetrics) -> list[float | None]:
    """The height (pt) of each row of the transcript table of ``diploma_view``'s ``transcript``, None for auto:
    the header rows, then per group its heading and its courses, then the total."""
    groups = transcript["groups"]
    rows = [r for g in groups for r in g["rows"]]
    header: list[float | None] = [None, None] if transcript["has_distribution"] else [None]
    auto_rows = header + [None for g in groups for _ in (0, *g["rows"])] + [None]
    others = [_column(metrics, labels["code"], [r["code"] for r in rows]),
              _column(metrics, labels["term"], [r["term"] for r in rows]),
              _column(metrics, labels["credits"], [r["credits"] for r in rows], bold_cells=(transcript["total"],)),
              _column(metrics, labels["grade"], [r["grade"] for r in rows])]
    if any(w is None for w in others):
        return auto_rows
    room = (TEXT_WIDTH_PT - sum(w for w in others if w is not None) - 2 * CELL_PAD_PT
            - (DIST_WIDTH_PT if transcript["has_distribution"] else 0.0))
    heading_width = metrics.width(labels["course"], bold=True)
    if heading_width is None or heading_width * MARGIN + MARGIN_PT > room:
        return auto_rows

    def one_line(row: dict[str, Any]) -> bool:
        width = metrics.width(row["name"])
        return not row["notes"] and width is not None and width * MARGIN + MARGIN_PT <= room

    out: list[float | None] = list(header)
    for group in groups:
        out.append(None)
        out.extend(metrics.row_height if one_line(r) else None for r in group["rows"])
    out.append(None)
    return out
