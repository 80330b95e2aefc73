"""Issue 8 #13: one node of a running federation goes down and up again (`vitnemal demo stop-node` / `start-node`)
and the seed's first failure reason is seen from the CLI: the order records the institution as unavailable, says
when it is asked again, exits 3; once the node is up the retry imports its results. Real HTTP, real worker."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import httpx
from tests.factories import add_course, add_person, add_result, consent, make_federation
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.web.app import create_app

PERSON = "01039510010"
runner = CliRunner()


def _run(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"VITNEMAL_HOME": str(home), "VITNEMAL_DATABASE_URL": ""})
    return result.exit_code, result.output


def test_a_stopped_node_is_unavailable_retried_and_answers_when_started(tmp_path: Path,
                                                                        sqlite_template: Path) -> None:
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["185", "216", "214"], f"http://127.0.0.1:{port}",
                          template=sqlite_template)
    home = fed.settings.home
    with fed.db("216").session() as s:
        add_result(s, add_person(s, PERSON), add_course(s, "RES-100"), 2014, "VÅR", "B")
    with fed.db("185").session() as s:
        consent(s, add_person(s, PERSON))
    # Retried after 2 s instead of a day, so the retry is seen here; the rule is the same.
    settings = replace(fed.settings, retry_after_s=2.0)
    api = ["--api", f"http://127.0.0.1:{port}", "--token", fed.tokens["185"]]
    with BackgroundServer(create_app(settings, with_worker=True), port=port):
        code, out = _run(home, "demo", "stop-node", "216")
        assert code == 0 and "stoppet" in out and "start-node 216" in out
        assert json.loads(_run(home, "demo", "nodes", "--json")[1]).keys() == {"216"}
        node = httpx.post(f"http://127.0.0.1:{port}/nodes/216/exchange/v1/results", content=b"x")
        assert node.status_code == 503 and node.json()["detail"]["error"] == "node_down"

        code, out = _run(home, "exchange", "order", PERSON, "--for", "185", "--wait", *api)
        assert code == 3, out  # waits for a retry: the documented exit code
        assert "svarte ikke" in out and "spørres automatisk på nytt" in out, out
        code, out = _run(home, "exchange", "order", PERSON, "--for", "185", "--wait", "--json", *api)
        order = json.loads(out)
        by = {o["institution"]: o for o in order["outcomes"]}
        assert order["status"] == "waiting" and by["216"]["outcome"] == "unavailable"
        assert by["214"]["outcome"] == "no_results"  # the nodes that are up answered as always

        assert _run(home, "demo", "start-node", "216")[0] == 0
        assert _run(home, "demo", "nodes")[1].strip() == "Ingen noder er stoppet."
        deadline = time.monotonic() + 60
        while True:
            code, out = _run(home, "exchange", "status", str(order["order_id"]), "--for", "185", "--json", *api)
            status = json.loads(out)
            if status["status"] == "done" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        by = {o["institution"]: o for o in status["outcomes"]}
        assert status["status"] == "done" and (by["216"]["outcome"], by["216"]["results"]) == ("imported", 1)


def test_stop_node_refuses_an_unknown_institution(tmp_path: Path, sqlite_template: Path) -> None:
    fed = make_federation(tmp_path / "fed", ["185"], "http://127.0.0.1:9", template=sqlite_template)
    code, out = _run(fed.settings.home, "demo", "stop-node", "999")
    assert code == 1 and "Feil: Ukjent institusjon 999: den finnes ikke i føderasjonsregisteret" in out, out


def test_the_portal_sees_a_stopped_node_as_not_answering_and_asks_again(tmp_path: Path,
                                                                         sqlite_template: Path) -> None:
    import asyncio
    from datetime import UTC, datetime

    from vitnemal.exchange.client import HttpNodeClient
    from vitnemal.institutions.exchange_keys import load_private_key
    from vitnemal.institutions.registry import PORTAL_CODE, LiveRegistry
    from vitnemal.portal.source import ExchangeResultsSource, Owner

    port = free_port()
    fed = make_federation(tmp_path / "fed", ["185", "216"], f"http://127.0.0.1:{port}", template=sqlite_template,
                          portal=True)
    with fed.db("216").session() as s:
        add_result(s, add_person(s, PERSON), add_course(s, "RES-100"), 2014, "VÅR", "B")
    owner = Owner(PERSON, "Kari", datetime.now(UTC), "idporten-loa-substantial")
    source = ExchangeResultsSource(LiveRegistry(fed.settings.registry_path),
                                   load_private_key(fed.settings.keys_dir / f"{PORTAL_CODE}.pem"), HttpNodeClient())

    async def ask_twice() -> list[tuple[str, bool]]:
        answers = []
        try:
            for command in ("stop-node", "start-node"):
                assert _run(fed.settings.home, "demo", command, "216")[0] == 0
                answer = await source.fetch(owner, "216")
                answers.append((answer.outcome, answer.retry))
        finally:
            await source.client.aclose()
        return answers

    with BackgroundServer(create_app(fed.settings, codes=["216"], pages=False), port=port):
        assert asyncio.run(ask_twice()) == [("unavailable", True), ("imported", False)]
