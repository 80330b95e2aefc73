"""A worker killed mid-order is replaced without loss or duplicates; concurrent orders never duplicate results."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import httpx
from sqlalchemy import func, select
from tests.factories import add_course, add_person, add_result, consent, make_federation

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.exchange import service
from vitnemal.exchange.models import ExternalResult, ExternalStudyRecord, OrderOutcome
from vitnemal.records.models import Disclosure
from vitnemal.web.app import create_app

PERSON = "01039510010"


def _seed(fed, sources=("216", "214")) -> None:
    with fed.db("185").session() as s:
        consent(s, add_person(s, PERSON))
    for code in sources:
        with fed.db(code).session() as s:
            p = add_person(s, PERSON)
            for i in range(5):
                add_result(s, p, add_course(s, f"K{code}-{i}"), 2020 + i, "VÅR", "B")


def _count(db, model) -> int:
    with db.read_session() as s:
        return int(s.scalar(select(func.count(model.id))) or 0)


def _start_worker(home, env_extra) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VITNEMAL_HOME": str(home), **env_extra}
    return subprocess.Popen([sys.executable, "-m", "vitnemal.cli", "worker", "-i", "185"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_worker_killed_mid_order_is_taken_over_with_nothing_lost_or_duplicated(tmp_path, sqlite_template) -> None:
    api_port, fast_port, slow_port = free_port(), free_port(), free_port()
    fed = make_federation(tmp_path / "fed", ["185", "216", "214"], f"http://127.0.0.1:{api_port}",
                          template=sqlite_template)
    _seed(fed)
    entries = fed.registry.institutions
    entries["216"] = replace(entries["216"], node_url=f"http://127.0.0.1:{fast_port}/nodes/216")
    entries["214"] = replace(entries["214"], node_url=f"http://127.0.0.1:{slow_port}/nodes/214")
    fed.registry.save(fed.settings.registry_path)
    slow = replace(fed.settings, inject_latency_ms="2500-2500")
    env = {"VITNEMAL_LEASE_S": "2", "VITNEMAL_POLL_INTERVAL_S": "0.1"}
    with (BackgroundServer(create_app(fed.settings, codes=["185"]), port=api_port) as api,
          BackgroundServer(create_app(fed.settings, codes=["216"]), port=fast_port),
          BackgroundServer(create_app(slow, codes=["214"]), port=slow_port)):
        headers = {"authorization": f"Bearer {fed.tokens['185']}"}
        order = httpx.post(f"{api.url}/api/institutions/185/orders", json={"national_id": PERSON},
                           headers=headers).json()
        first = _start_worker(fed.settings.home, env)
        db = fed.db("185")
        deadline = time.monotonic() + 20
        while True:  # wait until the fast node's answer is recorded, while the slow one is still out
            with db.read_session() as s:
                states = dict(s.execute(select(OrderOutcome.institution_code, OrderOutcome.state)).all())
            if states.get("216") == "final":
                break
            assert time.monotonic() < deadline, "the first worker never recorded 216"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert states["214"] == "pending"

        second = _start_worker(fed.settings.home, env)
        try:
            deadline = time.monotonic() + 30
            while order["status"] != "done":
                assert time.monotonic() < deadline, order
                time.sleep(0.1)
                order = httpx.get(f"{api.url}/api/institutions/185/orders/{order['order_id']}", headers=headers).json()
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=20)
    assert {o["institution"]: (o["outcome"], o["results"], o["attempts"]) for o in order["outcomes"]} == {
        "216": ("imported", 5, 1), "214": ("imported", 5, 1)}
    assert _count(fed.db("216"), Disclosure) == 1  # the answer already recorded was not asked for again
    assert _count(db, ExternalResult) == 10
    assert _count(db, ExternalStudyRecord) == 2


def test_two_orders_for_one_person_at_once_produce_no_duplicates(tmp_path, sqlite_template) -> None:
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["185", "216", "214"], f"http://127.0.0.1:{port}",
                          template=sqlite_template)
    _seed(fed)
    with BackgroundServer(create_app(fed.settings, with_worker=True), port=port) as server:
        headers = {"authorization": f"Bearer {fed.tokens['185']}"}
        url = f"{server.url}/api/institutions/185/orders"

        async def place_two() -> list[dict]:
            async with httpx.AsyncClient(headers=headers) as client:
                replies = await asyncio.gather(*(client.post(url, json={"national_id": PERSON}) for _ in range(2)))
                return [r.json() for r in replies]

        orders = asyncio.run(place_two())
        deadline = time.monotonic() + 20
        while any(o["status"] != "done" for o in orders):
            assert time.monotonic() < deadline
            time.sleep(0.05)
            orders = [httpx.get(f"{url}/{o['order_id']}", headers=headers).json() for o in orders]
    for o in orders:
        assert {x["institution"]: x["outcome"] for x in o["outcomes"]} == {"216": "imported", "214": "imported"}
    db = fed.db("185")
    assert _count(db, ExternalResult) == 10
    assert _count(db, ExternalStudyRecord) == 2
    with db.read_session() as s:
        assert len(service.external_records_view(s, 1)) == 2

