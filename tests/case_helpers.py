"""The seed's test persons for the case pages: Testperson1 with 216 RES-100 and Testperson2 with 214 RES-OAL,
both registered at 185 (steps 2–3), consenting (step 4) and admitted to a programme there that leads to MA-INF
(so what the case recognises has a qualification to count toward)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import httpx
from tests.factories import add_course, add_degree, add_person, add_result, consent

from vitnemal.db import Database
from vitnemal.programmes.service import ProgrammeSpec, add_programme, admit

TP1, TP2 = "01536112185", "19588312510"
FACULTY = "Det humanistiske fakultet"
GRADUATES = ["01039512374", "15057812399", "24118012374"]


def seed_graduates(db: Database) -> None:
    """Three graduates of a history bachelor at 185 (a programme of FACULTY), none of them issued a diploma."""
    with db.session() as s:
        add_programme(s, ProgrammeSpec("BAHIS", "Bachelorprogram i historie", "Bachelor's programme in history",
                                       FACULTY, qualification_code="BA-HIS"))
        courses = [add_course(s, f"HIS{n}", name_nb=f"Historie {n}", name_en=f"History {n}") for n in (1, 2)]
        for i, nid in enumerate(GRADUATES):
            person = add_person(s, nid, f"Kandidat{i}", "Nordmann", date(1995, 3, 1 + i))
            results = [add_result(s, person, c, 2020, "VÅR", "B") for c in courses]
            add_degree(s, person, "BA-HIS", results, awarded=date(2021, 6, 20), issued=None).programme_code = "BAHIS"


def seed_test_persons(db: Callable[[str], Database], codes: tuple[str, ...], *, consenting: bool = True,
                      registered: bool = True) -> None:
    """The test persons at 185 and their results at 216 and 214; ``consenting=False`` leaves step 4 (the
    student's consent) to the test, ``registered=False`` steps 2–4 (185 has only the programme MAINF)."""
    with db("185").session() as s:
        add_programme(s, ProgrammeSpec("MAINF", "Masterprogram i informatikk", "Master's programme in informatics",
                                       "Det matematisk-naturvitenskapelige fakultet", qualification_code="MA-INF"))
        for nid, first, born in ((TP1, "Testperson1", date(1961, 3, 1)), (TP2, "Testperson2", date(1983, 8, 19))):
            if not registered:
                break
            person = add_person(s, nid, first, "Resultatutveksling", born)
            if consenting:
                consent(s, person)
            admit(s, person.id, "MAINF", date(2024, 8, 1))
    if "216" in codes:
        with db("216").session() as s:
            p = add_person(s, TP1, "Testperson1", "Resultatutveksling", date(1961, 3, 1))
            add_result(s, p, add_course(s, "RES-100", name_nb="Resultatutveksling 100",
                                        name_en="Results exchange 100"), 2014, "HØST", "C")
    if "214" in codes:
        with db("214").session() as s:
            p = add_person(s, TP2, "Testperson2", "Resultatutveksling", date(1983, 8, 19))
            add_result(s, p, add_course(s, "RES-OAL", name_nb="Oppgave i resultatutveksling",
                                        name_en="Results exchange thesis", kind="thesis"), 2015, "VÅR", "B",
                       thesis_title="Utveksling av resultater mellom institusjoner")


def wait_for_outcomes(client: httpx.Client, url: str, deadline_s: float = 60) -> dict[str, object]:
    """Follow an order's outcomes.json as the page's script does (a long poll telling what it has seen) until no
    institution is pending (the worker runs it in the server)."""
    end = time.monotonic() + deadline_s
    state = client.get(url).json()
    while state["pending"] != 0 and time.monotonic() < end:
        state = client.get(url, params={"wait": 1, "answered": state["answered"], "status": state["status"]},
                           timeout=deadline_s).json()
    return state  # type: ignore[no-any-return]
