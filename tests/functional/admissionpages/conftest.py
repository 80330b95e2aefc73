"""A served federation (185, 216, Samordna opptak) with two admission rounds at Samordna opptak: round 1 fetched to
the end by a real worker over HTTP, round 2 started and paused before anything was asked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from tests.factories import add_course, add_degree, add_person, add_result
from tests.staff_helpers import StaffSite, staff_site

from vitnemal.admissions import roster, service
from vitnemal.admissions.applicant_list import read_csv
from vitnemal.admissions.models import RoundKind
from vitnemal.admissions.tasks import AdmissionWorker
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.records.consent import answer_admission_consent

GRADUATE = "01039510010"  # a bachelor's degree and a course at 216
NOTHING = "19588312510"  # consented, holds nothing anywhere
NO_CONSENT = "01536112185"  # never answered the question
OFFICER = "opptak@samordnaopptak.no"


@dataclass
class Rounds:
    site: StaffSite
    done: int  # fetched to the end
    paused: int  # paused before anything was asked

    def applicant_id(self, round_id: int, national_id: str) -> int:
        with self.site.db("so").read_session() as s:
            found = roster.find_applicant(s, round_id, national_id)
            assert found is not None
            return found.id


def start_round_at_so(site: StaffSite, text: str, name: str) -> int:
    with site.db("so").session() as s:
        return service.start_round(s, requester="so", kind=RoundKind.SAMORDNA_OPPTAK, name=name,
                                   lines=read_csv(text.encode()), institutions=site.fed.registry.codes(),
                                   started_by=OFFICER, source="søkere.csv", now=datetime.now(UTC)).round_id


def work_at_so(site: StaffSite) -> None:
    host = LocalInstitutions.open(site.fed.settings, ["so"])
    try:
        asyncio.run(AdmissionWorker(host, "so").run(asyncio.Event(), until_idle=True))
    finally:
        host.close()


def seed_applicants(site: StaffSite) -> None:
    """GRADUATE's degree and courses at 216; GRADUATE and NOTHING consent at Samordna opptak."""
    with site.db("216").session() as s:
        person = add_person(s, GRADUATE, "Kari", "Nordmann")
        course = add_course(s, "ORG-101", "15")
        result = add_result(s, person, course, 2021, "HØST", "B")
        add_degree(s, person, "BA-ORG", [result], awarded=date(2022, 6, 20), issued=date(2022, 6, 25))
        add_result(s, person, add_course(s, "EX-100", "10"), 2020, "VÅR", "A")
    with site.db("so").session() as s:
        for pid in (GRADUATE, NOTHING):
            answer_admission_consent(s, pid, True, actor=f"applicant:{pid}")


@pytest.fixture(scope="module")
def rounds(tmp_path_factory, sqlite_template) -> Iterator[Rounds]:
    with staff_site(tmp_path_factory.mktemp("rounds") / "fed", sqlite_template, admission=True) as site:
        seed_applicants(site)
        bad = GRADUATE[:10] + str((int(GRADUATE[10]) + 1) % 10)
        done = start_round_at_so(site, f"fodselsnummer;referanse;fornavn;etternavn\n{GRADUATE};S-1;Kari;Nordmann\n"
                                 f"{NOTHING};S-2;Ola;Nordmann\n{bad};S-3;Per;Hansen\n{NO_CONSENT};S-4;Eva;Berg\n",
                                 "Hovedopptak 2027")
        work_at_so(site)
        paused = start_round_at_so(site, f"fodselsnummer;referanse\n{GRADUATE};T-1\n", "Suppleringsopptak 2027")
        with site.db("so").session() as s:
            service.pause_round(s, paused, by=OFFICER, now=datetime.now(UTC))
        yield Rounds(site, done, paused)
