"""A small federation with Samordna opptak (``so``) and a few institutions whose nodes answer over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.factories import ENGINES, MiniFederation, add_course, add_person, add_result, make_federation

from vitnemal.admissions import service
from vitnemal.admissions.applicant_list import read_csv
from vitnemal.admissions.models import RoundKind
from vitnemal.admissions.tasks import AdmissionWorker
from vitnemal.devtools import postgres
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.exchange.client import NodeClient
from vitnemal.identity.national_id import make_national_id
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.records.consent import answer_admission_consent
from vitnemal.records.models import Disclosure
from vitnemal.web.app import create_app

SO = "so"
SOURCES = ["216", "214", "185"]
_count = iter(range(10**6))


def people(n: int, born: date = date(1999, 4, 20)) -> list[str]:
    ids = [nid for i in range(100, 499) if (nid := make_national_id(born, i))]
    return ids[:n]


@dataclass
class Admission:
    fed: MiniFederation
    server: BackgroundServer

    def consent(self, national_id: str, yes: bool = True) -> None:
        with self.fed.db(SO).session() as s:
            answer_admission_consent(s, national_id, yes, actor=f"applicant:{national_id}")

    def start(self, csv_text: str, name: str = "Hovedopptak") -> service.RoundStarted:
        with self.fed.db(SO).session() as s:
            return service.start_round(s, requester=SO, kind=RoundKind.SAMORDNA_OPPTAK, name=name,
                                       lines=read_csv(csv_text.encode()), institutions=self.fed.registry.codes(),
                                       started_by="opptak@samordnaopptak.no", source="list.csv",
                                       now=datetime.now(UTC))

    def host(self, **settings: Any) -> LocalInstitutions:
        s = replace(self.fed.settings, **settings) if settings else self.fed.settings
        return LocalInstitutions.open(s, [SO])

    def work(self, workers: int = 1, client: Callable[[], NodeClient] | None = None,
             **settings: Any) -> list[AdmissionWorker]:
        """Run ``workers`` admission workers until nothing is left to claim; return them (for their figures)."""
        host = self.host(**settings)
        made = [AdmissionWorker(host, SO, client() if client else None, name=f"w{i}-{next(_count)}")
                for i in range(workers)]

        async def run() -> None:
            stop = asyncio.Event()
            await asyncio.gather(*(w.run(stop, until_idle=True) for w in made))

        try:
            asyncio.run(run())
        finally:
            host.close()
        return made

    def disclosures(self, code: str, national_id: str | None = None) -> int:
        with self.fed.db(code).read_session() as s:
            query = select(func.count(Disclosure.id)).where(Disclosure.requester_code == SO)
            if national_id:
                query = query.where(Disclosure.national_id == national_id)
            return s.scalar(query) or 0


def seed_sources(fed: MiniFederation, applicants: list[str]) -> None:
    """Each applicant has one course at each source (10 credits, grade B), and at 216 a bachelor's degree."""
    from tests.factories import add_degree

    for code in SOURCES:
        with fed.db(code).session() as s:
            course = add_course(s, f"C{code}")
            for n in applicants:
                person = add_person(s, n)
                result = add_result(s, person, course, 2021, "HØST", "B")
                if code == "216":
                    add_degree(s, person, "BA-X", [result], level="bachelor", awarded=date(2022, 6, 20),
                               issued=date(2022, 6, 25))


@pytest.fixture(params=ENGINES)
def admission(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[list[str]], Admission]]:
    started: list[Admission] = []

    def start(applicants: list[str]) -> Admission:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        codes = SOURCES
        if request.param == "postgresql":
            pg: postgres.ThrowawayPostgres = request.getfixturevalue("pg_server")
            prefix = f"adm{port}_"
            fed = make_federation(tmp_path / "fed", codes, base, database_url=pg.url(prefix + "{code}"),
                                  create_db=lambda c: pg.create_database(prefix + c, template="template_vitnemal"),
                                  admission=True)
        else:
            fed = make_federation(tmp_path / "fed", codes, base, template=request.getfixturevalue("sqlite_template"),
                                  admission=True)
        seed_sources(fed, applicants)
        server = BackgroundServer(create_app(fed.settings, codes=SOURCES), port=port).start()
        live = Admission(fed, server)
        started.append(live)
        return live

    yield start
    for live in started:
        live.server.stop()
