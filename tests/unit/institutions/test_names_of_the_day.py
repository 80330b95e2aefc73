"""Merged institutions in messages (review R1): the demo's eight nodes under three names of today are told apart by
their former names, and a result is named by the institution's name on the day it was obtained."""

from __future__ import annotations

from datetime import date

from vitnemal.demo.institutions import BY_CODE, registry_names
from vitnemal.institutions.registry import InstitutionEntry, Registry
from vitnemal.records.terms import term_day


def _demo_registry(*codes: str) -> Registry:
    entries = {}
    for code in codes:
        nb, en, former = registry_names(BY_CODE[code])
        entries[code] = InstitutionEntry(code, nb, en, BY_CODE[code].short_name, f"http://127.0.0.1:9/nodes/{code}",
                                         former_names=former)
    return Registry(entries)


def test_nodes_sharing_todays_name_are_told_apart_by_their_former_names() -> None:
    registry = _demo_registry("185", "203", "216", "218", "204", "213", "214", "202", "215")
    names = {code: registry.distinct_name(code) for code in registry.institutions}
    assert names["185"] == "Universitetet i Oslo"  # nobody else has its name: as it is
    assert names["216"] == "Høgskulen på Vestlandet (tidligere Høgskulen i Sogn og Fjordane)"
    assert names["203"] == "Høgskulen på Vestlandet (tidligere Høgskolen i Bergen)"
    assert names["218"] == "Høgskulen på Vestlandet (tidligere Høgskolen Stord/Haugesund)"
    assert names["204"] == "Nord universitet (tidligere Universitetet i Nordland)"
    assert names["214"] == "Nord universitet (tidligere Høgskolen i Nord-Trøndelag)"
    # HiO and HiAk became HiOA in 2011 and OsloMet in 2018: HiOA is shared too, the first name tells them apart.
    assert names["215"] == "OsloMet – storbyuniversitetet (tidligere Høgskolen i Oslo)"
    assert names["202"] == "OsloMet – storbyuniversitetet (tidligere Høgskolen i Akershus)"
    assert len(set(names.values())) == len(names)  # every node told apart
    assert registry.distinct_name("216", "en").endswith("(formerly Sogn og Fjordane University College)")
    assert registry.distinct_name("216", "nn").startswith("Høgskulen på Vestlandet (tidlegare ")


def test_a_name_held_alone_gets_no_note() -> None:
    registry = _demo_registry("216", "185")  # 216 alone holds Høgskulen på Vestlandet here
    assert registry.distinct_name("216") == "Høgskulen på Vestlandet"


def test_a_result_is_named_by_the_name_of_its_day() -> None:
    registry = _demo_registry("216", "215")
    assert registry.name_then("216", term_day(2014, "HØST")) == "Høgskulen i Sogn og Fjordane"
    assert registry.name_then("216", term_day(2017, "HØST")) == "Høgskulen på Vestlandet"
    assert registry.name_then("216", None) == "Høgskulen på Vestlandet"
    assert registry.name_then("215", date(2010, 6, 30)) == "Høgskolen i Oslo"
    assert registry.name_then("215", date(2015, 6, 30)) == "Høgskolen i Oslo og Akershus"
    assert registry.name_then("999", date(2015, 6, 30)) == "999"  # not a member: its code
