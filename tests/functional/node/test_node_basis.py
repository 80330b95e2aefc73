"""Legal bases and abuse limits at the node (issue 7 #11, issue 9): the consent's date and reference are logged,
requesters are rate-limited in the database and unusual volumes flagged, the owner_login basis is accepted only
from the portal, and the owner can have every disclosure about them."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from tests.functional.node.conftest import PERSON, MakeNode, NodePath
from typer.testing import CliRunner

from vitnemal.audit.models import AuditEvent
from vitnemal.cli import app
from vitnemal.institutions.exchange_keys import load_private_key
from vitnemal.node.protocol import (
    ConsentClaim,
    OwnerLogin,
    ResultsRequest,
    Subject,
    new_request_id,
    owner_login_request,
    sign,
    verify,
)
from vitnemal.node.service import UNUSUAL_VOLUME
from vitnemal.records.models import Disclosure

CONSENTED = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)


def _consent_request(**changes) -> ResultsRequest:
    req = ResultsRequest(
        requester="185", node="216", request_id=new_request_id(), issued_at=int(time.time()),
        fetch_date=date.today().isoformat(), subject=Subject(PERSON),
        consent=ConsentClaim("RESUTVEKSL", "J", CONSENTED.isoformat(), "185", reference="185/consent/7"),
    )
    return replace(req, **changes)


def _owner_request(**changes) -> ResultsRequest:
    now = datetime.now(UTC)
    req = owner_login_request(portal="portal", node="216", national_id=PERSON, authenticated_at=now - timedelta(
        minutes=2), acr="idporten-loa-substantial", now=now)
    return replace(req, **changes)


def _send(fed, path: NodePath, req: ResultsRequest, signer: str | None = None):
    signer = signer or req.requester
    return path.post(sign(req.payload(), signer, load_private_key(fed.settings.keys_dir / f"{signer}.pem")))


def _log(fed) -> list[Any]:
    with fed.db("216").read_session() as s:
        return list(s.execute(select(Disclosure.__table__).order_by(Disclosure.id)).all())


def test_the_consents_date_and_reference_are_logged(make_node: MakeNode) -> None:
    fed, path = make_node()
    assert _send(fed, path, _consent_request()).status_code == 200
    [row] = _log(fed)
    assert (row.basis, row.consent_given_at, row.consent_reference) == ("consent", CONSENTED, "185/consent/7")


def test_requesters_are_rate_limited_across_processes_with_a_retry_after(make_node: MakeNode) -> None:
    fed, path = make_node(node_requests_per_minute=2)
    other = NodePath("in_process" if path.kind == "http" else "http", fed, path.server)
    assert _send(fed, path, _consent_request()).status_code == 200
    assert _send(fed, other, _consent_request()).status_code == 200  # the other path counts against one limit
    refused = _send(fed, path, _consent_request())
    if refused.status_code == 200:  # the minute turned between the requests: the next one is the third
        refused = _send(fed, path, _consent_request())
    assert refused.status_code == 429, refused.text
    detail = refused.json()["detail"]
    assert detail["error"] == "rate_limited" and 1 <= detail["retry_after_s"] <= 60
    if path.kind == "http":
        assert refused.headers["retry-after"] == str(detail["retry_after_s"])
    assert all(r.answer == "ok" for r in _log(fed)) and len(_log(fed)) <= 3  # a refused request is not logged


def test_an_unusual_volume_is_flagged_once_for_operators(make_node: MakeNode) -> None:
    fed, path = make_node(node_flag_per_day=2)
    for _ in range(4):
        assert _send(fed, path, _consent_request()).status_code == 200
    with fed.db("216").read_session() as s:
        events = s.execute(select(AuditEvent.__table__).where(AuditEvent.action == UNUSUAL_VOLUME)).all()
    assert len(events) == 1 and "185" in (events[0].detail or "") and events[0].actor == "node:216"
    # operators list them, and the person's disclosures, with the CLI
    env = {"VITNEMAL_HOME": str(fed.settings.home), "VITNEMAL_DATABASE_URL": ""}
    flags = CliRunner().invoke(app, ["records", "volume-flags", "-i", "216", "--json"], env=env)
    assert flags.exit_code == 0 and len(json.loads(flags.output)) == 1
    shown = CliRunner().invoke(app, ["records", "disclosures", "-i", "216", "-p", PERSON], env=env)
    assert shown.exit_code == 0 and shown.output.count("185/consent/7") == 4


def test_the_portal_asks_on_the_owners_login_and_gets_every_disclosure_about_them(make_node: MakeNode) -> None:
    fed, path = make_node()
    assert _send(fed, path, _consent_request()).status_code == 200
    response = _send(fed, path, _owner_request(disclosures=True))
    assert response.status_code == 200, response.text
    _, payload = verify(response.text, fed.registry, expected_signer="216")
    assert payload["status"] == "ok" and [r["course_code"] for r in payload["results"]] == ["RES-100"]
    seen = [(d["requester"], d["basis"], d["disclosed_to"], d["consent_reference"], d["login_acr"])
            for d in payload["disclosures"]]
    assert seen == [("portal", "owner_login", "the owner via the portal", None, "idporten-loa-substantial"),
                    ("185", "consent", "institution 185", "185/consent/7", None)]
    owner_row = _log(fed)[-1]
    assert owner_row.basis == "owner_login" and owner_row.login_at is not None and owner_row.consent_given_at is None


def test_only_the_portal_may_use_the_owners_login_and_only_with_a_good_login(make_node: MakeNode) -> None:
    fed, path = make_node()
    old = (datetime.now(UTC) - timedelta(hours=13)).isoformat()
    cases = [
        (_owner_request(requester="185"), "185", 403, "basis_not_allowed"),  # an institution cannot claim it
        (_consent_request(requester="portal"), "portal", 403, "basis_not_allowed"),  # the portal claims no consent
        (_consent_request(disclosures=True), "185", 403, "basis_not_allowed"),  # the log is the owner's only
        (_owner_request(login=OwnerLogin(datetime.now(UTC).isoformat(), "idporten-loa-low")), "portal", 403,
         "login_refused"),
        (_owner_request(login=OwnerLogin(old, "idporten-loa-high")), "portal", 403, "login_refused"),
        (_owner_request(login=None), "portal", 403, "login_refused"),
        (_owner_request(subject=Subject(PERSON, ("41039510004",))), "portal", 403, "basis_not_allowed"),
    ]
    for req, signer, status, reason in cases:
        response = _send(fed, path, req, signer)
        assert (response.status_code, response.json()["detail"]["error"]) == (status, reason), req
    assert _log(fed) == []
