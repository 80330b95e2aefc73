"""A small federation served over real HTTP by uvicorn, with the worker running inside the server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.factories import ENGINES, MiniFederation, federation_on_engine

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.web.app import create_app


@dataclass
class LiveFederation:
    fed: MiniFederation
    server: BackgroundServer
    http: httpx.Client

    def api(self, code: str) -> httpx.Client:
        return httpx.Client(base_url=f"{self.server.url}/api/institutions/{code}",
                            headers={"authorization": f"Bearer {self.fed.tokens[code]}"}, timeout=30)

    def order(self, code: str, national_id: str, wait: bool = True) -> dict[str, Any]:
        with self.api(code) as api:
            response = api.post("/orders", json={"national_id": national_id})
            assert response.status_code == 201, response.text
            order = response.json()
            deadline = time.monotonic() + 30
            while wait and order["status"] in ("queued", "running"):
                assert time.monotonic() < deadline, order
                time.sleep(0.05)
                order = api.get(f"/orders/{order['order_id']}").json()
            return order


def outcomes(order: dict[str, Any]) -> dict[str, tuple[str, int]]:
    return {o["institution"]: (o["outcome"], o["results"]) for o in order["outcomes"]}


@pytest.fixture(params=ENGINES)
def live_federation(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., LiveFederation]]:
    """Start a federation of the given codes, seeded by a callback, on SQLite and again on PostgreSQL."""
    started: list[LiveFederation] = []

    def start(codes: list[str], seed: Callable[[MiniFederation], None], **settings: Any) -> LiveFederation:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        fed = federation_on_engine(request, tmp_path / "fed", codes, base)
        seed(fed)
        if settings:
            from dataclasses import replace

            fed.settings = replace(fed.settings, **settings)
        server = BackgroundServer(create_app(fed.settings, with_worker=True), port=port).start()
        live = LiveFederation(fed, server, httpx.Client(base_url=server.url))
        started.append(live)
        return live

    yield start
    for live in started:
        live.http.close()
        live.server.stop()
