"""OpenID Connect login (authorization code flow with PKCE S256, state and nonce) against any standard provider.

The provider is found through its discovery document. Authlib builds the authorization URL (with the S256 code
challenge) and exchanges the code at the token endpoint with the client authentication the discovery document
allows (client_secret_basic preferred, else client_secret_post). The ID token is then checked here with joserfc
(Authlib's own JOSE module is deprecated in its favour): signature against the provider's JWKS, issuer, audience,
expiry, nonce, and the level of assurance (``acr``) when the provider has a minimum, before its ``pid`` is trusted.

Discovery documents and key sets are cached per process for a few minutes: they are the provider's public
configuration, not anyone's state. A key id not in the cached set fetches the set again once (key rotation).
"""

from __future__ import annotations

import json
import re
import secrets
import ssl
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import AsyncOAuth2Client

# Authlib (1.6) warns, always, on importing its httpx client that "the httpx module is deprecated" in favour of an
# httpx2 that is not ours to choose: the operator saw two lines of English developer warning on every command that
# opens the web database (review R49). This filter, added after Authlib's own "always", takes precedence; the client
# is imported only where a login needs it.
warnings.filterwarnings("ignore", message="The httpx module is deprecated", category=AuthlibDeprecationWarning)

# ID-porten's levels of assurance, lowest first; a provider's minimum is one of them.
ACR_LEVELS = ("idporten-loa-low", "idporten-loa-substantial", "idporten-loa-high")
# Asymmetric signatures only: "none" and HMAC (keyed with the client secret) never prove the provider signed it.
ALLOWED_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
_CACHE_S = 300.0
_MAX_DOCUMENT = 256 * 1024
_LEEWAY_S = 60
_TIMEOUT = httpx.Timeout(10.0)
_PID = re.compile(r"[0-9]{11}")
# A staff login's user name (Feide's eduPersonPrincipalName, user@realm); bounded, lower-cased by the caller.
USERNAME = re.compile(r"[A-Za-z0-9._%+-]{1,100}@[A-Za-z0-9.-]{1,99}")


class LoginFailed(Exception):
    """The login could not be completed; ``reason`` is shown to the user (acr, cancelled, unavailable, invalid)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Provider:
    """One identity provider a login page offers.

    ``kind`` says who logs in with it: ``person`` (an owner or a student: the national id in ``pid_claim``) or
    ``staff`` (a member of an institution's staff: the user name in ``user_claim``, and no national id needed).
    """

    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    min_acr: str | None = "idporten-loa-substantial"
    pid_claim: str = "pid"
    scope: str = "openid profile"
    kind: str = "person"
    user_claim: str | None = None


@dataclass(frozen=True)
class PendingLogin:
    """What the browser's session remembers between sending the user to the provider and the callback."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    next_path: str
    started: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: Any) -> PendingLogin | None:
        try:
            return cls(**data)
        except TypeError:
            return None


@dataclass(frozen=True)
class Identity:
    """Who logged in: the national id (a person) or the user name (staff), the provider's claims, and the ID token
    (for the logout hint)."""

    national_id: str | None
    claims: dict[str, Any]
    id_token: str
    username: str | None = None


_cache: dict[str, tuple[float, Any]] = {}
_tls: list[ssl.SSLContext] = []


def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (the same trust store), made once per process: a client made without one
    builds and loads its own, 50 ms of CPU at load 8 on this machine (0.6 ms with this one), and a login made
    four clients (issue 9, the login figure)."""
    if not _tls:
        _tls.append(httpx.create_ssl_context())
    return _tls[0]


def http_client() -> httpx.AsyncClient:
    """A client for the provider's discovery document, key set and logout (per request, on the shared context)."""
    return httpx.AsyncClient(verify=tls_context(), timeout=_TIMEOUT)


async def _get_json(http: httpx.AsyncClient, url: str) -> Any:
    try:
        answer = await http.get(url, timeout=_TIMEOUT)
    except httpx.HTTPError as exc:
        raise LoginFailed("unavailable", f"{url} did not answer: {exc}") from exc
    if answer.status_code != 200 or len(answer.content) > _MAX_DOCUMENT:
        raise LoginFailed("unavailable", f"{url} answered {answer.status_code} ({len(answer.content)} bytes)")
    try:
        return answer.json()
    except ValueError as exc:
        raise LoginFailed("unavailable", f"{url} did not answer JSON") from exc


async def discover(http: httpx.AsyncClient, issuer: str, *, fresh: bool = False) -> dict[str, Any]:
    """The provider's discovery document; its ``issuer`` must be exactly the one configured (OIDC Discovery 4.3)."""
    key = f"discovery:{issuer}"
    hit = _cache.get(key)
    if hit and not fresh and time.monotonic() - hit[0] < _CACHE_S:
        return dict(hit[1])
    document = await _get_json(http, issuer.rstrip("/") + "/.well-known/openid-configuration")
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise LoginFailed("unavailable", f"the discovery document of {issuer} names another issuer")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(name), str):
            raise LoginFailed("unavailable", f"the discovery document of {issuer} has no {name}")
    _cache[key] = (time.monotonic(), document)
    return dict(document)


async def _key_set(http: httpx.AsyncClient, jwks_uri: str, *, fresh: bool = False) -> KeySet:
    key = f"jwks:{jwks_uri}"
    hit = _cache.get(key)
    if hit and not fresh and time.monotonic() - hit[0] < _CACHE_S:
        cached: KeySet = hit[1]
        return cached
    try:
        keys = KeySet.import_key_set(await _get_json(http, jwks_uri))
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise LoginFailed("unavailable", f"{jwks_uri} is not a usable key set: {exc}") from exc
    _cache[key] = (time.monotonic(), keys)
    return keys


def auth_method(discovery: dict[str, Any]) -> str:
    """client_secret_basic when the provider allows it (the default, RFC 8414), else client_secret_post."""
    methods = discovery.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    for method in ("client_secret_basic", "client_secret_post"):
        if method in methods:
            return method
    raise LoginFailed("unavailable", f"the provider allows neither client_secret_basic nor _post: {methods}")


def _client(provider: Provider, redirect_uri: str, method: str = "client_secret_basic") -> AsyncOAuth2Client:
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    return AsyncOAuth2Client(
        client_id=provider.client_id, client_secret=provider.client_secret, scope=provider.scope,
        redirect_uri=redirect_uri, code_challenge_method="S256", token_endpoint_auth_method=method,
        timeout=_TIMEOUT, verify=tls_context(),
    )


async def start(http: httpx.AsyncClient, provider: Provider, redirect_uri: str, next_path: str,
                ui_locale: str) -> tuple[str, PendingLogin]:
    """The provider's authorization URL to send the browser to, and what the session must remember."""
    discovery = await discover(http, provider.issuer)
    pending = PendingLogin(provider=provider.name, state=secrets.token_urlsafe(24), nonce=secrets.token_urlsafe(24),
                           code_verifier=secrets.token_urlsafe(48), next_path=next_path, started=time.time())
    extra: dict[str, str] = {"nonce": pending.nonce, "ui_locales": ui_locale}
    if provider.min_acr:
        extra["acr_values"] = provider.min_acr
    async with _client(provider, redirect_uri) as client:
        url, _ = client.create_authorization_url(discovery["authorization_endpoint"], state=pending.state,
                                                 code_verifier=pending.code_verifier, **extra)
    return url, pending


async def finish(http: httpx.AsyncClient, provider: Provider, redirect_uri: str, pending: PendingLogin,
                 code: str) -> Identity:
    """Exchange the code (with the PKCE verifier) and return the identity from the checked ID token."""
    discovery = await discover(http, provider.issuer)
    async with _client(provider, redirect_uri, auth_method(discovery)) as client:
        try:
            token = await client.fetch_token(discovery["token_endpoint"], grant_type="authorization_code",
                                             code=code, code_verifier=pending.code_verifier)
        except httpx.HTTPError as exc:
            raise LoginFailed("unavailable", f"the token endpoint did not answer: {exc}") from exc
        except Exception as exc:  # Authlib raises OAuthError (and others) for an error answer
            raise LoginFailed("invalid", f"the token endpoint refused the code: {exc}") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or len(id_token) > _MAX_DOCUMENT:
        raise LoginFailed("invalid", "the token answer has no ID token")
    claims = await verify_id_token(http, provider, discovery, id_token, pending.nonce)
    if provider.kind == "staff" and provider.user_claim:
        return Identity(national_id=None, claims=claims, id_token=id_token,
                        username=claims[provider.user_claim].lower())
    return Identity(national_id=claims[provider.pid_claim], claims=claims, id_token=id_token)


async def verify_id_token(http: httpx.AsyncClient, provider: Provider, discovery: dict[str, Any], id_token: str,
                          nonce: str, now: float | None = None) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, times, nonce, acr and pid are right."""
    keys = await _key_set(http, discovery["jwks_uri"])
    try:
        kid = _header(id_token).get("kid")
        if kid is not None and not any(k.kid == kid for k in keys.keys):
            keys = await _key_set(http, discovery["jwks_uri"], fresh=True)
        token = jwt.decode(id_token, keys, algorithms=list(ALLOWED_ALGS))
    except (JoseError, ValueError) as exc:
        raise LoginFailed("invalid", f"the ID token's signature does not verify: {exc}") from exc
    return check_claims(provider, dict(token.claims), nonce, now)


def check_claims(provider: Provider, claims: dict[str, Any], nonce: str, now: float | None = None) -> dict[str, Any]:
    """The claim checks of OIDC Core 3.1.3.7, plus the level of assurance and the national id."""
    now = time.time() if now is None else now
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    problems = []
    if claims.get("iss") != provider.issuer:
        problems.append(f"issuer {claims.get('iss')!r}")
    if provider.client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != provider.client_id):
        problems.append(f"audience {audience!r}")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or exp < now - _LEEWAY_S:
        problems.append("expired")
    if not isinstance(iat, int | float) or iat > now + _LEEWAY_S:
        problems.append("issued in the future")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(claims["nonce"], nonce):
        problems.append("nonce")
    if problems:
        raise LoginFailed("invalid", "the ID token is not for this login: " + ", ".join(problems))
    if provider.min_acr is not None:
        acr = claims.get("acr")
        if acr not in ACR_LEVELS or ACR_LEVELS.index(acr) < ACR_LEVELS.index(provider.min_acr):
            raise LoginFailed("acr", f"level of assurance {acr!r} is below {provider.min_acr}")
    if provider.kind == "staff" and provider.user_claim:
        user = claims.get(provider.user_claim)
        if not isinstance(user, str) or not USERNAME.fullmatch(user):
            raise LoginFailed("invalid", f"the ID token has no user name in {provider.user_claim!r}")
        return claims
    pid = claims.get(provider.pid_claim)
    if not isinstance(pid, str) or not _PID.fullmatch(pid):
        raise LoginFailed("invalid", f"the ID token has no national id in {provider.pid_claim!r}")
    return claims


def _header(token: str) -> dict[str, Any]:
    import base64

    head = token.split(".", 1)[0]
    value = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    if not isinstance(value, dict):
        raise ValueError("the token header is not an object")
    return value


async def logout_url(http: httpx.AsyncClient, provider: Provider, id_token: str | None,
                     post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so the provider ends its session too (None if it has no end_session_endpoint)."""
    try:
        discovery = await discover(http, provider.issuer)
    except LoginFailed:
        return None
    endpoint = discovery.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    params = {"post_logout_redirect_uri": post_logout_redirect_uri, "client_id": provider.client_id}
    if id_token:
        params["id_token_hint"] = id_token
    return str(httpx.URL(endpoint, params=params))
