"""Transcript rows given their height (vitnemal.diplomas.rows) look exactly as rows typst measures itself: the
pages are compared pixel for pixel, for sets whose rows are mostly one line and for rows that wrap or carry notes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.diplomas.diploma_examples import bachelor_set, master_set

from vitnemal.diplomas.diploma_set import DiplomaSet
from vitnemal.diplomas.render import DiplomaRenderer, diploma_view
from vitnemal.diplomas.rows import row_heights

DOC_ID = "3f2b8c1e-5d4a-4e6b-9a7c-1b2d3e4f5a6b"
URL = f"https://vitnemal.example/verify/{DOC_ID}"
LONG = ("Historie, samfunn og kultur i Norden fra vikingtiden til i dag med vekt på kilder, metode og "
        "skriftlig framstilling")


@pytest.fixture(scope="module")
def renderer() -> DiplomaRenderer:
    return DiplomaRenderer()


def with_long_name(diploma: DiplomaSet) -> DiplomaSet:
    """The set with its first course renamed to a name that takes two lines."""
    tr = diploma.transcript
    first = tr.groups[0]
    group = replace(first, lines=(replace(first.lines[0], name=LONG), *first.lines[1:]))
    return replace(diploma, transcript=replace(tr, groups=(group, *tr.groups[1:])))


def heights(renderer: DiplomaRenderer, diploma: DiplomaSet) -> list[float | None]:
    view = diploma_view(diploma, document_id=DOC_ID, verify_url=URL)
    return row_heights(view["transcript"], view["labels"], renderer._metrics)


@pytest.mark.parametrize("make", [lambda: master_set("nb"), lambda: master_set("en"), lambda: bachelor_set("nn"),
                                  lambda: with_long_name(master_set("nb"))],
                         ids=["master-nb", "master-en", "bachelor-nn", "long-name"])
def test_fixed_rows_give_the_same_pages(renderer: DiplomaRenderer, make) -> None:  # type: ignore[no-untyped-def]
    diploma = make()
    rows = heights(renderer, diploma)
    assert any(h is not None for h in rows), "no row was given its height: the comparison would prove nothing"
    measured = renderer.pages_png(diploma, DOC_ID, URL, fixed_rows=False, ppi=110)
    fixed = renderer.pages_png(diploma, DOC_ID, URL, ppi=110)
    assert len(fixed) == len(measured)
    for page, (a, b) in enumerate(zip(measured, fixed, strict=True), start=1):
        assert a == b, f"page {page} differs"


def test_rows_that_wrap_or_carry_notes_stay_measured(renderer: DiplomaRenderer) -> None:
    diploma = with_long_name(master_set("nb"))
    view = diploma_view(diploma, document_id=DOC_ID, verify_url=URL)
    rows = heights(renderer, diploma)
    header = 2 if view["transcript"]["has_distribution"] else 1
    by_row = iter(rows[header:])
    for group in view["transcript"]["groups"]:
        assert next(by_row) is None  # the group's heading
        for row in group["rows"]:
            height = next(by_row)
            if row["name"] == LONG or row["notes"]:
                assert height is None, row["name"]
    assert next(by_row) is None and next(by_row, "end") == "end"  # the total, then nothing


def test_one_renderer_renders_each_set_from_its_own_inputs(renderer: DiplomaRenderer) -> None:
    """The set reaches typst as files rewritten for every document: rendering sets in turn never shows the one
    before (each compared with the pages of a new renderer's first document, which has no before)."""
    sets = [master_set("nb"), with_long_name(master_set("nb")), bachelor_set("nn"), master_set("nb")]
    pages = [renderer.pages_png(diploma, DOC_ID, URL) for diploma in sets]
    assert pages[0] != pages[1] != pages[2]
    for diploma, seen in zip(sets, pages, strict=True):
        fresh = DiplomaRenderer()
        try:
            assert seen == fresh.pages_png(diploma, DOC_ID, URL)
        finally:
            fresh.close()
