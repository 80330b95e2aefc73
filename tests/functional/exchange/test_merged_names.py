"""Review R1 over real HTTP: two members that share today's name since a merger are told apart in the order's
sentences by their first names, on both engines."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tests.factories import MiniFederation, add_course, add_person, add_result, consent

from vitnemal.institutions.registry import FormerName, editing

HVL = ("Høgskulen på Vestlandet", "Western Norway University of Applied Sciences")
FIRST = {"216": ("Høgskulen i Sogn og Fjordane", "Sogn og Fjordane University College"),
         "214": ("Høgskolen i Bergen", "Bergen University College")}


def seed(fed: MiniFederation) -> None:
    with fed.db("185").session() as s:
        consent(s, add_person(s, "01536112185", "Testperson1", "Resultatutveksling", date(1961, 3, 1)))
    with fed.db("216").session() as s:
        p = add_person(s, "01536112185", "Testperson1", "Resultatutveksling", date(1961, 3, 1))
        add_result(s, p, add_course(s, "RES-100", "10"), 2014, "VÅR", "B")
    with editing(fed.settings.registry_path) as registry:  # both merged into one institution in 2017
        for code, (nb, en) in FIRST.items():
            registry.institutions[code] = replace(registry.institutions[code], name_nb=HVL[0], name_en=HVL[1],
                                                  former_names=(FormerName(nb, en, valid_to=date(2017, 1, 1)),))


def test_members_sharing_a_name_since_a_merger_are_told_apart(live_federation) -> None:  # type: ignore[no-untyped-def]
    live = live_federation(["185", "216", "214"], seed)
    order = live.order("185", "01536112185")
    texts = {o["institution"]: o["text"] for o in order["outcomes"]}
    assert texts["216"].startswith("Høgskulen på Vestlandet (tidligere Høgskulen i Sogn og Fjordane)"), texts
    assert texts["214"].startswith("Høgskulen på Vestlandet (tidligere Høgskolen i Bergen)"), texts
