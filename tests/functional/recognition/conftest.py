"""A small federation (185 UiO, 216 HiSF, 214 HiNT) on SQLite and again on PostgreSQL, with a student who took
courses at HiSF and consented at UiO."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.factories import (
    ENGINES,
    MiniFederation,
    add_course,
    add_degree,
    add_person,
    add_result,
    consent,
    federation_on_engine,
)

from vitnemal.programmes.service import ProgrammeSpec, add_programme, admit

STUDENT = "01039512374"


def seed_student(fed: MiniFederation) -> None:
    with fed.db("185").session() as s:
        student = add_person(s, STUDENT, "Kari", "Nordmann", date(1995, 3, 1))
        consent(s, student)
        # admitted to the master's programme in informatics, which leads to MA-INF (what is recognised counts there)
        add_programme(s, ProgrammeSpec("MAINF", "Masterprogram i informatikk", "Master's programme in informatics",
                                       "Det matematisk-naturvitenskapelige fakultet", qualification_code="MA-INF"))
        add_programme(s, ProgrammeSpec("MAMEVIT", "Masterprogram i medievitenskap", "Master's programme in media "
                                       "studies", "Det humanistiske fakultet", qualification_code="MA-MEVIT"))
        admit(s, student.id, "MAINF", date(2024, 8, 1))
        add_person(s, "19588312510", "Testperson2", "Resultatutveksling", date(1983, 8, 19))  # no consent
    with fed.db("216").session() as s:
        p = add_person(s, STUDENT, "Kari", "Nordmann", date(1995, 3, 1))
        ex = add_result(s, p, add_course(s, "EXPHIL", kind="exphil", name_nb="Examen philosophicum"), 2014, "HØST",
                        "C")
        dat = add_result(s, p, add_course(s, "DAT200", name_nb="Algoritmar og datastrukturar",
                                          name_en="Algorithms and data structures"), 2015, "VÅR", "B")
        add_degree(s, p, "BA-DAT", [ex, dat], issued=date(2017, 7, 1))
        add_result(s, p, add_course(s, "DAT310", name_nb="Webprogrammering"), 2018, "VÅR", "A")
        add_result(s, p, add_course(s, "DAT320", "7.5", name_nb="Operativsystem"), 2018, "HØST", "C")


@pytest.fixture(params=ENGINES)
def fed(request: pytest.FixtureRequest, tmp_path: Path) -> MiniFederation:
    # nothing listens at the base address: every node is answered in-process
    federation = federation_on_engine(request, tmp_path / "fed", ["185", "216", "214"], "http://127.0.0.1:9")
    seed_student(federation)
    return federation
