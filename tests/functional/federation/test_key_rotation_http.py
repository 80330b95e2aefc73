"""Issue 13 #7: the operator rotates keys, retires the old one and takes a member out while a node runs, and real
signed requests and answers over real HTTP show what is accepted when: either key during the overlap, only the
new one after, nothing from a member taken out. Every change is in the operator's log."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tests.factories import add_course, add_person, add_result, consent, make_federation
from typer.testing import CliRunner

from vitnemal.audit.models import AuditEvent
from vitnemal.cli import app
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.exchange.outcomes import Outcome, Reply, classify
from vitnemal.institutions.exchange_keys import load_private_key
from vitnemal.institutions.registry import Registry
from vitnemal.node.protocol import ConsentClaim, ResultsRequest, Subject, new_request_id, sign
from vitnemal.web.app import create_app

PERSON = "01039510010"
runner = CliRunner()


def _env(home: Path) -> dict[str, str]:
    return {"VITNEMAL_HOME": str(home), "VITNEMAL_DATABASE_URL": "", "VITNEMAL_PUBLIC_URL": ""}


def _cli(home: Path, *args: str) -> str:
    result = runner.invoke(app, ["federation", *args], env=_env(home))
    assert result.exit_code == 0, result.output
    return result.output


def _request(requester: str = "185") -> ResultsRequest:
    now = datetime.now(UTC)
    return ResultsRequest(requester=requester, node="216", request_id=new_request_id(),
                          issued_at=int(now.timestamp()), fetch_date=now.date().isoformat(), subject=Subject(PERSON),
                          consent=ConsentClaim("RESUTVEKSL", "J", "2026-08-15T12:00:00+00:00", requester))


def _ask(url: str, request: ResultsRequest, key: object, registry_path: Path) -> tuple[int, str, Outcome]:
    """POST the request signed with ``key`` to node 216; return the status, the refusal reason (if any) and the
    outcome the requester records for the reply, checked against the registry as it is now."""
    reply = httpx.post(f"{url}/nodes/216/exchange/v1/results", content=sign(request.payload(), "185", key),
                       timeout=10)
    reason = reply.json()["detail"]["error"] if reply.status_code >= 400 else ""
    verdict = classify(Reply(reply.status_code, reply.content, None, 1), node="216", requester="185",
                       request_id=request.request_id, subject_ids=(PERSON,),
                       registry=Registry.load(registry_path), fetch_date=datetime.now(UTC).date())
    return reply.status_code, reason, verdict.outcome


@pytest.fixture
def running(tmp_path: Path, sqlite_template: Path):  # type: ignore[no-untyped-def]
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["185", "216"], f"http://127.0.0.1:{port}", template=sqlite_template,
                          portal=True)
    with fed.db("216").session() as s:
        add_result(s, add_person(s, PERSON), add_course(s, "RES-100"), 2014, "VÅR", "B")
    with fed.db("185").session() as s:
        consent(s, add_person(s, PERSON))
    with BackgroundServer(create_app(fed.settings, codes=["216"], pages=False), port=port) as server:
        yield fed, server.url


def test_rotation_overlap_retire_and_take_out_over_real_http(running) -> None:  # type: ignore[no-untyped-def]
    fed, url = running
    home, registry_path = fed.settings.home, fed.settings.registry_path
    old_185 = load_private_key(home / "keys" / "185.pem")
    assert _ask(url, _request(), old_185, registry_path)[2] is Outcome.IMPORTED

    # 185 (a requester) rotates; the running node reads the new registry without a restart.
    shown = _cli(home, "rotate-key", "185", "--generate-key", "--overlap", "2h")
    assert "Begge nøklene godtas" in shown
    new_185 = load_private_key(home / "keys" / "185.pem")
    assert new_185.thumbprint() != old_185.thumbprint()
    assert _ask(url, _request(), old_185, registry_path)[:2] == (200, "")  # the old key, during the overlap
    assert _ask(url, _request(), new_185, registry_path)[2] is Outcome.IMPORTED  # the new key at once

    # 216 (the node) rotates: the running node signs with its new key file, the requester accepts it, and an
    # answer signed with 216's old key still verifies during the overlap.
    old_216 = load_private_key(home / "keys" / "216.pem")
    _cli(home, "rotate-key", "216", "--generate-key", "--overlap", "2h")
    request = _request()
    reply = httpx.post(f"{url}/nodes/216/exchange/v1/results", content=sign(request.payload(), "185", new_185))
    assert reply.status_code == 200
    registry = Registry.load(registry_path)
    assert classify(Reply(200, reply.content, None, 1), node="216", requester="185", request_id=request.request_id,
                    subject_ids=(PERSON,), registry=registry, fetch_date=datetime.now(UTC).date()
                    ).outcome is Outcome.IMPORTED
    from vitnemal.node.protocol import parse_answer, verify

    _, payload = verify(reply.content, registry, expected_signer="216")
    old_signed = sign(parse_answer(payload).payload(), "216", old_216).encode()
    assert classify(Reply(200, old_signed, None, 1), node="216", requester="185", request_id=request.request_id,
                    subject_ids=(PERSON,), registry=registry, fetch_date=datetime.now(UTC).date()
                    ).outcome is Outcome.IMPORTED

    # The overlap ends: only the new keys verify, whichever side signed.
    _cli(home, "retire-key", "185")
    _cli(home, "retire-key", "216")
    status, reason, outcome = _ask(url, _request(), old_185, registry_path)
    assert (status, reason, outcome) == (401, "bad_signature", Outcome.REFUSED)
    assert _ask(url, _request(), new_185, registry_path)[2] is Outcome.IMPORTED
    assert classify(Reply(200, old_signed, None, 1), node="216", requester="185", request_id=request.request_id,
                    subject_ids=(PERSON,), registry=Registry.load(registry_path),
                    fetch_date=datetime.now(UTC).date()).outcome is Outcome.INVALID_ANSWER

    # 185 is taken out: its requests are refused, its name is kept, orders no longer ask it.
    _cli(home, "take-out", "185", "--reason", "Institusjonen er slått sammen med en annen", "--yes")
    assert _ask(url, _request(), new_185, registry_path)[:2] == (401, "withdrawn")
    kept = Registry.load(registry_path)
    assert kept.get("185").name_nb == "Universitetet i Oslo" and "185" not in kept.codes()
    assert "Tatt ut" in _cli(home, "show", "185")
    listed = {row["code"]: row for row in json.loads(_cli(home, "list", "--json"))}
    assert listed["185"]["withdrawn_at"] and listed["185"]["name"] == "Universitetet i Oslo"

    log = json.loads(_cli(home, "log", "--json"))
    assert [e["action"] for e in log] == ["federation.taken_out", "federation.key_retired", "federation.key_retired",
                                         "federation.key_rotated", "federation.key_rotated"]
    assert {e["actor"] for e in log} == {getpass.getuser()}
    assert log[0]["reason"].startswith("Institusjonen er slått sammen") and log[-1]["institution"] == "185"


def test_connection_test_asks_the_three_questions(running) -> None:  # type: ignore[no-untyped-def]
    fed, _ = running
    home = fed.settings.home
    out = _cli(home, "test", "216", "--as", "185", "--person", PERSON)
    assert "1. Deler denne institusjonen resultater? Ja." in out
    assert "2. Har studenten gitt samtykke til henting av resultater? Ja." in out
    assert ("3. Har denne institusjonen beståtte resultater for den gitte studenten? Ja. Resultater: 1, "
            "kvalifikasjoner: 0.") in out
    # The node's answer is a disclosure about the test person: it is in 185's own audit log (review R9).
    with fed.db("185").read_session() as s:
        events = [(e.subject_national_id, json.loads(e.detail or "{}")) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action == "federation.connection_test_fetched"))]
    assert events == [
        (PERSON, {"institution": "216", "outcome": "imported", "results": 1, "qualifications": 0})]
    # Without a consent at the requester, question 2 is really asked, and answered no.
    with fed.db("185").session() as s:
        add_person(s, "15076500565")
    nope = json.loads(_cli(home, "test", "216", "--as", "185", "--person", "15076500565", "--json"))
    assert nope["answers"] == ["yes", "no", "not_asked"] and nope["outcome"] == "no_consent"
    english = _cli(home, "test", "216", "--as", "185", "--person", "15076500565", "--lang", "en")
    assert "2. Has the student consented to fetching results? No. The test person has not consented" in english
    # A registered node that nobody serves answers nothing: said in words, exit 1.
    _cli(home, "register", "999", "--name", "Høgskolen i Ingensteds", "--name-en", "Nowhere University College",
         "--short-name", "HiI", "--endpoint", f"http://127.0.0.1:{free_port()}/nodes/999", "--generate-key")
    down = runner.invoke(app, ["federation", "test", "999", "--as", "185", "--person", PERSON], env=_env(home))
    assert down.exit_code == 1 and "svarte ikke på endepunktet" in down.output and "Ikke spurt" in down.output
    assert len(Registry.load(fed.settings.registry_path)) == 4  # 185, 216, the portal and 999
    actions = [e["action"] for e in json.loads(_cli(home, "log", "--json", "-i", "999"))]
    assert actions == ["federation.connection_tested", "federation.registered"]


def test_operator_mistakes_are_refused_with_what_to_do(tmp_path: Path, sqlite_template: Path) -> None:
    fed = make_federation(tmp_path / "fed", ["185", "216"], "http://127.0.0.1:9", template=sqlite_template)
    home = fed.settings.home
    before = fed.settings.registry_path.read_bytes()
    private = tmp_path / "private.pem"
    private.write_bytes(load_private_key(home / "keys" / "185.pem").as_pem(private=True))
    huge = tmp_path / "huge.pem"
    huge.write_bytes(b"-" * 1_000_000)
    base = ["register", "300", "--name", "Ny høgskole", "--name-en", "New College", "--short-name", "NH"]
    cases = [
        ([*base, "--endpoint", "https://n.example.no/nodes/300", "--key", str(private)], "private key"),
        ([*base, "--endpoint", "https://n.example.no/nodes/300", "--key", str(huge)], "public key only"),
        ([*base, "--endpoint", "javascript:alert(1)", "--generate-key"], "https or http URL"),
        ([*base, "--endpoint", "https://n.example.no/nodes/300"], "--key FIL, eller --generate-key"),
        (["register", "185", "--name", "X", "--name-en", "X", "--short-name", "X", "--endpoint",
          "https://n.example.no/nodes/185", "--generate-key"], "rotate-key 185"),
        (["rotate-key", "777", "--generate-key"], "Unknown institution code '777'"),
        (["rotate-key", "185", "--generate-key", "--overlap", "40d"], "at most 30 days"),
        (["retire-key", "185"], "no previous key to retire"),
    ]
    for args, said in cases:
        result = runner.invoke(app, ["federation", *args], env=_env(home))
        assert result.exit_code == 1 and said in result.output and "Traceback" not in result.output, (args,
                                                                                                       result.output)
    assert fed.settings.registry_path.read_bytes() == before  # nothing half-written
    _cli(home, "rotate-key", "185", "--generate-key")
    again = runner.invoke(app, ["federation", "rotate-key", "185", "--generate-key"], env=_env(home))
    assert again.exit_code == 1 and "retire-key 185" in again.output
    _cli(home, "take-out", "216", "--reason", "Nedlagt", "--yes")
    reuse = runner.invoke(app, ["federation", "register", "216", "--name", "Ny", "--name-en", "New", "--short-name",
                                "N", "--endpoint", "https://n.example.no/nodes/216", "--generate-key"],
                          env=_env(home))
    assert reuse.exit_code == 1 and "codes are not reused" in reuse.output
