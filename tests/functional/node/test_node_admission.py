"""The admission consent at the node (issue 14 #1): Samordna opptak (a member of kind admission) and an
institution's local admission ask on the applicant's OPPTAK consent, recorded where it was given and carried in
the signed request; the node refuses an admission body's request on any other basis, without a consent, or for a
withdrawn one, and says why in words."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import select
from tests.functional.node.conftest import PERSON, MakeNode, NodePath

from vitnemal.institutions.exchange_keys import load_private_key
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.node.handling import handle_request
from vitnemal.node.protocol import (
    ConsentClaim,
    Refusal,
    ResultsRequest,
    Subject,
    admission_claim,
    new_request_id,
    sign,
    verify,
)
from vitnemal.records.consent import answer_admission_consent
from vitnemal.records.models import Disclosure


def _consent_at(fed, code: str, *answers: bool) -> ConsentClaim:
    """The applicant answers at ``code`` (yes, then perhaps a withdrawal); the claim of the answer that holds."""
    with fed.db(code).session() as s:
        for yes in answers:
            row = answer_admission_consent(s, PERSON, yes, actor=f"applicant:{PERSON}")
        return admission_claim(row, code)


def _request(requester: str, consent: ConsentClaim | None) -> ResultsRequest:
    return ResultsRequest(requester=requester, node="216", request_id=new_request_id(), issued_at=int(time.time()),
                          fetch_date=date.today().isoformat(), subject=Subject(PERSON), consent=consent)


def _send(fed, path: NodePath, req: ResultsRequest):
    key = load_private_key(fed.settings.keys_dir / f"{req.requester}.pem")
    return path.post(sign(req.payload(), req.requester, key))


def _answer(fed, response) -> dict:
    assert response.status_code == 200, response.text
    return verify(response.text, fed.registry, expected_signer="216")[1]


def _log(fed) -> list:
    with fed.db("216").read_session() as s:
        return list(s.execute(select(Disclosure.__table__).order_by(Disclosure.id)).all())


def test_samordna_opptak_fetches_on_the_applicants_admission_consent(make_node: MakeNode) -> None:
    fed, path = make_node()
    claim = _consent_at(fed, "so", True)
    payload = _answer(fed, _send(fed, path, _request("so", claim)))
    assert payload["status"] == "ok" and [r["course_code"] for r in payload["results"]] == ["RES-100"]
    [row] = _log(fed)
    assert (row.requester_code, row.basis, row.answer) == ("so", "consent", "ok")
    assert row.consent_reference == claim.reference and claim.reference.startswith("so/admission-consent/")
    assert row.consent_given_at == datetime.fromisoformat(claim.answered_at)


def test_an_institutions_local_admission_fetches_on_the_consent_given_in_its_soknadsweb(make_node: MakeNode) -> None:
    fed, path = make_node()
    payload = _answer(fed, _send(fed, path, _request("185", _consent_at(fed, "185", True))))
    assert payload["status"] == "ok"
    assert _log(fed)[0].consent_reference.startswith("185/admission-consent/")


def test_samordna_opptak_cannot_ask_on_a_students_recognition_consent(make_node: MakeNode) -> None:
    fed, path = make_node()
    recognition = ConsentClaim("RESUTVEKSL", "J", datetime(2026, 1, 1, tzinfo=UTC).isoformat(), "so")
    response = _send(fed, path, _request("so", recognition))
    assert response.status_code == 403, response.text
    detail = response.json()["detail"]
    assert detail["error"] == "basis_not_allowed"
    assert "so is an admission body" in detail["message"] and "OPPTAK" in detail["message"]
    assert _log(fed) == []  # refused before anything was looked up: nothing disclosed, nothing logged


def test_an_admission_request_without_consent_is_answered_no_consent(make_node: MakeNode) -> None:
    fed, path = make_node()
    payload = _answer(fed, _send(fed, path, _request("so", None)))
    assert payload["status"] == "no_consent" and payload["message"] == "the request carries no consent"
    assert payload["results"] == [] and [r.answer for r in _log(fed)] == ["no_consent"]


def test_a_withdrawn_admission_consent_is_refused_with_the_reason(make_node: MakeNode) -> None:
    fed, path = make_node()
    withdrawn = _consent_at(fed, "so", True, False)
    assert withdrawn.answer == "N"
    payload = _answer(fed, _send(fed, path, _request("so", withdrawn)))
    assert payload["status"] == "no_consent" and payload["results"] == []
    assert "the applicant has withdrawn their consent to fetching results for admission" in payload["message"]


def test_an_admission_consent_recorded_elsewhere_is_not_the_requesters(make_node: MakeNode) -> None:
    fed, path = make_node()
    at_185 = _consent_at(fed, "185", True)  # given to 185's local admission, carried by Samordna opptak
    payload = _answer(fed, _send(fed, path, _request("so", at_185)))
    assert payload["status"] == "no_consent"
    assert payload["message"] == "consent recorded by 185, not by the requester so"


def test_the_portal_cannot_carry_an_admission_consent(make_node: MakeNode) -> None:
    fed, path = make_node()
    claim = replace(_consent_at(fed, "so", True), recorded_by="portal")
    response = _send(fed, path, _request("portal", claim))
    assert (response.status_code, response.json()["detail"]["error"]) == (403, "basis_not_allowed")


def test_samordna_opptak_runs_no_node(make_node: MakeNode) -> None:
    fed, _ = make_node()
    host = LocalInstitutions.open(fed.settings, codes=["so"])
    try:
        body = sign(_request("185", None).payload(), "185", load_private_key(fed.settings.keys_dir / "185.pem"))
        refused = handle_request(host, "so", body, datetime.now(UTC))
    finally:
        host.close()
    assert isinstance(refused, Refusal) and (refused.status, refused.reason) == (404, "no_node")
    assert "so runs no node" in refused.message


def test_samordna_opptak_is_served_for_its_pages_but_describes_no_node(tmp_path, sqlite_template) -> None:
    import httpx

    from vitnemal.devtools.federation import build_federation
    from vitnemal.devtools.postgres import free_port
    from vitnemal.devtools.server import BackgroundServer
    from vitnemal.web.app import create_app

    port = free_port()
    fed = build_federation(tmp_path / "fed", ["185"], f"http://127.0.0.1:{port}", template=sqlite_template,
                           admission=True)
    with BackgroundServer(create_app(fed.settings), port=port) as server:
        assert httpx.get(f"{server.url}/nodes/185").status_code == 200
        assert httpx.get(f"{server.url}/nodes/so").status_code == 404
        refused = httpx.post(f"{server.url}/nodes/so/exchange/v1/results", content=b"x")
        assert refused.status_code == 404 and refused.json()["detail"]["error"] == "no_node"
