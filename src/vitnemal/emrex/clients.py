"""The EMREX client registry (one for EMREX 1 and EMREX 2): adding, listing, finding and removing clients.

Every function takes a session and never commits. Everything an operator types is checked here, before anything
is written, and refused with :class:`vitnemal.emrex.rules.EmrexRefused` in words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.emrex import rules
from vitnemal.emrex.models import EmrexClient, EmrexClientUrl
from vitnemal.emrex.rules import EmrexRefused

KINDS = ("emrex1", "emrex2")
PLATFORM_SCOPES = ("transfers:read", "consents:read")
MAX_URLS = 10
MAX_KEYS = 10
MAX_EMAIL = 254
_CLIENT_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")
_EMAIL = re.compile(r"[^@\s<>\"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}")
# JWK members that only a private key has (RFC 7518 6.2.2, 6.3.2, 6.4; RFC 8037): a registry holds public keys.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


@dataclass(frozen=True)
class RegisteredClient:
    """A client as the registry knows it (a plain value: safe to use after the session is gone)."""

    client_id: str
    name: str
    kind: str
    urls: tuple[str, ...]
    contact_email: str
    website: str | None
    jwks: Mapping[str, Any] | None
    national_id: bool
    created_at: datetime
    removed_at: datetime | None
    scopes: tuple[str, ...] = ()  # what it may ask of the platforms' API (client credentials)
    webhook_url: str | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None


def _value(row: EmrexClient) -> RegisteredClient:
    return RegisteredClient(row.client_id, row.name, row.kind, tuple(u.url for u in row.urls), row.contact_email,
                            row.website, row.jwks, row.national_id, row.created_at, row.removed_at,
                            tuple((row.scopes or "").split()), row.webhook_url)


def check_platform(kind: str, scopes: Sequence[str], webhook_url: str | None, *,
                   production: bool) -> tuple[str, str | None]:
    """(the scopes as stored, the webhook address normalised); refused unless each scope is a platform scope and
    the client authenticates with a key (EMREX 2 clients do), and the address is one a return address could be."""
    unknown = [s for s in scopes if s not in PLATFORM_SCOPES]
    if unknown:
        raise EmrexRefused(f"unknown scope {unknown[0]}: the platforms' API has {', '.join(PLATFORM_SCOPES)}")
    if (scopes or webhook_url) and kind != "emrex2":
        raise EmrexRefused("the platforms' API and webhooks are for clients with a registered key (kind emrex2)")
    return " ".join(dict.fromkeys(scopes)), (rules.normalise_url(webhook_url, production=production)
                                             if webhook_url else None)


def check_client_id(value: str) -> str:
    if not _CLIENT_ID.fullmatch(value):
        raise EmrexRefused("the client id must be 2–64 lower-case letters, digits or hyphens, starting with a letter "
                           "or digit (e.g. demo-rekruttering)")
    return value


def check_jwks(jwks: object) -> dict[str, Any]:
    """A JWK Set of 1–10 public keys, each with ``kty`` and a ``kid`` (interop's private_key_jwt picks by kid)."""
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not 1 <= len(keys) <= MAX_KEYS:
        raise EmrexRefused(f'the key set must be a JWK Set: {{"keys": [...]}} with 1–{MAX_KEYS} keys')
    kids = set()
    for key in keys:
        if not isinstance(key, dict) or not isinstance(key.get("kty"), str):
            raise EmrexRefused("every key in the key set needs a kty (RSA, EC or OKP)")
        if key["kty"] == "oct" or _PRIVATE_MEMBERS & set(key):
            raise EmrexRefused("the key set holds a private or secret key: register the public key only")
        try:  # a mistyped key is found here, not at the client's first signed JWT
            from joserfc.jwk import JWKRegistry

            JWKRegistry.import_key(key)
        except Exception as exc:  # joserfc raises several kinds for a key it cannot read
            raise EmrexRefused(f"a key in the key set cannot be read as a public {key['kty']} key ({exc})") from None
        kid = key.get("kid")
        if not isinstance(kid, str) or not 0 < len(kid) <= 200 or kid in kids:
            raise EmrexRefused("every key in the key set needs its own kid")
        kids.add(kid)
    return {"keys": keys}


def _check(*, name: str, kind: str, urls: Sequence[str], contact_email: str, website: str | None,
           jwks: object | None, production: bool) -> tuple[str, list[str], str, str | None, dict[str, Any] | None]:
    name = " ".join(name.split())
    if not name or len(name) > rules.MAX_CLIENT_NAME:
        raise EmrexRefused(f"the name must be 1–{rules.MAX_CLIENT_NAME} characters")
    if kind not in KINDS:
        raise EmrexRefused(f"the kind must be one of {', '.join(KINDS)}")
    if not 1 <= len(urls) <= MAX_URLS:
        raise EmrexRefused(f"a client needs 1–{MAX_URLS} return addresses")
    normalised = []
    for url in urls:
        one = rules.normalise_url(url, production=production)
        rules.csp_source(one)  # the hand-back page must be able to allow exactly this address
        if one not in normalised:
            normalised.append(one)
    contact_email = contact_email.strip()
    if len(contact_email) > MAX_EMAIL or not _EMAIL.fullmatch(contact_email):
        raise EmrexRefused("the contact must be an e-mail address (owners write there to ask for deletion)")
    if website is not None:
        website = rules.normalise_url(website, production=production)
    if kind == "emrex2" and jwks is None:
        raise EmrexRefused("an EMREX 2 client authenticates with a signed JWT: give its public key (--key)")
    return name, normalised, contact_email, website, None if jwks is None else check_jwks(jwks)


def add_client(session: Session, *, client_id: str, name: str, kind: str, urls: Sequence[str], contact_email: str,
               now: datetime, actor: str, production: bool, website: str | None = None, jwks: object | None = None,
               national_id: bool = False, scopes: Sequence[str] = (), webhook_url: str | None = None,
               ) -> RegisteredClient:
    """Register a client. Its id and every one of its return addresses must be new to the registry (a removed
    client keeps its id, so that transfers keep naming it; its addresses become free)."""
    check_client_id(client_id)
    name, normalised, contact_email, website, key_set = _check(
        name=name, kind=kind, urls=urls, contact_email=contact_email, website=website, jwks=jwks,
        production=production)
    scope_text, webhook_url = check_platform(kind, scopes, webhook_url, production=production)
    if session.scalar(select(EmrexClient.id).where(EmrexClient.client_id == client_id)) is not None:
        raise EmrexRefused(f"a client {client_id} is registered already (removed clients keep their id)")
    taken = session.scalars(select(EmrexClientUrl.url).where(EmrexClientUrl.url.in_(normalised))).all()
    if taken:
        raise EmrexRefused(f"{taken[0]} is already another client's return address")
    row = EmrexClient(client_id=client_id, name=name, kind=kind, contact_email=contact_email, website=website,
                      jwks=key_set, national_id=national_id, created_at=now, scopes=scope_text,
                      webhook_url=webhook_url,
                      urls=[EmrexClientUrl(url=u) for u in normalised])
    session.add(row)
    session.flush()
    record_event(session, actor=actor, action=AuditAction.EMREX_CLIENT_ADDED, now=now,
                 detail=f"client {client_id} ({kind}) {name}: {', '.join(normalised)}"
                        f"{'; national id' if national_id else ''}")
    return _value(row)


def _rows(session: Session) -> Any:
    return select(EmrexClient).options(selectinload(EmrexClient.urls)).order_by(EmrexClient.client_id)


def list_clients(session: Session, *, include_removed: bool = False) -> list[RegisteredClient]:
    query = _rows(session)
    if not include_removed:
        query = query.where(EmrexClient.removed_at.is_(None))
    return [_value(row) for row in session.scalars(query)]


def get_client(session: Session, client_id: str, *, include_removed: bool = False) -> RegisteredClient | None:
    """The client with this id (an active one, unless ``include_removed``), or None."""
    row = session.scalar(_rows(session).where(EmrexClient.client_id == client_id[:64]))
    if row is None or (row.removed_at is not None and not include_removed):
        return None
    return _value(row)


def client_pk(session: Session, client_id: str) -> int | None:
    """The row id of a client (for the tables that point to it)."""
    return session.scalar(select(EmrexClient.id).where(EmrexClient.client_id == client_id[:64]))


def client_for_url(session: Session, url: str, *, production: bool) -> RegisteredClient:
    """The active client whose return address is exactly ``url`` (after normalising); otherwise refused."""
    wanted = rules.normalise_url(url, production=production)
    row = session.scalar(_rows(session).join(EmrexClientUrl, EmrexClientUrl.client_pk == EmrexClient.id)
                         .where(EmrexClientUrl.url == wanted, EmrexClient.removed_at.is_(None)))
    if row is None:
        raise EmrexRefused("returnUrl is not the return address of any registered EMREX client")
    # The same rule as the pure check (plain http is never answered in production, even if registered before).
    client = _value(row)
    rules.registered_return_url(wanted, client.urls, production=production)
    return client


def remove_client(session: Session, client_id: str, *, now: datetime, actor: str) -> RegisteredClient | None:
    """Stop answering a client: refused from now on, its return addresses freed; its transfers keep its name."""
    row = session.scalar(_rows(session).where(EmrexClient.client_id == client_id[:64],
                                              EmrexClient.removed_at.is_(None)))
    if row is None:
        return None
    row.removed_at = now
    row.urls.clear()
    session.flush()
    record_event(session, actor=actor, action=AuditAction.EMREX_CLIENT_REMOVED, now=now,
                 detail=f"client {client_id} {row.name}")
    return _value(row)
