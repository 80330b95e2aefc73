"""On PostgreSQL several workers share one queue: every order runs once, every node is asked once per order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from tests.factories import add_course, add_person, add_result, consent, make_federation

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.exchange import service
from vitnemal.exchange.models import ExternalResult, OrderOutcome, ResultsOrder
from vitnemal.exchange.worker import Worker
from vitnemal.identity.national_id import make_national_id
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.records.models import Disclosure
from vitnemal.web.app import create_app

pytestmark = pytest.mark.postgres
SOURCES = ["216", "214", "184", "194", "186"]


def test_three_workers_share_the_queue(tmp_path, pg_server) -> None:
    port = free_port()
    prefix = f"w{port}_"
    fed = make_federation(
        tmp_path / "fed", ["185", *SOURCES], f"http://127.0.0.1:{port}",
        database_url=pg_server.url(prefix + "{code}"),
        create_db=lambda code: pg_server.create_database(prefix + code, template="template_vitnemal"),
    )
    people = [n for i in range(100, 160) if (n := make_national_id(datetime(1990, 5, 17).date(), i))][:24]
    with fed.db("185").session() as s:
        for n in people:
            consent(s, add_person(s, n))
    for code in SOURCES:
        with fed.db(code).session() as s:
            course = add_course(s, f"C{code}")
            for n in people:
                add_result(s, add_person(s, n), course, 2022, "HØST", "A")
    with fed.db("185").session() as s:
        for n in people:
            service.place_order(s, national_id=n, ordered_by="t", own_code="185", members=fed.registry.codes(),
                                now=datetime.now(UTC))

    async def run_workers() -> list[int]:
        host = LocalInstitutions.open(fed.settings, ["185"])
        workers = [Worker(host, concurrency=4, name=f"w{i}") for i in range(3)]
        counts = [0, 0, 0]
        for _ in range(200):
            started = await asyncio.gather(*(w.run_once() for w in workers))
            counts = [c + s for c, s in zip(counts, started, strict=True)]
            await asyncio.sleep(0.05)
            with fed.db("185").read_session() as s:
                left = s.scalar(select(func.count(ResultsOrder.id)).where(ResultsOrder.status != "done"))
            if not left:
                break
        for w in workers:
            await w.drain()
            await w.client.aclose()
        host.close()
        return counts

    with BackgroundServer(create_app(fed.settings, codes=SOURCES), port=port):
        counts = asyncio.run(run_workers())
    assert sum(counts) == len(people)  # every order was claimed exactly once
    assert sum(1 for c in counts if c) >= 2  # and the work really was shared
    with fed.db("185").read_session() as s:
        assert s.scalar(select(func.count(ResultsOrder.id)).where(ResultsOrder.status == "done")) == len(people)
        assert set(s.scalars(select(OrderOutcome.outcome)).all()) == {"imported"}
        assert s.scalar(select(func.count(ExternalResult.id))) == len(people) * len(SOURCES)
    for code in SOURCES:
        with fed.db(code).read_session() as s:
            assert s.scalar(select(func.count(Disclosure.id))) == len(people)
