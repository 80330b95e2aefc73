"""Two portal processes on one PostgreSQL never deliver one webhook twice: a delivery is claimed
``FOR UPDATE SKIP LOCKED`` and leased, so a second claimer skips what the first holds, and a drain by two real
processes at once sends every webhook exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response

from vitnemal.db import Database
from vitnemal.devtools.server import BackgroundServer
from vitnemal.emrex import clients, webhooks

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
KEY = {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
       "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}


def _platforms(db: Database, url: str, platforms: int, each: int) -> None:
    with db.session() as s:
        for p in range(platforms):
            clients.add_client(s, client_id=f"w-{p}", name=f"w{p}", kind="emrex2", urls=[f"https://w{p}.example/cb"],
                               contact_email="a@b.no", now=NOW, actor="test", production=False,
                               jwks={"keys": [{**KEY, "kid": f"w{p}"}]}, webhook_url=f"{url}/hook")
            pk = clients.client_pk(s, f"w-{p}") or 0
            for i in range(each):
                webhooks.enqueue(s, pk, "transfer.created", {"transfer": f"{p}-{i}"}, NOW - timedelta(minutes=1))


@pytest.fixture
def pg(make_db_url: Any) -> Any:
    db = Database(make_db_url("postgresql"))
    yield db
    db.dispose()


def test_a_second_claimer_skips_what_the_first_holds(pg: Database) -> None:
    _platforms(pg, "http://127.0.0.1:9", platforms=4, each=2)
    first_holds = threading.Event()
    done = threading.Event()
    taken: dict[str, list[int]] = {}

    def first() -> None:
        with pg.session() as s:  # its transaction stays open (the rows locked) until the second has claimed
            taken["first"] = [d.id for d in webhooks.claim(s, NOW)]
            first_holds.set()
            done.wait(30)

    holder = threading.Thread(target=first)
    holder.start()
    try:
        assert first_holds.wait(30)
        with pg.session() as s:
            taken["second"] = [d.id for d in webhooks.claim(s, NOW)]
    finally:
        done.set()
        holder.join(30)
    assert len(taken["first"]) == 8
    assert taken["second"] == []  # without the lock it read the same 8 as due (not yet leased) and sent them too
    with pg.session() as s:  # and once the first has committed its lease, nothing is due either
        assert webhooks.claim(s, NOW) == []


DRAIN = """
import asyncio, sys
from datetime import datetime, UTC
from vitnemal.db import Database
from vitnemal.emrex import webhooks
db = Database(sys.argv[1])
now = datetime.fromisoformat(sys.argv[2])
sys.stdin.readline()  # both processes start together
while asyncio.run(webhooks.deliver_due(db, b"k" * 32, lambda: now)):
    pass
db.dispose()
"""


def test_two_processes_draining_at_once_send_each_webhook_once(pg: Database) -> None:
    got: list[str] = []
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        got.append(json.loads(await request.body())["id"])
        return Response(status_code=204)

    with BackgroundServer(app) as receiver:
        _platforms(pg, receiver.url, platforms=12, each=9)  # 108 webhooks, 3 of each platform a round
        drains = [subprocess.Popen([sys.executable, "-c", DRAIN, pg.url, NOW.isoformat()], stdin=subprocess.PIPE)
                  for _ in range(2)]
        for drain in drains:
            assert drain.stdin is not None
            drain.stdin.write(b"go\n")
            drain.stdin.close()
        assert [d.wait(120) for d in drains] == [0, 0]
    counts = Counter(got)
    assert len(counts) == 12 * 9 and set(counts.values()) == {1}, counts.most_common(3)
