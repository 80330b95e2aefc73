"""The real results source: requests signed with the portal's key, sent over HTTP to real nodes, answers checked
with the exchange's own checks; a node that is down is "did not answer" and asked again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from joserfc.jwk import ECKey
from tests.factories import add_course, add_person, add_result, make_federation

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.exchange.client import HttpNodeClient
from vitnemal.exchange.outcomes import Outcome
from vitnemal.institutions.exchange_keys import generate_key, load_private_key, public_jwk
from vitnemal.institutions.registry import PORTAL_CODE, InstitutionEntry, MemberKind, Registry
from vitnemal.node.protocol import verify
from vitnemal.portal.source import ExchangeResultsSource, Owner, SourceAnswer
from vitnemal.records.models import Disclosure
from vitnemal.web.app import create_app

TESTPERSON1 = "01536112185"


def _ask(source: ExchangeResultsSource, code: str, owner: Owner) -> SourceAnswer:
    async def run() -> SourceAnswer:
        try:
            return await source.fetch(owner, code)
        finally:
            await source.client.aclose()

    return asyncio.run(run())


def test_the_request_states_the_owners_login_as_its_legal_basis() -> None:
    key = generate_key()
    registry = Registry({PORTAL_CODE: InstitutionEntry(PORTAL_CODE, "VP", "VP", "VP", "", public_jwk(key),
                                                       kind=MemberKind.PORTAL)})
    source = ExchangeResultsSource(registry, key, HttpNodeClient())
    login = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    _, token = source.request(Owner(TESTPERSON1, "T", login, "idporten-loa-substantial"), "216", login)
    signer, payload = verify(token, registry)
    assert signer == PORTAL_CODE and payload["iss"] == PORTAL_CODE and payload["aud"] == "216"
    assert payload["basis"] == "owner_login" and payload["consent"] is None and payload["disclosures"] is True
    assert payload["login"] == {"authenticated_at": login.isoformat(), "acr": "idporten-loa-substantial"}
    assert payload["subject"]["national_id"] == TESTPERSON1 and payload["subject"]["earlier_ids"] == []


def test_the_portal_asks_real_nodes_on_the_owners_login(tmp_path: Path, sqlite_template: Path) -> None:
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["185", "216"], f"http://127.0.0.1:{port}", template=sqlite_template,
                          portal=True)
    with fed.db("216").session() as s:
        add_result(s, add_person(s, TESTPERSON1, "Testperson1", "Resultatutveksling"), add_course(s, "RES-100"),
                   2014, "VÅR", "B")
    key = load_private_key(fed.settings.keys_dir / f"{PORTAL_CODE}.pem")
    owner = Owner(TESTPERSON1, "Testperson1", datetime.now(UTC), "idporten-loa-substantial")
    with BackgroundServer(create_app(fed.settings, codes=["185", "216"], pages=False), port=port):
        source = ExchangeResultsSource(fed.registry, key, HttpNodeClient(), timeout_s=10)
        assert [i.code for i in source.institutions()] == ["185", "216"]  # not the portal itself
        answer = _ask(source, "216", owner)
        again = _ask(ExchangeResultsSource(fed.registry, key, HttpNodeClient(), timeout_s=10), "216", owner)
        low = _ask(source_for(fed.registry, key), "216", Owner(TESTPERSON1, "", datetime.now(UTC), "low"))
    assert answer.outcome == Outcome.IMPORTED, answer.message
    assert [r["course_code"] for r in answer.results] == ["RES-100"]
    # The node's log of who fetched: the first fetch, "to the owner via the portal".
    assert any(d.get("basis") == "owner_login" for d in again.disclosures), again.disclosures
    # A login below "substantial" is not a legal basis: refused, nothing taken.
    assert low.outcome == Outcome.REFUSED and not low.results
    # A forged key: the node refuses the request, and nothing is taken from the reply.
    with BackgroundServer(create_app(fed.settings, codes=["216"], pages=False), port=port):
        forged = _ask(source_for(fed.registry, generate_key()), "216", owner)
    assert forged.outcome == Outcome.REFUSED and not forged.results and not forged.answered
    # Nobody listening: did not answer, asked again later.
    down = _ask(source_for(fed.registry, key, timeout_s=2), "216", owner)
    assert down.outcome == Outcome.UNAVAILABLE and down.retry and not down.answered


def source_for(registry: Registry, key: ECKey, timeout_s: float = 10) -> ExchangeResultsSource:
    return ExchangeResultsSource(registry, key, HttpNodeClient(), timeout_s=timeout_s)


def test_who_asked_is_named_by_the_registry_also_when_it_runs_no_node(tmp_path: Path, sqlite_template: Path) -> None:
    """Samordna opptak asked 216 under an admission consent: the owner reads its name, not its code."""
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["216"], f"http://127.0.0.1:{port}", template=sqlite_template,
                          portal=True, admission=True)
    with fed.db("216").session() as s:
        add_person(s, TESTPERSON1, "Testperson1", "Resultatutveksling")
        s.add(Disclosure(at=datetime.now(UTC), requester_code="so", request_id="so-1", national_id=TESTPERSON1,
                         answer="no_results"))
    key = load_private_key(fed.settings.keys_dir / f"{PORTAL_CODE}.pem")
    owner = Owner(TESTPERSON1, "Testperson1", datetime.now(UTC), "idporten-loa-substantial")
    with BackgroundServer(create_app(fed.settings, codes=["216"], pages=False), port=port):
        answer = _ask(source_for(fed.registry, key), "216", owner)
    by_so = [d for d in answer.disclosures if d["requester"] == "so"]
    assert [(d["requester_name_nb"], d["requester_name_en"]) for d in by_so] == [("Samordna opptak",) * 2]
