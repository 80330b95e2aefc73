"""Login over real HTTP against the built-in test provider: the whole flow, and every way it must refuse."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import ECKey

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.web.auth import oidc
from vitnemal.web.context import Web
from vitnemal.web.pages import add_pages
from vitnemal.web.sessions import COOKIE

TESTPERSON1 = "01536112185"


@pytest.fixture
def portal(web_settings, db_url):
    port = free_port()
    settings = replace(web_settings, public_url=f"http://127.0.0.1:{port}")
    app = FastAPI()
    add_pages(app, settings, Web.open(settings, db_url))
    with BackgroundServer(app, port=port) as server:
        yield app, server


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in {html[:300]}"
    return match.group(1)


def _to_test_idp(client: httpx.Client) -> httpx.Response:
    page = client.get("/auth/login?next=/my-results")
    assert 'href="/auth/start/idporten?next=/my-results"' in page.text
    return client.get("/auth/start/idporten?next=/my-results")


def _log_in(client: httpx.Client, pid: str = TESTPERSON1, acr: str = "idporten-loa-substantial") -> httpx.Response:
    idp_page = _to_test_idp(client)
    assert idp_page.url.path == "/test-idp/authorize"
    return client.post("/test-idp/authorize", data={
        "csrf_token": _field(idp_page.text, "csrf_token"), "request": _field(idp_page.text, "request"),
        "pid": pid, "acr": acr, "action": "login"})


def test_log_in_as_testperson1_and_out_again(portal) -> None:
    _, server = portal
    with httpx.Client(base_url=server.url, follow_redirects=True) as client:
        idp_page = _to_test_idp(client)
        query = dict(idp_page.url.params)
        assert query["code_challenge_method"] == "S256" and query["acr_values"] == "idporten-loa-substantial"
        assert query["state"] and query["nonce"] and len(query["code_challenge"]) == 43
        assert 'name="pid"' in idp_page.text
        anonymous_cookie = client.cookies[COOKIE]
        landed = client.post("/test-idp/authorize", data={
            "csrf_token": _field(idp_page.text, "csrf_token"), "request": _field(idp_page.text, "request"),
            "pid": TESTPERSON1, "acr": "idporten-loa-substantial", "action": "login"})
        assert landed.url.path == "/my-results" and "Mine resultater" in landed.text
        assert "Testperson1 Resultatutveksling" in landed.text
        # A new session id at login: whoever knew the anonymous cookie has nothing.
        assert client.cookies[COOKIE] != anonymous_cookie
        out = client.post("/auth/logout", data={"csrf_token": _field(landed.text, "csrf_token")})
        assert [r.url.path for r in out.history] == ["/auth/logout", "/test-idp/endsession"]
        assert out.url.path == "/auth/logged-out" and "Du er logget ut." in out.text
        assert client.get("/my-results").url.path == "/auth/login"


def test_a_low_level_of_assurance_is_refused(portal) -> None:
    _, server = portal
    with httpx.Client(base_url=server.url, follow_redirects=True) as client:
        answer = _log_in(client, acr="idporten-loa-low")
        assert answer.url.path == "/auth/login" and answer.url.params["problem"] == "acr"
        assert "for lavt sikkerhetsnivå" in answer.text
        assert client.get("/my-results").url.path == "/auth/login"


def test_a_callback_with_another_state_is_refused(portal) -> None:
    _, server = portal
    with httpx.Client(base_url=server.url) as client:
        idp_page = _to_test_idp(client)
        idp_page = client.get(idp_page.headers["location"])
        answer = client.post("/test-idp/authorize", data={
            "csrf_token": _field(idp_page.text, "csrf_token"), "request": _field(idp_page.text, "request"),
            "pid": TESTPERSON1, "acr": "idporten-loa-substantial", "action": "login"})
        callback = httpx.URL(answer.headers["location"])
        forged = callback.copy_set_param("state", "someone-elses-state")
        refused = client.get(str(forged))
        assert refused.status_code == 303 and "problem=invalid" in refused.headers["location"]


def test_the_token_endpoint_wants_the_client_the_verifier_and_a_fresh_code(portal) -> None:
    app, server = portal
    with httpx.Client(base_url=server.url) as client:
        idp_page = client.get(_to_test_idp(client).headers["location"])
        verifier_hidden = client.post("/test-idp/authorize", data={
            "csrf_token": _field(idp_page.text, "csrf_token"), "request": _field(idp_page.text, "request"),
            "pid": TESTPERSON1, "acr": "idporten-loa-substantial", "action": "login"})
        code = httpx.URL(verifier_hidden.headers["location"]).params["code"]
    idp = app.state.test_idp
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": next(iter(idp.redirect_uris)),
            "code_verifier": "not-the-verifier"}
    token_url = f"{server.url}/test-idp/token"
    assert httpx.post(token_url, data=form, auth=(idp.client_id, "wrong")).status_code == 401
    wrong_verifier = httpx.post(token_url, data=form, auth=(idp.client_id, idp.client_secret))
    assert wrong_verifier.status_code == 400 and wrong_verifier.json() == {"error": "invalid_grant"}


def test_the_test_provider_refuses_to_run_in_production(web_settings, db_url) -> None:
    from vitnemal.testidp.provider import NotInProduction, TestProvider

    settings = replace(web_settings, environment="production", oidc_issuer="https://idporten.example",
                       oidc_client_secret="s")
    with pytest.raises(NotInProduction):
        TestProvider(Web.open(settings, db_url))
    app = FastAPI()
    add_pages(app, settings, Web.open(settings, db_url))
    assert not any(getattr(r, "path", "").startswith("/test-idp") for r in app.routes)


def test_production_needs_a_secret_key_and_a_provider(web_settings) -> None:
    from vitnemal.web.auth.providers import ProviderMissing
    from vitnemal.web.secretkey import SecretKeyMissing

    with pytest.raises(SecretKeyMissing, match="VITNEMAL_SECRET_KEY"):
        Web.open(replace(web_settings, environment="production", secret_key=""), "sqlite://")
    with pytest.raises(ProviderMissing, match="VITNEMAL_OIDC_ISSUER"):
        Web.open(replace(web_settings, environment="production"), "sqlite://")


def test_login_starts_are_rate_limited_per_client(portal) -> None:
    app, server = portal
    app.state.web.settings = replace(app.state.web.settings, login_starts_per_5min=2)
    with httpx.Client(base_url=server.url) as client:
        answers = [_to_test_idp(client) for _ in range(3)]
    assert [a.headers["location"].startswith("/auth/login?problem=rate") for a in answers] == [False, False, True]


class _Tokens:
    """ID tokens made by hand, checked by the portal's own verification against the test provider's JWKS."""

    def __init__(self, app: FastAPI, server: BackgroundServer) -> None:
        self.idp = app.state.test_idp
        self.provider = app.state.web.providers[0]
        self.server = server

    def make(self, key: ECKey | None = None, **changes: object) -> str:
        key = key or self.idp.signing_key
        now = int(time.time())
        claims = {"iss": self.idp.issuer, "aud": self.idp.client_id, "iat": now, "exp": now + 60, "nonce": "n-1",
                  "acr": "idporten-loa-substantial", "pid": TESTPERSON1, "sub": "x"} | changes
        return jwt.encode({"alg": "ES256", "kid": key.kid or "k"}, claims, key)

    def verify(self, token: str, nonce: str = "n-1") -> dict:
        async def run() -> dict:
            async with httpx.AsyncClient() as http:
                discovery = await oidc.discover(http, self.provider.issuer, fresh=True)
                return await oidc.verify_id_token(http, self.provider, discovery, token, nonce)

        return asyncio.run(run())


def test_id_tokens_with_a_wrong_signature_low_acr_or_wrong_nonce_are_refused(portal) -> None:
    tokens = _Tokens(*portal)
    assert tokens.verify(tokens.make())["pid"] == TESTPERSON1
    impostor = ECKey.generate_key("P-256")
    impostor_same_kid = ECKey.import_key(impostor.as_dict(private=True) | {"kid": tokens.idp.signing_key.kid})
    cases = {
        "signed by another key": (tokens.make(impostor_same_kid), "invalid"),
        "unknown key id": (tokens.make(impostor), "invalid"),
        "low acr": (tokens.make(acr="idporten-loa-low"), "acr"),
        "no acr": (tokens.make(acr=None), "acr"),
        "wrong nonce": (tokens.make(nonce="n-2"), "invalid"),
        "other audience": (tokens.make(aud="someone-else"), "invalid"),
        "other issuer": (tokens.make(iss="https://evil.example"), "invalid"),
        "expired": (tokens.make(exp=int(time.time()) - 3600), "invalid"),
        "no pid": (tokens.make(pid=None), "invalid"),
    }
    for label, (token, reason) in cases.items():
        with pytest.raises(oidc.LoginFailed) as refused:
            tokens.verify(token)
        assert refused.value.reason == reason, label
    # Another person's claims under Testperson1's genuine signature.
    signature = tokens.make().rpartition(".")[2]
    tampered = tokens.make(pid="19588312510").rpartition(".")[0] + "." + signature
    with pytest.raises(oidc.LoginFailed):
        tokens.verify(tampered)


def test_logout_at_a_provider_on_another_host_goes_through_a_plain_navigation(portal, web_settings, tmp_path,
                                                                              sqlite_template) -> None:
    """The CSP's form-action would stop the logout form's redirect to another host: a page moves on instead."""
    from vitnemal.web.auth.oidc import Provider
    from vitnemal.web.sessions import utcnow

    app, server = portal
    other_port = free_port()
    other_settings = replace(web_settings, public_url=f"http://localhost:{other_port}", home=tmp_path / "other")
    other_db = tmp_path / "other.sqlite"
    shutil.copyfile(sqlite_template, other_db)
    other = FastAPI()
    add_pages(other, other_settings, Web.open(other_settings, f"sqlite:///{other_db}"))
    w = app.state.web
    w.providers.append(Provider("elsewhere", "Elsewhere", f"http://localhost:{other_port}/test-idp", "c", "s"))
    with w.db.session() as db:
        session = w.sessions.create(db, utcnow(), {"pid": TESTPERSON1, "provider": "elsewhere", "id_token": "t"})
    with BackgroundServer(other, port=other_port), httpx.Client(base_url=server.url) as client:
        client.cookies.set(COOKIE, session.cookie)
        mine = client.get("/my-results")
        answer = client.post("/auth/logout", data={"csrf_token": _field(mine.text, "csrf_token")})
        assert answer.status_code == 200
        target = f"http://localhost:{other_port}/test-idp/endsession?"
        assert f'<meta http-equiv="refresh" content="0;url={target}' in answer.text
        assert client.get("/my-results").status_code == 303


def test_a_code_works_once_and_only_with_its_verifier(portal) -> None:
    """The test provider as any client would use it: authorize with PKCE, exchange the code, try it again."""
    import base64
    import hashlib
    import secrets

    app, server = portal
    idp = app.state.test_idp
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    redirect_uri = next(iter(idp.redirect_uris))
    with httpx.Client(base_url=server.url) as client:
        form = client.get("/test-idp/authorize", params={
            "client_id": idp.client_id, "redirect_uri": redirect_uri, "response_type": "code", "scope": "openid",
            "state": "s-1", "nonce": "n-1", "code_challenge": challenge, "code_challenge_method": "S256"})
        assert form.status_code == 200
        sent = client.post("/test-idp/authorize", data={
            "csrf_token": _field(form.text, "csrf_token"), "request": _field(form.text, "request"),
            "pid": TESTPERSON1, "acr": "idporten-loa-high", "action": "login"})
        back = httpx.URL(sent.headers["location"])
        assert back.params["state"] == "s-1"
        exchange = {"grant_type": "authorization_code", "code": back.params["code"], "redirect_uri": redirect_uri,
                    "code_verifier": verifier, "client_id": idp.client_id, "client_secret": idp.client_secret}
        first = client.post("/test-idp/token", data=exchange)  # client_secret_post this time
        again = client.post("/test-idp/token", data=exchange)
        without_pkce = client.get("/test-idp/authorize", params={
            "client_id": idp.client_id, "redirect_uri": redirect_uri, "response_type": "code", "scope": "openid",
            "state": "s-2", "nonce": "n-2"})
    assert first.status_code == 200 and first.json()["token_type"] == "Bearer"
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}
    assert without_pkce.status_code == 303 and "error=invalid_request" in without_pkce.headers["location"]
    claims = jwt.decode(first.json()["id_token"], idp.signing_key).claims
    assert claims["pid"] == TESTPERSON1 and claims["acr"] == "idporten-loa-high" and claims["nonce"] == "n-1"
