"""EMREX 2 over real HTTP (uvicorn on a port; the portal database on SQLite and on PostgreSQL) with a real OAuth
client (Authlib's httpx client): the applicant, logged in to the portal, consents on the portal's page; the client
trades the code for a token with PKCE S256 and a JWT signed by its registered key, and fetches the results as
signed ELMO and as the signed PDF, each answer signed in X-Signature. Refused: a wrong code_verifier, a code used
twice (and the token it gave), an expired token, an assertion signed by another key, an assertion used twice, a
registered key that cannot be read, no PKCE, an unregistered redirect_uri; a refusal sends access_denied back."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography import x509
from fastapi import FastAPI
from joserfc.jwk import ECKey
from sqlalchemy import select, update
from tests.functional.portal.conftest import HINT, HISF, INSTITUTIONS, OWNER

from vitnemal.audit.models import AuditEvent
from vitnemal.config import Settings
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.emrex import clients
from vitnemal.emrex.models import EmrexClient, EmrexTransfer
from vitnemal.emrex2.models import Emrex2Grant
from vitnemal.emrex2.signature import verify_detached
from vitnemal.interop.elmo_import import read_elmo
from vitnemal.portal.pdf import SharePdfMaker, portal_signer_files
from vitnemal.portal.source import StaticResultsSource
from vitnemal.web.context import Web
from vitnemal.web.pages import add_pages
from vitnemal.web.sessions import COOKIE, utcnow

SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
REDIRECT = "http://localhost:9999/emrex/callback"
CLIENT_ID = "demo-emrex2"


@dataclass
class Portal:
    url: str
    app: FastAPI
    settings: Settings
    client_key: ECKey

    @property
    def token_url(self) -> str:
        return f"{self.url}/emrex/oauth2/token"

    def db(self) -> Any:
        return self.app.state.web.db

    def browser(self) -> httpx.Client:
        """The applicant's browser, logged in to the portal (the portal's own login is tested elsewhere)."""
        w = self.app.state.web
        with w.db.session() as db:
            session = w.sessions.create(db, utcnow(), {"pid": OWNER.national_id, "name": OWNER.name,
                                                       "provider": "idporten"})
        return httpx.Client(base_url=self.url, cookies={COOKIE: session.cookie}, timeout=60)

    def oauth(self, key: ECKey | None = None) -> OAuth2Client:
        client = OAuth2Client(CLIENT_ID, key or self.client_key, token_endpoint_auth_method="private_key_jwt",
                              redirect_uri=REDIRECT, scope="results", code_challenge_method="S256", timeout=60)
        client.register_client_auth_method(PrivateKeyJWT(self.token_url, alg="ES256"))
        return client


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    tmp = tmp_path_factory.mktemp("emrex2")
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_server").create_database(f"emrex2_{free_port()}",
                                                                   template="template_vitnemal")
    else:
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp / "portal.sqlite")
        url = f"sqlite:///{tmp / 'portal.sqlite'}"
    port = free_port()
    settings = replace(Settings(), home=tmp / "home", secret_key=SECRET, public_url=f"http://127.0.0.1:{port}")
    app = FastAPI()
    add_pages(app, settings, Web.open(settings, url))
    app.state.portal._source = StaticResultsSource(INSTITUTIONS, {"216": HISF, "214": HINT})
    app.state.portal._pdf_maker = SharePdfMaker(settings)
    key = ECKey.generate_key("P-256")
    public = key.as_dict(private=False)
    with app.state.web.db.session() as db:
        clients.add_client(db, client_id=CLIENT_ID, name="Demo Rekruttering AS", kind="emrex2", urls=[REDIRECT],
                           contact_email="personvern@demo-rekruttering.no", now=datetime.now(UTC), actor="test",
                           production=False, jwks={"keys": [{**public, "kid": key.thumbprint()}]})
    with BackgroundServer(app, port=port):
        yield Portal(f"http://127.0.0.1:{port}", app, settings, key)


def consent(portal: Portal, browser: httpx.Client, url: str, choose: str = "216:BA") -> str:
    """The applicant opens the authorization URL, waits for the results, ticks ``choose`` and consents; the
    address the portal sends the browser back to."""
    page = browser.get(url)
    deadline = time.monotonic() + 30
    while 'data-pending="0"' not in page.text and time.monotonic() < deadline:
        time.sleep(0.1)
        page = browser.get(url)
    assert page.status_code == 200, page.text[:500]
    assert "Demo Rekruttering AS" in page.text and "personvern@demo-rekruttering.no" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    fetch_id = re.search(r'name="fetch_id" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    action = re.search(r'<form id="consent" method="post" action="([^"]+)"', page.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    answer = browser.post(action, data={"csrf_token": token, "fetch_id": fetch_id, "q": choose,
                                        "decision": "consent"})
    assert answer.status_code == 303, answer.text[:800]
    return answer.headers["location"]


def authorized(portal: Portal, client: OAuth2Client, browser: httpx.Client) -> tuple[str, str, str]:
    """(the code's callback URL, the code verifier, the state) after the applicant consented."""
    verifier = "v" * 20 + re.sub(r"[^A-Za-z0-9]", "", str(time.time_ns())) + "x" * 30
    url, state = client.create_authorization_url(f"{portal.url}/emrex/oauth2/authorize", code_verifier=verifier)
    return consent(portal, browser, url), verifier, state


def test_the_whole_flow_hands_over_signed_elmo_and_pdf_and_keeps_the_consent(portal: Portal) -> None:
    client, browser = portal.oauth(), portal.browser()
    callback, verifier, state = authorized(portal, client, browser)
    assert callback.startswith(REDIRECT) and parse_qs(urlsplit(callback).query)["state"] == [state]
    token = client.fetch_token(portal.token_url, authorization_response=callback, code_verifier=verifier)
    assert token["token_type"] == "Bearer" and 0 < token["expires_in"] <= 600 and "refresh_token" not in token
    _, cert, _ = portal_signer_files(portal.settings)
    trusted = [x509.load_pem_x509_certificate(cert.read_bytes())]
    elmo = client.get(f"{portal.url}/emrex/results", params={"data_format": "elmo"})
    assert elmo.status_code == 200 and elmo.headers["content-type"].startswith("application/xml")
    verify_detached(elmo.content, elmo.headers["x-signature"], trusted)
    imported = read_elmo(elmo.content, trusted)  # the ELMO's own XML signature, and the schema
    assert (imported.learner.given_names, imported.learner.family_name) == ("Kari", "Nordmann")
    degree = imported.reports[0].items[0]
    assert degree.code == "BA" and [p.code for p in degree.parts] == ["RES-100", "MAT-1"]  # what was chosen
    assert all(i.code != "ENG-2" for r in imported.reports for i in r.items_all())  # not chosen, not sent
    again = client.get(f"{portal.url}/emrex/results", params={"data_format": "elmo"})
    assert again.status_code == 200 and again.content == elmo.content  # the same document, not a new one
    verify_detached(again.content, again.headers["x-signature"], trusted)
    pdf = client.get(f"{portal.url}/emrex/results", params={"data_format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    verify_detached(pdf.content, pdf.headers["x-signature"], trusted)
    ref = elmo.headers["x-consent-reference"]
    with portal.db().read_session() as db:
        grant = db.scalar(select(Emrex2Grant).where(Emrex2Grant.ref_id == ref))
        assert grant is not None and grant.owner_id == OWNER.national_id and grant.code_used_at is not None
        assert [r["course_code"] for i in grant.snapshot for r in i["results"]] == ["RES-100", "MAT-1"]
        sent = db.scalars(select(EmrexTransfer.data_format).where(EmrexTransfer.owner_id == OWNER.national_id,
                                                                  EmrexTransfer.protocol == "emrex2")).all()
        assert sorted(sent) == ["elmo", "pdf"]  # one transfer per format: asking again adds none
        handed = db.scalars(select(AuditEvent.action).where(AuditEvent.subject_national_id == OWNER.national_id,
                                                            AuditEvent.action.like("emrex%"))
                            .order_by(AuditEvent.id)).all()
        # each handing out is in the owner's log, the repeat too (no new transfer, but disclosed again)
        assert handed == ["emrex2.consent", "emrex.transfer", "emrex2.answered_again", "emrex.transfer"]
    page = browser.get("/emrex/consents")
    assert page.status_code == 200 and ref in page.text and "Demo Rekruttering AS" in page.text
    assert "Hentet av tjenesten" in page.text  # it did fetch


def test_a_wrong_code_verifier_is_refused(portal: Portal) -> None:
    client, browser = portal.oauth(), portal.browser()
    callback, _, _ = authorized(portal, client, browser)
    with pytest.raises(Exception, match="invalid_grant"):
        client.fetch_token(portal.token_url, authorization_response=callback, code_verifier="w" * 50)
    with pytest.raises(Exception, match="invalid_request"):  # no verifier at all
        client.fetch_token(portal.token_url, authorization_response=callback)


def test_a_code_used_twice_is_refused_and_takes_back_the_token(portal: Portal) -> None:
    client, browser = portal.oauth(), portal.browser()
    callback, verifier, _ = authorized(portal, client, browser)
    client.fetch_token(portal.token_url, authorization_response=callback, code_verifier=verifier)
    assert client.get(f"{portal.url}/emrex/results", params={"data_format": "pdf"}).status_code == 200
    with pytest.raises(Exception, match="invalid_grant"):  # the same client (its key), the same code again
        portal.oauth().fetch_token(portal.token_url, authorization_response=callback, code_verifier=verifier)
    gone = client.get(f"{portal.url}/emrex/results", params={"data_format": "pdf"})
    assert gone.status_code == 401 and gone.json()["error"] == "invalid_token"


def test_an_expired_token_is_refused(portal: Portal) -> None:
    client, browser = portal.oauth(), portal.browser()
    callback, verifier, _ = authorized(portal, client, browser)
    token = client.fetch_token(portal.token_url, authorization_response=callback, code_verifier=verifier)
    with portal.db().session() as db:
        db.execute(update(Emrex2Grant).where(Emrex2Grant.token_expires_at.is_not(None),
                                             Emrex2Grant.revoked_at.is_(None))
                   .values(token_expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    answer = httpx.get(f"{portal.url}/emrex/results", params={"data_format": "elmo"},
                       headers={"authorization": f"Bearer {token['access_token']}"})
    assert answer.status_code == 401 and 'error="invalid_token"' in answer.headers["www-authenticate"]
    assert httpx.get(f"{portal.url}/emrex/results", params={"data_format": "elmo"}).status_code == 401


def test_an_assertion_signed_by_another_key_is_refused(portal: Portal) -> None:
    browser = portal.browser()
    honest = portal.oauth()
    callback, verifier, _ = authorized(portal, honest, browser)
    impostor = portal.oauth(ECKey.generate_key("P-256"))
    with pytest.raises(Exception, match="invalid_client"):
        impostor.fetch_token(portal.token_url, authorization_response=callback, code_verifier=verifier)
    # The code was not spent on the impostor: the real client still gets its token.
    assert honest.fetch_token(portal.token_url, authorization_response=callback, code_verifier=verifier)


def test_without_pkce_or_to_an_unregistered_address_nothing_is_asked(portal: Portal) -> None:
    browser = portal.browser()
    plain = OAuth2Client(CLIENT_ID, redirect_uri=REDIRECT, scope="results")
    url, state = plain.create_authorization_url(f"{portal.url}/emrex/oauth2/authorize")
    answer = browser.get(url)
    assert answer.status_code == 303
    back = parse_qs(urlsplit(answer.headers["location"]).query)
    assert back["error"] == ["invalid_request"] and "PKCE" in back["error_description"][0]
    assert back["state"] == [state]
    elsewhere = OAuth2Client(CLIENT_ID, redirect_uri="http://localhost:9999/other", scope="results",
                             code_challenge_method="S256")
    url, _ = elsewhere.create_authorization_url(f"{portal.url}/emrex/oauth2/authorize", code_verifier="a" * 50)
    page = browser.get(url)
    assert page.status_code == 400 and "location" not in page.headers
    assert "ikke registrert" in page.text or "not registered" in page.text


def test_refusing_sends_access_denied_back(portal: Portal) -> None:
    client, browser = portal.oauth(), portal.browser()
    url, state = client.create_authorization_url(f"{portal.url}/emrex/oauth2/authorize", code_verifier="b" * 50)
    page = browser.get(url)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = browser.post(url.removeprefix(portal.url), data={"csrf_token": token, "decision": "refuse"})
    assert answer.status_code == 303
    back = parse_qs(urlsplit(answer.headers["location"]).query)
    assert answer.headers["location"].startswith(REDIRECT) and "code" not in back
    assert (back["error"], back["state"]) == (["access_denied"], [state])
    with portal.db().read_session() as db:  # nothing was consented to, so nothing is kept
        assert db.scalar(select(Emrex2Grant).where(Emrex2Grant.code_challenge == create_s256_code_challenge(
            "b" * 50))) is None


def test_an_assertion_used_twice_is_refused(portal: Portal) -> None:
    browser = portal.browser()
    first, second = (authorized(portal, portal.oauth(), browser) for _ in range(2))
    assertion = private_key_jwt_sign(portal.client_key, client_id=CLIENT_ID, token_endpoint=portal.token_url,
                                     alg="ES256")

    def trade(callback: str, verifier: str) -> httpx.Response:
        return httpx.post(portal.token_url, data={
            "grant_type": "authorization_code", "code": parse_qs(urlsplit(callback).query)["code"][0],
            "redirect_uri": REDIRECT, "code_verifier": verifier, "client_assertion": assertion,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})

    assert trade(*first[:2]).status_code == 200
    again = trade(*second[:2])
    assert again.status_code in (400, 401) and again.json()["error"] == "invalid_client", again.text


def test_a_registered_key_that_cannot_be_read_refuses_the_client_in_words(portal: Portal) -> None:
    browser = portal.browser()
    callback, verifier, _ = authorized(portal, portal.oauth(), browser)
    with portal.db().session() as db:  # a key set of the right shape whose key holds no key material
        db.execute(update(EmrexClient).where(EmrexClient.client_id == CLIENT_ID)
                   .values(jwks={"keys": [{"kty": "EC", "kid": "broken"}]}))
    try:
        with pytest.raises(Exception, match="invalid_client: the client's registered key cannot be read"):
            portal.oauth().fetch_token(portal.token_url, authorization_response=callback, code_verifier=verifier)
    finally:
        public = portal.client_key.as_dict(private=False)
        with portal.db().session() as db:
            db.execute(update(EmrexClient).where(EmrexClient.client_id == CLIENT_ID)
                       .values(jwks={"keys": [{**public, "kid": portal.client_key.thumbprint()}]}))
