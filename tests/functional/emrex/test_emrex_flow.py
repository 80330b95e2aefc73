"""The portal as an EMREX 1 data provider, over the page routes: the cross-site entry stores the request and only
redirects; after login the owner sees the results, chooses and confirms (CSRF); the hand-back form carries the
four return codes, the signed ELMO only with NCP_OK, under a CSP that lets a form go to the return URL only; the
transfer is on the owner's "Overføringer", verifiable, and audited."""

from __future__ import annotations

import html
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.functional.portal.conftest import HINT, HISF, INSTITUTIONS, OTHER, OWNER
from tests.functional.portal.test_portal_pages import SECRET, csrf, log_in

from vitnemal.audit.models import AuditEvent
from vitnemal.config import Settings
from vitnemal.emrex import clients
from vitnemal.exchange.outcomes import Outcome
from vitnemal.interop.elmo_sign import decode_transfer, verify_elmo
from vitnemal.portal.pdf import SharePdfMaker, portal_signer_files
from vitnemal.portal.source import Institution, SourceAnswer, StaticResultsSource
from vitnemal.verification.service import share_evidence
from vitnemal.web.context import Web
from vitnemal.web.pages import add_pages

RETURN = "https://jobb.example.no/emrex/return"


@pytest.fixture
def app(tmp_path: Path, db_url: str) -> FastAPI:
    settings = replace(Settings(), home=tmp_path / "home", secret_key=SECRET, public_url="http://testserver")
    app = FastAPI()
    add_pages(app, settings, Web.open(settings, db_url))
    portal = app.state.portal
    portal._source = StaticResultsSource(INSTITUTIONS, {"216": HISF, "214": HINT})
    portal._pdf_maker = SharePdfMaker(settings)
    with portal.db.session() as db:
        clients.add_client(db, client_id="jobbnett", name="Jobbnett <AS>", kind="emrex1", urls=[RETURN],
                           contact_email="personvern@jobb.example.no", now=datetime.now(UTC), actor="test",
                           production=False)
    return app


def start(client: TestClient, session_id: str = "s3ss10n-ABC", return_url: str = RETURN, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/emrex", data={"sessionId": session_id, "returnUrl": return_url, **extra},
                       follow_redirects=False)


def opened(app: FastAPI, client: TestClient, owner=OWNER) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(handle path, the page once every institution has answered) for a fresh request by ``owner``."""
    response = start(client)
    assert response.status_code == 303
    path = response.headers["location"]
    log_in(app, client, owner.national_id, owner.name)
    deadline = time.monotonic() + 30
    page = client.get(path).text
    while 'data-pending="0"' not in page and time.monotonic() < deadline:
        time.sleep(0.05)
        page = client.get(path).text
    return path, page


def handed_back(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text[:3000]
    action = re.search(r'<form id="handback" method="post" action="([^"]+)"', response.text)
    assert action and html.unescape(action.group(1)) == RETURN
    return {html.unescape(k): html.unescape(v)
            for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text)}


def test_nothing_happens_before_login_and_only_registered_addresses_are_taken(app: FastAPI) -> None:
    with TestClient(app) as anonymous:
        response = start(anonymous)
        assert response.status_code == 303 and re.fullmatch(r"/emrex/r/[A-Za-z0-9_-]{43}",
                                                            response.headers["location"])
        # The handle's page asks for the login first, and comes back to it.
        page = anonymous.get(response.headers["location"], follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/auth/login?next=/emrex/r/")
        for bad, status, words in [
            ({"return_url": RETURN + "x"}, 400, "not the return address of any registered"),
            ({"return_url": "https://evil.example/emrex/return"}, 400, "not the return address"),
            ({"session_id": "a b<script>"}, 400, "sessionId must be"),
            ({"session_id": "x" * 65}, 400, "sessionId must be"),
            ({"session_id": ""}, 400, "sessionId must be"),
            ({"return_url": "https://jobb.example.no:99999/r"}, 400, "cannot be read"),
        ]:
            refused = start(anonymous, **bad)
            assert refused.status_code == status and '<span lang="en">' in refused.text, bad
            assert words in refused.text.split("For plattformens utviklere:")[1], (bad, refused.text[:300])
            assert "<script>" not in refused.text
        big = anonymous.post("/emrex", content=b"sessionId=a&returnUrl=" + b"x" * 5000,
                             headers={"content-type": "application/x-www-form-urlencoded"})
        assert big.status_code == 413
        many = anonymous.post("/emrex", content="&".join(f"f{i}=1" for i in range(20)).encode(),
                              headers={"content-type": "application/x-www-form-urlencoded"})
        assert many.status_code == 400
        multipart = anonymous.post("/emrex", files={"sessionId": ("a", b"x")}, data={"returnUrl": RETURN})
        assert multipart.status_code == 415
        assert anonymous.get("/transfers", follow_redirects=False).status_code == 303


def test_ok_hands_back_a_signed_elmo_recorded_as_a_verifiable_transfer(app: FastAPI) -> None:
    with TestClient(app) as owner:
        path, page = opened(app, owner)
        assert "Jobbnett &lt;AS&gt;" in page and "<AS>" not in page and "RES-100" in page
        assert "https://jobb.example.no" in page  # where the results go
        # Without the page's CSRF token nothing is sent.
        assert owner.post(path, data={"q": "216:BA"}).status_code == 403
        # Nothing chosen: the owner must choose or cancel.
        none = owner.post(path, data={"csrf_token": csrf(page), "action": "send"})
        assert none.status_code == 400 and "Velg minst ett resultat å sende, eller avbryt" in none.text
        response = owner.post(path, data={"csrf_token": csrf(page), "action": "send", "q": "216:BA"})
        fields = handed_back(response)
        policy = response.headers["content-security-policy"]
        assert [d for d in policy.split("; ") if d.startswith("form-action")] == [f"form-action {RETURN}"]
        assert response.headers["cache-control"] == "no-store"
        assert "Fortsett til Jobbnett" in response.text and '<script src="/emrex/handback.js"' in response.text
        assert fields["sessionId"] == "s3ss10n-ABC" and fields["returnCode"] == "NCP_OK"
        elmo = decode_transfer(fields["elmo"])
        # The client pins the portal's signing certificate, as EMREG publishes it.
        ca = x509.load_pem_x509_certificate(portal_signer_files(app.state.portal.settings)[1].read_bytes())
        signed = verify_elmo(elmo, [ca]).xml().decode()
        assert "RES-100" in signed and "MAT-1" in signed and "ENG-2" not in signed  # exactly the chosen
        assert OWNER.national_id not in signed  # this client is not entitled to it
        assert "data:application/pdf;base64," in signed
        # Answered once: the same page again, or another POST, sends nothing more.
        again = owner.post(path, data={"csrf_token": csrf(page), "action": "send", "q": "216:BA"})
        assert again.status_code == 409 and "allerede" in again.text and 'id="handback"' not in again.text
        transfers = owner.get("/transfers").text
        assert "Jobbnett &lt;AS&gt;" in transfers and "personvern@jobb.example.no" in transfers
        assert "Bachelor i realfag" in transfers and "RES-100" in transfers and "ENG-2" not in transfers
        public_id = re.search(r'href="/verify/([0-9a-f-]{36})"', transfers).group(1)  # type: ignore[union-attr]
        pdf = owner.get(f"/transfers/{public_id}/pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert owner.get(f"/transfers/{public_id}/elmo").content == elmo
    with TestClient(app) as other:
        log_in(app, other, OTHER.national_id, OTHER.name)
        assert other.get(path).status_code == 404  # bound to the owner who opened it
        assert other.get(f"/transfers/{public_id}/pdf").status_code == 404
        assert "Jobbnett" not in other.get("/transfers").text
        # The registry's page is the federation operator's, not an owner's.
        registry = other.get("/emrex/clients", follow_redirects=False)
        assert registry.status_code in (303, 403) and "personvern@" not in registry.text
    portal = app.state.portal
    with portal.db.session() as db:
        import hashlib

        evidence = share_evidence(db, public_id, datetime.now(UTC), actor="verifier:test",
                                  sha256=hashlib.sha256(pdf.content).hexdigest())
        assert evidence.known and evidence.state == "active" and evidence.sha256_matches
        events = db.scalars(select(AuditEvent).where(AuditEvent.action == "emrex.transfer")).all()
        assert [(e.subject_national_id, e.actor) for e in events] == [(OWNER.national_id,
                                                                       f"owner:{OWNER.national_id}")]
        assert f"transfer {public_id} to jobbnett" in (events[0].detail or "")


def test_cancel_hands_back_without_results(app: FastAPI) -> None:
    with TestClient(app) as owner:
        path, page = opened(app, owner)
        fields = handed_back(owner.post(path, data={"csrf_token": csrf(page), "action": "cancel", "q": "216:BA"}))
        assert fields["returnCode"] == "NCP_CANCEL" and "elmo" not in fields
        assert "allerede svart" in owner.get(path).text
        assert "Jobbnett" not in owner.get("/transfers").text


@pytest.mark.parametrize(("answers", "code"), [
    ({"216": SourceAnswer("216", Outcome.NO_RESULTS.value, "no passed results")}, "NCP_NO_RESULTS"),
    ({"216": SourceAnswer("216", Outcome.UNAVAILABLE.value, "down", retry=False)}, "NCP_ERROR"),
])
def test_no_results_and_an_institution_that_cannot_answer(app: FastAPI, answers, code: str) -> None:  # type: ignore[no-untyped-def]
    app.state.portal._source = StaticResultsSource([Institution("216", "Høgskulen i Sogn og Fjordane", "HiSF")],
                                                   answers)
    with TestClient(app) as owner:
        path, page = opened(app, owner)
        assert "Tilbake til Jobbnett" in page and "uten resultater" in page
        fields = handed_back(owner.post(path, data={"csrf_token": csrf(page), "action": "send"}))
        assert fields["returnCode"] == code and "elmo" not in fields
        if code == "NCP_ERROR":
            assert "Høgskulen i Sogn og Fjordane" in fields["returnMessage"]
