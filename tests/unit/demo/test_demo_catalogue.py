"""The demo's institutions and catalogues: real codes and names, unique course codes, programmes that add up."""

from __future__ import annotations

import random

import pytest

from vitnemal.demo.catalogue import TEST_COURSES, build_catalogue, course_code
from vitnemal.demo.fields import DATA, FIELDS, parse_fields
from vitnemal.demo.histories import HistoryPlanner
from vitnemal.demo.institutions import BY_CODE, INSTITUTIONS, PROTECTED, get


def test_at_least_55_institutions_with_unique_codes_and_names() -> None:
    assert len(INSTITUTIONS) >= 55
    assert len({i.code for i in INSTITUTIONS}) == len(INSTITUTIONS)
    assert len({i.short_name for i in INSTITUTIONS}) == len(INSTITUTIONS)
    assert all(i.code.isdigit() and len(i.code) == 3 for i in INSTITUTIONS)
    assert {i.code_source for i in INSTITUTIONS} <= {"seed", "confirmed", "inferred", "recalled", "unverified"}


def test_the_seeds_institutions_are_there() -> None:
    assert (get("185").short_name, get("185").name_nb) == ("UiO", "Universitetet i Oslo")
    assert (get("216").short_name, get("216").name_nb) == ("HiSF", "Høgskulen i Sogn og Fjordane")
    assert (get("214").short_name, get("214").name_nb) == ("HiNT", "Høgskolen i Nord-Trøndelag")
    assert set(PROTECTED) <= set(BY_CODE)
    with pytest.raises(LookupError, match="not a demo institution"):
        get("999")


def test_every_institution_teaches_known_fields() -> None:
    for inst in INSTITUTIONS:
        assert inst.fields and set(inst.fields) <= set(FIELDS), inst.code


def test_fields_file_parses_and_reports_bad_lines() -> None:
    assert parse_fields(DATA.read_text(encoding="utf-8")).keys() >= FIELDS.keys()
    with pytest.raises(ValueError, match="line 2"):
        parse_fields("[x] X | x | x | -\nQ 10 L Navn | Name\n")


def test_course_code_styles() -> None:
    assert course_code("four", "INF", 1, 1) == "INF1010"
    assert course_code("three", "INF", 1, 1) == "INF101"
    assert course_code("dash", "INF", 2, 3) == "INF-2030"
    assert course_code("ntnu", "ECON", 4, 2) == "ECO4020"


@pytest.mark.parametrize("inst", INSTITUTIONS, ids=lambda i: i.code)
def test_catalogue_programmes_add_up(inst) -> None:  # type: ignore[no-untyped-def]
    cat = build_catalogue(inst)
    planner = HistoryPlanner(random.Random(7))
    assert cat.bachelors, "every institution has a bachelor"
    for prog in cat.bachelors.values():
        courses = planner.courses_for(prog)
        assert sum(c.credits for c, _ in courses) == 180
        assert len({c.code for c, _ in courses}) == len(courses)
        if prog.exams:
            assert [c.kind for c in prog.exams] == ["exphil", "exfac"]
    for prog in cat.masters.values():
        for thesis in (30, 60):
            courses = planner.courses_for(prog, thesis)
            assert sum(c.credits for c, _ in courses) == 120
            assert [c.credits for c, _ in courses if c.kind == "thesis"] == [thesis]
    if inst.code in TEST_COURSES:
        assert TEST_COURSES[inst.code][0] in cat.courses
