"""The real results source: requests signed with the portal's key, sent over HTTP to real nodes, answers checked
with the exchange's own checks; a node that is down is "did not answer" and asked again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from tests.factories import add_course, add_person, add_result, make_federation

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.exchange.client import HttpNodeClient
from vitnemal.exchange.outcomes import Outcome
from vitnemal.institutions.keys import generate_key, public_jwk, save_private_key
from vitnemal.institutions.registry import InstitutionEntry, Registry
from vitnemal.node.protocol import verify
from vitnemal.portal.source import PORTAL_CODE, ExchangeResultsSource, Owner, SourceAnswer
from vitnemal.web.app import create_app

TESTPERSON1 = "01536112185"


def _ask(source: ExchangeResultsSource, code: str) -> SourceAnswer:
    async def run() -> SourceAnswer:
        try:
            return await source.fetch(Owner(TESTPERSON1, "Testperson1"), code)
        finally:
            await source.client.aclose()

    return asyncio.run(run())


def test_the_request_states_the_owners_login_as_its_legal_basis() -> None:
    key = generate_key()
    registry = Registry({PORTAL_CODE: InstitutionEntry(PORTAL_CODE, "VP", "VP", "VP", "", public_jwk(key))})
    source = ExchangeResultsSource(registry, key, HttpNodeClient())
    login = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    _, token = source.request(Owner(TESTPERSON1, "T", login, "idporten-loa-substantial"), "216", login)
    signer, payload = verify(token, registry)
    assert signer == PORTAL_CODE and payload["iss"] == PORTAL_CODE and payload["aud"] == "216"
    assert payload["basis"] == "owner_login" and payload["consent"] is None and payload["disclosures"] is True
    assert payload["login"] == {"authenticated_at": login.isoformat(), "acr": "idporten-loa-substantial"}
    assert payload["subject"]["national_id"] == TESTPERSON1 and payload["subject"]["earlier_ids"] == []


def test_the_portal_asks_real_nodes_with_its_own_key(tmp_path: Path, sqlite_template: Path) -> None:
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["185", "216"], f"http://127.0.0.1:{port}", template=sqlite_template)
    with fed.db("216").session() as s:
        add_result(s, add_person(s, TESTPERSON1, "Testperson1", "Resultatutveksling"), add_course(s, "RES-100"),
                   2014, "VÅR", "B")
    key = generate_key()
    save_private_key(key, fed.settings.keys_dir / f"{PORTAL_CODE}.pem")
    registry = Registry({**fed.registry.institutions, PORTAL_CODE: InstitutionEntry(
        PORTAL_CODE, "Vitnemålsportalen", "Vitnemålsportalen", "VP", "", public_jwk(key))})
    registry.save(fed.settings.registry_path)
    with BackgroundServer(create_app(fed.settings, codes=["185", "216"], pages=False), port=port):
        source = ExchangeResultsSource(registry, key, HttpNodeClient(), timeout_s=10)
        assert [i.code for i in source.institutions()] == ["185", "216"]
        answer = _ask(source, "216")
    # The node verified the portal's signature and answered with its own signed answer, which the portal checked:
    # neither refused nor rejected. Until the nodes accept the owner's login as legal basis they answer that
    # consent is missing; then they answer with the results.
    assert answer.outcome in (Outcome.NO_CONSENT, Outcome.IMPORTED), answer.message
    if answer.outcome == Outcome.IMPORTED:
        assert [r["course_code"] for r in answer.results] == ["RES-100"]
    # A forged key: the node refuses the request, and nothing is taken from the reply.
    with BackgroundServer(create_app(fed.settings, codes=["216"], pages=False), port=port):
        forged = _ask(ExchangeResultsSource(registry, generate_key(), HttpNodeClient(), timeout_s=10), "216")
    assert forged.outcome == Outcome.REFUSED and not forged.results and not forged.answered
    # Nobody listening: did not answer, asked again later.
    down = _ask(ExchangeResultsSource(registry, key, HttpNodeClient(), timeout_s=2), "216")
    assert down.outcome == Outcome.UNAVAILABLE and down.retry and not down.answered
