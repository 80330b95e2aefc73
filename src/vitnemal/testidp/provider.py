"""The test provider's endpoints under ``/test-idp`` (its issuer is ``<public URL>/test-idp``), and its Feide-like
side for staff under ``/test-idp/feide`` (issuer ``<public URL>/test-idp/feide``, client ``vitnemal-staff``).

Like ID-porten it needs PKCE (S256), state and nonce, knows one registered client (``VITNEMAL_OIDC_CLIENT_ID``, its
secret derived from the shared secret key) with one redirect URI, and signs ID tokens with ES256. It keeps nothing
in memory: its signing key is derived from the secret key, the authorization request travels through the login
form sealed (JWE), the code is sealed the same way and lives a minute, and a used code is marked in the web
database's rate counters so it works once, across processes.

The Feide-like side works the same way with its own keys and client; its login form takes a staff user name
(eduPersonPrincipalName) instead of a national id, and its ID token carries that name and no national id or level.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from joserfc import jwe, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OctKey

from vitnemal import ratelimit
from vitnemal.institutions.registry import Registry
from vitnemal.testidp.people import name_of, test_people
from vitnemal.testidp.staff import TestStaff, registry_staff
from vitnemal.web.auth.oidc import ACR_LEVELS, USERNAME
from vitnemal.web.auth.providers import (
    FEIDE_USER_CLAIM,
    TEST_FEIDE_CLIENT_ID,
    TEST_FEIDE_PATH,
    TEST_IDP_PATH,
    test_feide_client_secret,
    test_feide_issuer,
    test_idp_client_secret,
    test_idp_issuer,
)
from vitnemal.web.context import Web, language, web
from vitnemal.web.routing import page_router
from vitnemal.web.secretkey import derive
from vitnemal.web.sessions import utcnow
from vitnemal.web.templating import gettext_for, register_templates, render

register_templates(Path(__file__).parent / "templates")
CODE_LIFETIME_S = 60
FORM_LIFETIME_S = 900
ID_TOKEN_LIFETIME_S = 120
_PID = re.compile(r"[0-9]{11}")
_ONCE = ratelimit.Limit(count=1, window_s=CODE_LIFETIME_S * 2)


class NotInProduction(RuntimeError):
    """The test provider logs anyone in as anyone; it must never serve a production deployment."""


class TestProvider:
    """Keys and registration of the test provider, all derived from the web's settings and secret.

    ``flavour`` is ``idporten`` (people: a national id and a level) or ``feide`` (staff: a user name); each has its
    own issuer, client, keys and sealing boxes, so nothing made by one is accepted by the other.
    """

    def __init__(self, w: Web, flavour: str = "idporten") -> None:
        if w.settings.production:
            raise NotInProduction("the built-in test identity provider refuses to run when VITNEMAL_ENVIRONMENT "
                                  "is production; set VITNEMAL_OIDC_ISSUER to the real provider (ID-porten)")
        self.web = w
        self.flavour = flavour
        base = w.settings.public_url.rstrip("/")
        self.redirect_uris = {base + "/auth/callback"}
        if flavour == "feide":
            self.path = TEST_FEIDE_PATH
            self.issuer = test_feide_issuer(w.settings)
            self.client_id = TEST_FEIDE_CLIENT_ID
            self.client_secret = test_feide_client_secret(w.secret)
            self.logout_uris = {base + "/staff/logged-out"}
            self._label = "test-feide"
        else:
            self.path = TEST_IDP_PATH
            self.issuer = test_idp_issuer(w.settings)
            self.client_id = w.settings.oidc_client_id
            self.client_secret = test_idp_client_secret(w.secret)
            self.logout_uris = {base + "/auth/logged-out"}
            self._label = "test-idp"

    @property
    def staff(self) -> bool:
        return self.flavour == "feide"

    @cached_property
    def signing_key(self) -> ECKey:
        # Every process derives the same P-256 key from the shared secret: no key file, no key in memory only.
        scalar = int.from_bytes(derive(self.web.secret, f"{self._label}-signing"), "big") % (2**256 - 2**224) + 1
        private = ec.derive_private_key(scalar, ec.SECP256R1())
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        key = ECKey.import_key(pem)
        key.ensure_kid()
        return key

    def seal(self, purpose: str, data: dict[str, Any], lifetime_s: int) -> str:
        payload = json.dumps({**data, "exp": int(time.time()) + lifetime_s}).encode()
        return jwe.encrypt_compact({"alg": "dir", "enc": "A256GCM"}, payload, self._box(purpose))

    def unseal(self, purpose: str, value: str) -> dict[str, Any] | None:
        if len(value) > 8192:
            return None
        try:
            data = json.loads(jwe.decrypt_compact(value, self._box(purpose)).plaintext or b"")
        except (JoseError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("exp"), int) or data["exp"] < time.time():
            return None
        return data

    def _box(self, purpose: str) -> OctKey:
        return OctKey.import_key(derive(self.web.secret, f"{self._label}-{purpose}"))

    def client_ok(self, client_id: str | None, client_secret: str | None) -> bool:
        return client_id == self.client_id and client_secret is not None and hmac.compare_digest(
            client_secret.encode(), self.client_secret.encode())

    def discovery(self) -> dict[str, Any]:
        if self.staff:
            return {**self._discovery(), "acr_values_supported": [],
                    "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "name", FEIDE_USER_CLAIM]}
        return self._discovery()

    def _discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "end_session_endpoint": self.issuer + "/endsession",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile"],
            "acr_values_supported": list(ACR_LEVELS[1:]),
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "acr", "amr", "pid", "locale", "sid"],
            "ui_locales_supported": ["nb", "nn", "en", "se"],
        }


def _provider(request: Request) -> TestProvider:
    # One set of handlers serves both sides; the path says which provider is asked.
    flavour = "feide" if request.url.path.startswith(TEST_FEIDE_PATH + "/") else "idporten"
    found: TestProvider = request.app.state.test_idps[flavour]
    return found


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def discovery(request: Request) -> JSONResponse:
    return JSONResponse(_provider(request).discovery())


def jwks(request: Request) -> JSONResponse:
    return JSONResponse({"keys": [_provider(request).signing_key.as_dict(private=False, use="sig", alg="ES256")]})


def _bad_request(request: Request) -> HTMLResponse:
    return render(request, "web/error.html", {"status": 400, "reason": "other"}, status_code=400)


def authorize(request: Request) -> Response:
    idp = _provider(request)
    q = {k: v[:2000] for k, v in request.query_params.items()}
    # Until the client and its redirect URI are known good, errors are shown here, never redirected.
    if q.get("client_id") != idp.client_id or q.get("redirect_uri") not in idp.redirect_uris:
        return _bad_request(request)
    problems = [name for name, ok in (
        ("response_type", q.get("response_type") == "code"),
        ("scope", "openid" in q.get("scope", "").split()),
        ("code_challenge", bool(q.get("code_challenge")) and q.get("code_challenge_method") == "S256"),
        ("state", bool(q.get("state"))), ("nonce", bool(q.get("nonce"))),
    ) if not ok]
    if problems:
        return RedirectResponse(q["redirect_uri"] + "?" + urlencode({
            "error": "invalid_request", "error_description": "missing or wrong: " + ", ".join(problems),
            "state": q.get("state", "")}), status_code=303)
    sealed = idp.seal("form", {k: q[k] for k in ("client_id", "redirect_uri", "code_challenge", "state", "nonce")}
                      | {"ui_locales": q.get("ui_locales", "nb")}, FORM_LIFETIME_S)
    return _login_form(request, idp, sealed)


def _staff_users(w: Web) -> list[TestStaff]:
    try:
        registry = Registry.load(w.settings.registry_path)
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return registry_staff(registry)


def _login_form(request: Request, idp: TestProvider, sealed: str, error: str | None = None, pid: str = "",
                status_code: int = 200) -> HTMLResponse:
    if idp.staff:
        return render(request, "testidp/feide_login.html", {
            "action": idp.path + "/authorize", "signed_request": sealed, "error": error, "username": pid,
            "users": _staff_users(web(request)),
        }, status_code=status_code)
    _ = gettext_for(language(request))
    levels = [("idporten-loa-substantial", _("Substantial (MinID)")), ("idporten-loa-high", _("High (BankID)")),
              ("idporten-loa-low", _("Low (to test that the portal refuses it)"))]
    return render(request, "testidp/login.html", {
        "action": TEST_IDP_PATH + "/authorize", "signed_request": sealed, "error": error, "pid": pid,
        "people": test_people(web(request).settings.home), "levels": levels,
    }, status_code=status_code)


def authorize_submit(request: Request, sealed: str = Form(..., alias="request", max_length=8192),
                     pid: str = Form("", max_length=40), acr: str = Form("", max_length=40),
                     username: str = Form("", max_length=200),
                     action: str = Form("login", max_length=10)) -> Response:
    idp = _provider(request)
    auth = idp.unseal("form", sealed)
    if auth is None:
        return _bad_request(request)
    back = auth["redirect_uri"]
    if action == "cancel":
        return RedirectResponse(back + "?" + urlencode({"error": "access_denied", "state": auth["state"]}),
                                status_code=303)
    if idp.staff:
        username = username.strip().lower()
        if not USERNAME.fullmatch(username):
            _ = gettext_for(language(request))
            return _login_form(request, idp, sealed, _("Type a user name such as kari@uio.no."), username[:200],
                               status_code=400)
        who = {"user": username}
    else:
        pid = pid.replace(" ", "")
        if not _PID.fullmatch(pid) or acr not in ACR_LEVELS:
            _ = gettext_for(language(request))
            return _login_form(request, idp, sealed, _("Type the national identity number as 11 digits."),
                               pid[:11], status_code=400)
        who = {"pid": pid, "acr": acr}
    code = idp.seal("code", {**who, "nonce": auth["nonce"], "client_id": auth["client_id"],
                             "redirect_uri": back, "code_challenge": auth["code_challenge"],
                             "locale": auth["ui_locales"].split()[0][:5] if auth["ui_locales"] else "nb",
                             "jti": secrets.token_urlsafe(16), "auth_time": int(time.time())}, CODE_LIFETIME_S)
    return RedirectResponse(back + "?" + urlencode({"code": code, "state": auth["state"]}), status_code=303)


def _token_error(error: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status, headers={"cache-control": "no-store"})


def _basic_auth(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic ") or len(header) > 1024:
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None, None
    return unquote(user), unquote(password)


def token(request: Request, grant_type: str = Form(..., max_length=40), code: str = Form(..., max_length=8192),
          redirect_uri: str = Form(..., max_length=2000), code_verifier: str = Form("", max_length=200),
          client_id: str | None = Form(None, max_length=200),
          client_secret: str | None = Form(None, max_length=200)) -> JSONResponse:
    idp = _provider(request)
    basic_id, basic_secret = _basic_auth(request)
    if not idp.client_ok(basic_id or client_id, basic_secret or client_secret):
        return _token_error("invalid_client", 401)
    if grant_type != "authorization_code":
        return _token_error("unsupported_grant_type")
    grant = idp.unseal("code", code)
    if (grant is None or grant["client_id"] != idp.client_id or grant["redirect_uri"] != redirect_uri
            or not hmac.compare_digest(_s256(code_verifier), grant["code_challenge"])):
        return _token_error("invalid_grant")
    w = web(request)
    with w.db.session() as db:
        if not ratelimit.hit(db, f"{idp._label}-code:{grant['jti']}", _ONCE, utcnow()).allowed:
            return _token_error("invalid_grant")  # a code works once
    claims = _staff_claims(idp, w, grant) if idp.staff else _person_claims(idp, w, grant)
    key = idp.signing_key
    id_token = jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key)
    return JSONResponse({"access_token": secrets.token_urlsafe(32), "token_type": "Bearer", "expires_in": 120,
                         "id_token": id_token, "scope": "openid profile"}, headers={"cache-control": "no-store"})


def _common_claims(idp: TestProvider, w: Web, grant: dict[str, Any], who: str) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": idp.issuer, "aud": idp.client_id, "iat": now, "exp": now + ID_TOKEN_LIFETIME_S,
            "sub": base64.urlsafe_b64encode(derive(w.secret, f"{idp._label}-sub:{who}")).decode().rstrip("="),
            "nonce": grant["nonce"], "locale": grant["locale"], "auth_time": grant["auth_time"],
            "sid": secrets.token_urlsafe(12)}


def _person_claims(idp: TestProvider, w: Web, grant: dict[str, Any]) -> dict[str, Any]:
    pid = grant["pid"]
    claims = {**_common_claims(idp, w, grant, pid), "acr": grant["acr"], "amr": ["TestID"], "pid": pid}
    name = name_of(w.settings.home, pid)
    if name:
        claims["name"] = name
    return claims


def _staff_claims(idp: TestProvider, w: Web, grant: dict[str, Any]) -> dict[str, Any]:
    user = grant["user"]
    claims = {**_common_claims(idp, w, grant, user), FEIDE_USER_CLAIM: user}
    name = next((u.name for u in _staff_users(w) if u.username == user), None)
    if name:
        claims["name"] = name
    return claims


def end_session(request: Request, post_logout_redirect_uri: str | None = None,
                state: str | None = None) -> Response:
    idp = _provider(request)
    if post_logout_redirect_uri in idp.logout_uris:
        target = post_logout_redirect_uri + (("?" + urlencode({"state": state[:200]})) if state else "")
        return RedirectResponse(target, status_code=303)
    return RedirectResponse("/staff/logged-out" if idp.staff else "/auth/logged-out", status_code=303)


def _routers(prefix: str) -> tuple[APIRouter, APIRouter]:
    api = APIRouter(prefix=prefix, include_in_schema=False)
    pages = page_router(prefix=prefix)
    api.add_api_route("/.well-known/openid-configuration", discovery, methods=["GET"])
    api.add_api_route("/jwks", jwks, methods=["GET"])
    api.add_api_route("/token", token, methods=["POST"])
    pages.add_api_route("/authorize", authorize, methods=["GET"], response_class=HTMLResponse)
    pages.add_api_route("/authorize", authorize_submit, methods=["POST"])
    pages.add_api_route("/endsession", end_session, methods=["GET"])
    return api, pages


def install(app: Any, w: Web) -> None:
    """Serve the test provider and its Feide-like side on ``app`` (raises NotInProduction in production)."""
    app.state.test_idps = {"idporten": TestProvider(w), "feide": TestProvider(w, "feide")}
    app.state.test_idp = app.state.test_idps["idporten"]
    # The Feide-like side first: its paths are longer and share the prefix.
    for prefix in (TEST_FEIDE_PATH, TEST_IDP_PATH):
        for router in _routers(prefix):
            app.include_router(router)
