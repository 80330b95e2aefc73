"""Authlib's OAuth 2 authorization server on the portal's database: the authorization code grant with PKCE (S256
only, required of every client), client authentication by a JWT the client signs with its registered key
(private_key_jwt, RFC 7523; an assertion lives an hour at most and is used once), codes of one minute and bearer
tokens of five minutes (EMREX 2 allows ten at most), no refresh tokens.

One :class:`Emrex2Server` is made per request around that request's database session (it is cheap), so nothing
here is shared between requests or processes: codes, tokens and used assertions are rows. Routes turn the
framework's request into :class:`FormRequest` and the server's ``(status, body, headers)`` into a response.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, InvalidClientError, InvalidRequestError, OAuth2Payload
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, ClientCredentialsGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from joserfc import jwk, jwt
from joserfc.errors import JoseError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vitnemal.emrex import clients
from vitnemal.emrex.clients import PLATFORM_SCOPES, RegisteredClient
from vitnemal.emrex2.models import Emrex2Assertion, Emrex2Grant, PlatformToken
from vitnemal.portal import rules as portal_rules

ACCESS_TOKEN_SECONDS = 300  # EMREX 2: at most 10 minutes
CODE_SECONDS = 60
# A client assertion may live an hour at most (what Authlib's client and most others make); each jti is remembered
# twice as long, so a copied assertion never authenticates a second time.
ASSERTION_MAX_SECONDS = 3600
SCOPES = ("results",)
AUTH_METHOD = "private_key_jwt"


def digest(secret: str) -> str:
    """Codes and tokens are kept as their SHA-256 only: a copy of the database hands out nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


class RegistryClient(ClientMixin):
    """A client of the registry as Authlib asks about it: its redirect URIs exactly as registered, code flow,
    private_key_jwt only."""

    def __init__(self, client: RegisteredClient, pk: int, grant_type: str | None = None) -> None:
        self.client = client
        self.pk = pk
        self.grant_type = grant_type  # of the token request being answered (None on the authorization endpoint)

    def get_client_id(self) -> str:
        return self.client.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # the request must name one of the registered addresses

    def get_allowed_scope(self, scope: str | None) -> str | None:
        if self.grant_type == "client_credentials":  # a platform: only the scopes it is registered for
            wanted = scope.split() if scope else list(self.client.scopes)
            return " ".join(s for s in wanted if s in self.client.scopes) or None
        if not scope:
            return SCOPES[0]
        return " ".join(s for s in scope.split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.client.urls

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # no shared secrets: a client proves itself with its key

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == AUTH_METHOD and endpoint == "token"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code" or (grant_type == "client_credentials" and bool(self.client.scopes))


class _Payload(OAuth2Payload):
    def __init__(self, values: Mapping[str, Sequence[str]]) -> None:
        self._datalist = {k: list(v) for k, v in values.items()}
        self._data = {k: v[0] for k, v in values.items() if v}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._datalist


class FormRequest(OAuth2Request):
    """An HTTP request as Authlib reads it: the query and the (urlencoded) form, each name with all its values."""

    def __init__(self, method: str, url: str, headers: Mapping[str, str], query: Mapping[str, Sequence[str]],
                 form: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(method, url, headers=dict(headers))
        self._args = {k: v[0] for k, v in query.items() if v}
        self._form = {k: v[0] for k, v in (form or {}).items() if v}
        self.payload = _Payload({**query, **(form or {})})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


@dataclass(frozen=True)
class Consent:
    """What the applicant agreed to on the consent page: the results and the language of the documents."""

    owner_id: str
    owner_name: str
    owner_birth_date: Any
    language: str
    snapshot: list[dict[str, Any]]


class _Code:
    """A stored code as Authlib's grant reads it."""

    def __init__(self, row: Emrex2Grant) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope


class S256Required(CodeChallenge):
    """PKCE is required of every client, confidential ones too, and only with S256 (EMREX 2)."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 (Authlib's class attribute)

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE is required: send code_challenge with code_challenge_method=S256",
                                      redirect_uri=redirect_uri)
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [AUTH_METHOD]  # noqa: RUF012 (Authlib's class attribute)
    AUTHORIZATION_CODE_LENGTH = 43

    @property
    def _server(self) -> Emrex2Server:
        server: Emrex2Server = self.server
        return server

    def save_authorization_code(self, code: str, request: Any) -> Emrex2Grant:
        consent: Consent = request.user
        now = self._server.now
        q, c = portal_rules.counts(consent.snapshot)
        row = Emrex2Grant(
            ref_id=str(uuid.uuid4()), client_pk=request.client.pk, owner_id=consent.owner_id,
            owner_name=consent.owner_name, owner_birth_date=consent.owner_birth_date, language=consent.language,
            scope=request.scope or SCOPES[0], snapshot=consent.snapshot, qualifications_count=q, courses_count=c,
            consented_at=now, redirect_uri=request.payload.redirect_uri, code_hash=digest(code),
            code_challenge=request.payload.data["code_challenge"], code_challenge_method="S256",
            code_expires_at=now + timedelta(seconds=CODE_SECONDS))
        self._server.session.add(row)
        self._server.session.flush()
        self._server.consented = row
        return row

    def query_authorization_code(self, code: str, client: RegistryClient) -> _Code | None:
        server = self._server
        row = server.session.scalar(select(Emrex2Grant).where(Emrex2Grant.code_hash == digest(code)))
        if row is None or row.client_pk != client.pk:
            return None
        if row.code_used_at is not None:
            # A code used twice was seen by someone else: what it gave is taken back (RFC 6749 4.1.2).
            row.revoked_at = row.revoked_at or server.now
            server.replayed = row
            return None
        if server.now >= row.code_expires_at or row.revoked_at is not None:
            return None
        return _Code(row)

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        authorization_code.row.code_used_at = self._server.now

    def authenticate_user(self, authorization_code: _Code) -> Emrex2Grant:
        return authorization_code.row


class PlatformGrant(ClientCredentialsGrant):
    """The platforms' API (issue 10 #7): a client registered with scopes gets a token of those scopes with its
    signed JWT alone (no applicant involved: the API answers only about the platform's own transfers and consents)."""

    TOKEN_ENDPOINT_AUTH_METHODS = [AUTH_METHOD]  # noqa: RUF012 (Authlib's class attribute)


class PrivateKeyJwt(JWTBearerClientAssertion):
    """The client's assertion: signed by a key of its registered JWK Set, for this token endpoint, short-lived,
    each ``jti`` once."""

    CLIENT_AUTH_METHOD = AUTH_METHOD

    def __init__(self, server: Emrex2Server) -> None:
        super().__init__(validate_jti=True, leeway=30)
        self.server = server

    def get_audiences(self) -> list[str]:
        return [self.server.token_url]

    def verify_claims(self, claims: jwt.Claims) -> None:
        super().verify_claims(claims)
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp - self.server.now.timestamp() > ASSERTION_MAX_SECONDS + 30:
            raise InvalidClientError(description=f"the client assertion may live {ASSERTION_MAX_SECONDS} s at most")

    def validate_jti(self, claims: Mapping[str, Any], jti: object) -> bool:
        if not isinstance(jti, str) or not 0 < len(jti) <= 200:
            return False
        session, now = self.server.session, self.server.now
        key = digest(f"{claims['sub']}\n{jti}")
        session.execute(delete(Emrex2Assertion).where(Emrex2Assertion.expires_at < now))
        if session.get(Emrex2Assertion, key) is not None:
            return False
        session.add(Emrex2Assertion(jti_hash=key, expires_at=now + timedelta(seconds=2 * ASSERTION_MAX_SECONDS)))
        session.flush()
        return True

    def resolve_client_public_key(self, client: RegistryClient) -> jwk.KeySet:
        try:
            return jwk.KeySet.import_key_set(dict(client.client.jwks or {}))  # type: ignore[arg-type]
        except (ValueError, KeyError, TypeError, JoseError):
            # The registry only checks a key set's shape; a key that does not import is the operator's to fix.
            raise InvalidClientError(description="the client's registered key cannot be read: ask the portal's "
                                                 "operator to register the client's public key again") from None


class Emrex2Server(AuthorizationServer):
    """The authorization server for one request, on its session (never committed here)."""

    def __init__(self, session: Session, *, now: datetime, token_url: str) -> None:
        super().__init__(scopes_supported=list(SCOPES) + list(PLATFORM_SCOPES))
        self.session = session
        self.now = now
        self.token_url = token_url
        self.consented: Emrex2Grant | None = None
        self.replayed: Emrex2Grant | None = None
        self.token_grant: Emrex2Grant | None = None
        self.register_client_auth_method(AUTH_METHOD, PrivateKeyJwt(self))
        self.register_grant(CodeGrant, [S256Required(required=True)])
        self.register_grant(PlatformGrant)
        self.grant_type: str | None = None
        self.register_token_generator("default", BearerTokenGenerator(
            lambda **_: secrets.token_urlsafe(32), expires_generator=lambda *_: ACCESS_TOKEN_SECONDS))

    def query_client(self, client_id: str) -> RegistryClient | None:
        found = clients.get_client(self.session, client_id) if isinstance(client_id, str) else None
        if found is None or not found.active or found.kind != "emrex2" or not found.jwks:
            return None
        pk = clients.client_pk(self.session, client_id)
        return RegistryClient(found, pk, self.grant_type) if pk is not None else None

    def create_token_response(self, request: Any = None) -> Any:
        self.grant_type = request.payload.grant_type if request is not None else None
        return super().create_token_response(request)

    def save_token(self, token: Mapping[str, Any], request: Any) -> None:
        if request.payload.grant_type == "client_credentials":
            self.session.execute(delete(PlatformToken).where(PlatformToken.expires_at < self.now))
            self.session.add(PlatformToken(token_hash=digest(str(token["access_token"])), client_pk=request.client.pk,
                                           scope=str(token.get("scope", "")),
                                           expires_at=self.now + timedelta(seconds=int(token["expires_in"]))))
            return
        row: Emrex2Grant = request.authorization_code.row
        row.token_hash = digest(str(token["access_token"]))
        row.token_expires_at = self.now + timedelta(seconds=int(token["expires_in"]))
        self.token_grant = row

    def create_oauth2_request(self, request: Any) -> Any:
        return request  # the routes make the FormRequest

    def create_json_request(self, request: Any) -> Any:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, list(headers)

    def send_signal(self, name: str, *args: object, **kwargs: object) -> None:
        return None
