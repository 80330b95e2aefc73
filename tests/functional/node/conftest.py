"""Node test fixtures: a federation (185, 216, the portal and Samordna opptak) and node 216 reachable over both
request paths."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from tests.factories import MiniFederation, add_course, add_person, add_result, make_federation

from vitnemal.devtools.server import BackgroundServer
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.node.protocol import PATH
from vitnemal.node.routes import database_limiter
from vitnemal.recognition.local_exchange import LocalNodeClient
from vitnemal.web.app import create_app

PERSON = "01039510010"


@dataclass(frozen=True)
class Reply:
    """What a requester got back, from either path."""

    status_code: int
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text)


class NodePath:
    """One way of asking node 216: over HTTP, or in-process through recognition's LocalNodeClient (issue 12 #1:
    the same handle_request serves both, and every node test runs against each)."""

    def __init__(self, kind: str, fed: MiniFederation, server: BackgroundServer) -> None:
        self.kind, self.fed, self.server = kind, fed, server
        self.url = server.url

    def post(self, body: str, path: str = PATH) -> Reply:
        """Post to node 216's ``path``: the single question, or (``BATCH_PATH``) an admission's batch question."""
        if self.kind == "http":
            r = httpx.post(f"{self.url}/nodes/216/{path}", content=body.encode(), timeout=10)
            return Reply(r.status_code, r.text, dict(r.headers))
        host = LocalInstitutions.open(self.fed.settings, codes=["216"])
        client = LocalNodeClient(host, database_limiter(self.fed.settings))
        try:
            got = asyncio.run(client.send(self.fed.registry.get("216").node_url, body, 10, path))
        finally:
            asyncio.run(client.aclose())
            host.close()
        assert got.status_code is not None, got.error
        return Reply(got.status_code, got.body.decode(), {})


MakeNode = Callable[..., tuple[MiniFederation, NodePath]]


@pytest.fixture(params=["http", "in_process"])
def make_node(request, tmp_path, sqlite_template) -> Iterator[MakeNode]:
    """Make the federation with the given settings changes; 216 holds PERSON's RES-100."""
    from vitnemal.devtools.postgres import free_port

    servers: list[BackgroundServer] = []

    def make(**settings: Any) -> tuple[MiniFederation, NodePath]:
        port = free_port()
        fed = make_federation(tmp_path / f"fed{len(servers)}", ["185", "216"], f"http://127.0.0.1:{port}",
                              template=sqlite_template, portal=True, admission=True)
        fed.settings = replace(fed.settings, **settings)
        with fed.db("216").session() as s:
            add_result(s, add_person(s, PERSON), add_course(s, "RES-100"), 2014, "VÅR", "B")
        server = BackgroundServer(create_app(fed.settings, codes=["216"]), port=port).__enter__()
        servers.append(server)
        return fed, NodePath(request.param, fed, server)

    yield make
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def node(make_node: MakeNode) -> tuple[MiniFederation, NodePath]:
    return make_node()
