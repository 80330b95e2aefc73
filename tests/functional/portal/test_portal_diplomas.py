"""The institution-signed diploma from a share (issue 9), over real HTTP against a real node: the owner's fetch
names each current diploma set of a qualification; asked on the owner's login the node hands out the signed PDF,
byte for byte, and logs it as a disclosure to the owner; institutions get neither; a revoked or altered document
is never handed out; the portal keeps only a document whose hash and institution signature check."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.case_helpers import GRADUATES, seed_graduates
from tests.factories import make_federation

from vitnemal.devtools.federation import BareFederation
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.diplomas.issue import DiplomaIssuer, IssueJob, issue_diploma, pending_jobs
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.diplomas.office import issue_context
from vitnemal.diplomas.signers import federation_ca_cert
from vitnemal.exchange.client import HttpNodeClient
from vitnemal.identity.models import Person
from vitnemal.institutions.exchange_keys import load_private_key
from vitnemal.institutions.registry import PORTAL_CODE
from vitnemal.node.protocol import sign
from vitnemal.portal import diplomas
from vitnemal.portal.rules import ShareRefused
from vitnemal.portal.source import DiplomaNotHanded, ExchangeResultsSource, HandedDiploma, Owner
from vitnemal.records.models import Disclosure
from vitnemal.web.app import create_app

OWNER = GRADUATES[0]


@dataclass
class Node:
    fed: BareFederation
    source: ExchangeResultsSource
    documents: dict[str, IssuedDocument]  # lang → record


def issue_diplomas(fed: BareFederation, national_id: str) -> dict[str, IssuedDocument]:
    """Give ``national_id`` (a graduate seeded at 185) a diploma set in bokmål and one in English, issued in 2021
    (the exchange releases a degree whose diploma was issued before the fetch date); lang → its record."""
    issuer = DiplomaIssuer(replace(issue_context(fed.settings, "185", "Universitetet i Oslo", "University of Oslo",
                                                 issued_by="test"), issued_on=date(2021, 7, 1)))
    try:
        with fed.db("185").read_session() as s:
            person_id = s.scalar(select(Person.id).where(Person.national_id == national_id))
            job = next(j for j in pending_jobs(s) if j.person_id == person_id)
        docs = {"nb": issue_diploma(issuer, IssueJob(job.person_id, job.qualification_id, job.qualification_code,
                                                     lang="nb"))}
        docs["en"] = issue_diploma(issuer, IssueJob(job.person_id, job.qualification_id, job.qualification_code,
                                                    lang="en", reissue=True))
    finally:
        issuer.close()
    return docs


@pytest.fixture
def node(tmp_path: Path, sqlite_template: Path) -> Iterator[Node]:
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["185"], f"http://127.0.0.1:{port}", template=sqlite_template,
                          portal=True)
    seed_graduates(fed.db("185"))
    docs = issue_diplomas(fed, OWNER)
    key = load_private_key(fed.settings.keys_dir / f"{PORTAL_CODE}.pem")
    with BackgroundServer(create_app(fed.settings, codes=["185"], pages=False), port=port):
        yield Node(fed, ExchangeResultsSource(fed.registry, key, HttpNodeClient(), timeout_s=20), docs)


def _owner() -> Owner:
    return Owner(OWNER, "Kandidat0 Nordmann", datetime.now(UTC), "idporten-loa-substantial")


def _run(source: ExchangeResultsSource, coro):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        try:
            return await coro
        finally:
            await source.client.aclose()

    return asyncio.run(run())


def test_the_owner_gets_the_institutions_signed_diploma_and_the_node_logs_it(node: Node) -> None:
    answer = _run(node.source, node.source.fetch(_owner(), "185"))
    assert answer.outcome == "imported", answer.message
    [qual] = answer.qualifications
    refs = {d["lang"]: d for d in qual["diplomas"]}
    assert set(refs) == {"nb", "en"}
    assert refs["nb"]["document_id"] == node.documents["nb"].document_id
    assert refs["nb"]["sha256"] == node.documents["nb"].sha256
    stored = (node.fed.settings.home / str(node.documents["nb"].storage_path)).read_bytes()

    handed = _run(node.source, node.source.fetch_diploma(_owner(), "185", refs["nb"]["document_id"]))
    assert handed.pdf == stored and handed.sha256 == hashlib.sha256(stored).hexdigest() and handed.lang == "nb"
    with node.fed.db("185").read_session() as s:
        logged = s.execute(select(Disclosure.document_id, Disclosure.basis, Disclosure.national_id)
                           .where(Disclosure.document_id.is_not(None))).all()
    assert [tuple(d) for d in logged] == [
        (refs["nb"]["document_id"], "owner_login", OWNER)]

    # The portal keeps it: the hash the fetch named, signed by the federation's CA as 185's.
    snapshot = [{"code": "185", "name": "Universitetet i Oslo", "qualifications": [qual], "results": []}]
    wanted = diplomas.wanted_diplomas(snapshot, frozenset({("185", qual["key"])}))
    assert {w.lang for w in wanted} == {"nb", "en"}
    ca_cert = federation_ca_cert(node.fed.settings)
    assert ca_cert is not None
    nb = next(w for w in wanted if w.lang == "nb")
    [kept] = diplomas.check_all([nb], [handed], [ca_cert])
    assert kept.pdf == stored
    # The same bytes signed by someone else, or another document than the one fetched, are refused.
    with pytest.raises(ShareRefused, match="could not be confirmed"):
        diplomas.check_all([nb], [handed], [])
    en = next(w for w in wanted if w.lang == "en")
    with pytest.raises(ShareRefused, match="has changed"):
        diplomas.check_all([en], [handed], [ca_cert])
    # A forged form naming a qualification without a fetched diploma is refused.
    with pytest.raises(ShareRefused, match="No diploma"):
        diplomas.wanted_diplomas(snapshot, frozenset({("185", "BA-NOPE")}))


def test_a_revoked_or_altered_diploma_is_never_handed_out(node: Node) -> None:
    nb, en = node.documents["nb"], node.documents["en"]
    path = node.fed.settings.home / str(en.storage_path)
    path.write_bytes(path.read_bytes() + b"%")  # the file on disk is no longer the one recorded
    with node.fed.db("185").session() as s:
        row = s.scalar(select(IssuedDocument).where(IssuedDocument.document_id == nb.document_id))
        assert row is not None
        row.revoked_at = datetime.now(UTC)
    with pytest.raises(DiplomaNotHanded, match="replaced or revoked"):
        _run(node.source, node.source.fetch_diploma(_owner(), "185", nb.document_id))
    source = ExchangeResultsSource(node.source.registry, node.source.key, HttpNodeClient(), timeout_s=20)
    with pytest.raises(DiplomaNotHanded, match="replaced or revoked"):
        _run(source, source.fetch_diploma(_owner(), "185", en.document_id))
    source = ExchangeResultsSource(node.source.registry, node.source.key, HttpNodeClient(), timeout_s=20)
    answer = _run(source, source.fetch(_owner(), "185"))
    assert [d["lang"] for d in answer.qualifications[0]["diplomas"]] == ["en"]  # the revoked one is not named


def test_an_institution_asking_on_a_consent_gets_no_diploma(node: Node) -> None:
    from vitnemal.exchange.client import HttpNodeClient as Client
    from vitnemal.node.protocol import ConsentClaim, ResultsRequest, Subject, new_request_id, now_ts

    fed = node.fed
    key = load_private_key(fed.settings.keys_dir / "185.pem")
    req = ResultsRequest(requester="185", node="185", request_id=new_request_id(), issued_at=now_ts(),
                         fetch_date=date.today().isoformat(), subject=Subject(OWNER),
                         consent=ConsentClaim("RESUTVEKSL", "J", datetime.now(UTC).isoformat(), "185"),
                         diploma=node.documents["nb"].document_id)
    client = Client()

    async def send():  # type: ignore[no-untyped-def]
        try:
            return await client.send(fed.registry.get("185").node_url, sign(req.payload(), "185", key), 20)
        finally:
            await client.aclose()

    reply = asyncio.run(send())
    assert reply.status_code == 403 and b"only to its owner" in reply.body
    assert base64.b64encode(b"%PDF")[:4] not in reply.body


def test_a_node_that_sends_other_bytes_than_it_signs_for_is_refused() -> None:
    """The source checks the PDF against the SHA-256 in the signed answer; a static table stands in for a node."""
    pdf = b"%PDF-1.7 not the document"
    wanted = diplomas.WantedDiploma("185", "UiO", "BA-HIS", "0" * 8 + "-0000-0000-0000-" + "0" * 12, "nb",
                                    hashlib.sha256(b"the real one").hexdigest())
    handed = HandedDiploma("185", wanted.document_id, "nb", hashlib.sha256(pdf).hexdigest(), pdf)
    with pytest.raises(ShareRefused, match="has changed"):
        diplomas.check_all([wanted], [handed], [])
