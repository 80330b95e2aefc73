"""Institutions that merged are shown with the name they had when the result was obtained: the registry keeps each
member's former names with their dates, the demo federation has real mergers, and the portal's results carry the
name of their day where it differs from today's."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from vitnemal.demo.institutions import get, registry_names
from vitnemal.exchange.outcomes import ImportedQualification, ImportedResult
from vitnemal.institutions.registry import FormerName, InstitutionEntry, Registry
from vitnemal.portal.source import answer_contents

HISF = FormerName("Høgskulen i Sogn og Fjordane", "Sogn og Fjordane University College", valid_to=date(2017, 1, 1))
HVL = InstitutionEntry("216", "Høgskulen på Vestlandet", "Western Norway University of Applied Sciences", "HiSF",
                       "http://x/nodes/216", former_names=(HISF,))


def test_a_name_holds_from_its_first_day_until_the_next_names_first_day() -> None:
    assert HVL.name_on(date(2016, 12, 31))[0] == "Høgskulen i Sogn og Fjordane"
    assert HVL.name_on(date(2017, 1, 1))[0] == "Høgskulen på Vestlandet"
    assert HVL.name_on(None)[0] == "Høgskulen på Vestlandet"


def test_the_history_survives_the_registry_file_and_old_files_still_load(tmp_path: Path) -> None:
    path = tmp_path / "registry.json"
    Registry({"216": HVL, "185": InstitutionEntry("185", "UiO", "UiO", "UiO", "u")}).save(path)
    saved = json.loads(path.read_text(encoding="utf-8"))["institutions"]
    assert saved[1]["former_names"] == [{"name_nb": "Høgskulen i Sogn og Fjordane",
                                         "name_en": "Sogn og Fjordane University College",
                                         "valid_to": "2017-01-01", "valid_from": None}]
    assert "former_names" not in saved[0]  # a member without history is written as before
    assert Registry.load(path).get("216") == HVL


def test_the_demo_has_real_mergers_with_their_dates() -> None:
    nb, en, former = registry_names(get("216"))
    assert (nb, en) == ("Høgskulen på Vestlandet", "Western Norway University of Applied Sciences")
    assert former == (HISF,)
    assert registry_names(get("214"))[0] == "Nord universitet"
    # Høgskolen i Oslo: HiOA from August 2011, OsloMet from 2018.
    nb, _, former = registry_names(get("215"))
    entry = InstitutionEntry("215", nb, "", "HiO", "", former_names=former)
    assert [entry.name_on(date(y, m, 1))[0] for y, m in ((2010, 6), (2011, 8), (2017, 12), (2018, 1))] == [
        "Høgskolen i Oslo", "Høgskolen i Oslo og Akershus", "Høgskolen i Oslo og Akershus",
        "OsloMet – storbyuniversitetet"]
    assert registry_names(get("185")) == ("Universitetet i Oslo", "University of Oslo", ())


def test_results_carry_the_name_of_their_day_when_it_differs() -> None:
    def result(year: int) -> ImportedResult:
        return ImportedResult(key=f"RES-100|{year}|HØST", course_code="RES-100", name_nb="R", name_en="R",
                              kind="course", thesis_title=None, year=year, season="HØST", credits=Decimal(10),
                              grade="B", grading_scale="letter", description_nb=None,
                              description_en=None)

    quals = [ImportedQualification(key="BA", code="BA", name_nb="Bachelor", name_en="Bachelor", level="bachelor",
                                   programme_name_nb=None, programme_name_en=None, specialisation_nb=None,
                                   specialisation_en=None, credits=Decimal(180), award_date=date(2016, 6, 20),
                                   diploma_issued_on=date(2016, 7, 1), links=())]
    results, qualifications = answer_contents(HVL, [result(2014), result(2019)], quals)
    assert results[0]["institution_name_nb"] == "Høgskulen i Sogn og Fjordane"
    assert results[0]["institution_name_en"] == "Sogn og Fjordane University College"
    assert "institution_name_nb" not in results[1]  # obtained under today's name
    assert qualifications[0]["institution_name_nb"] == "Høgskulen i Sogn og Fjordane"
