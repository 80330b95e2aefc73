"""``vitnemal emrex clients``: the EMREX client registry (recruitment platforms and foreign universities that may
ask the portal for an owner's results): add, list, show, remove.

The registry is in the portal's database in the federation at --home (opened directly; no server needed). Every
change is an audit event there. Only a registered client's return addresses are ever answered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from vitnemal.cli.common import (
    BY,
    HOME,
    JSON,
    actor,
    refuse,
    settings_for,
    web_session,
)
from vitnemal.i18n import P_

app = typer.Typer(help="EMREX: the registry of clients (recruitment platforms, universities abroad).",
                  no_args_is_help=True)
clients = typer.Typer(help="The registered EMREX clients: add, list, show, remove. Opens the portal's database in "
                           "the federation at --home directly; no server is needed.", no_args_is_help=True)
app.add_typer(clients, name="clients")

CLIENT_ID = typer.Argument(..., help="The client's id: lower-case letters, digits and hyphens, e.g. "
                                     "demo-rekruttering (also its OAuth client_id with EMREX 2).")


_JOSE_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1", "secp256k1"})


def _read_key(path: Path) -> dict[str, Any]:
    """A JWK Set (JSON) or a PEM public key or certificate, as a JWK Set of public keys (kid: RFC 7638)."""
    from joserfc import jwk

    try:
        data = path.read_bytes()[:200_000]
    except OSError as exc:
        raise refuse(P_("cli", "Cannot read %(path)s: %(reason)s."), path=path, reason=exc.strerror) from None
    if data.lstrip().startswith(b"{"):
        try:
            loaded: dict[str, Any] = json.loads(data)
        except ValueError as exc:
            raise refuse(P_("cli", "%(path)s is not JSON: %(reason)s."), path=path, reason=exc) from None
        return loaded
    if b"PRIVATE KEY" in data:
        raise refuse(P_("cli", "%(path)s holds a private key: register the client's public key only."), path=path)
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        public_key = (x509.load_pem_x509_certificate(data).public_key() if b"BEGIN CERTIFICATE" in data
                      else serialization.load_pem_public_key(data))
    except ValueError as exc:
        raise refuse(P_("cli", "%(path)s is neither a JWK Set nor a PEM public key or certificate (%(reason)s)."),
                     path=path, reason=exc) from None
    kty = {rsa.RSAPublicKey: "RSA", ec.EllipticCurvePublicKey: "EC", ed25519.Ed25519PublicKey: "OKP"}
    kind = next((name for cls, name in kty.items() if isinstance(public_key, cls)), None)
    if kind is None:
        raise refuse(P_("cli", "%(path)s holds a key of a kind EMREX clients do not sign with (RSA, EC or Ed25519)."),
                     path=path)
    if isinstance(public_key, ec.EllipticCurvePublicKey) and public_key.curve.name not in _JOSE_CURVES:
        # JOSE names only these curves (RFC 7518 6.2.1.1, RFC 8812): any other cannot be written as a JWK
        raise refuse(P_("cli", "%(path)s holds an EC key on the curve %(curve)s: EMREX clients sign with P-256, P-384, "
                               "P-521 or secp256k1."), path=path, curve=public_key.curve.name)
    key = jwk.JWKRegistry.import_key(public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo), kind)
    public = dict(key.as_dict(private=False))
    public["kid"] = key.thumbprint()
    public.setdefault("use", "sig")
    return {"keys": [public]}


def _plain(client: Any) -> dict[str, Any]:
    return {"client_id": client.client_id, "name": client.name, "kind": client.kind, "urls": list(client.urls),
            "contact_email": client.contact_email, "website": client.website,
            "keys": [k.get("kid") for k in (client.jwks or {}).get("keys", [])], "national_id": client.national_id,
            "created_at": client.created_at.isoformat(),
            "removed_at": client.removed_at.isoformat() if client.removed_at else None,
            "scopes": list(client.scopes), "webhook_url": client.webhook_url}


@clients.command("add")
def add(client_id: str = CLIENT_ID,
        name: str = typer.Option(..., "--name", help="The name owners see, e.g. \"Jobbnett AS\"."),
        url: list[str] = typer.Option(..., "--url", help="A return address (EMREX 1 returnUrl, EMREX 2 "
                                                         "redirect_uri), https; repeat for more (at most 10)."),
        contact: str = typer.Option(..., "--contact", help="The client's e-mail for owners' deletion requests."),
        kind: str = typer.Option("emrex1", "--kind", help="emrex1 (form POST) or emrex2 (OAuth, signed JWT)."),
        key: Path | None = typer.Option(None, "--key", help="The client's public key: a JWK Set (JSON) or a PEM "
                                                             "public key or certificate. Required with emrex2."),
        website: str | None = typer.Option(None, "--website", help="The client's web site."),
        national_id: bool = typer.Option(False, "--national-id", help="The client may receive the owner's "
                                                                      "national id in the ELMO."),
        scope: list[str] = typer.Option([], "--scope", help="A scope of the platforms' API it may ask for with "
                                        "client credentials (emrex2): transfers:read, consents:read; repeatable."),
        webhook: str | None = typer.Option(None, "--webhook", help="Where the portal posts its signed webhooks "
                                           "(consent given or ended, transfer made), https (emrex2)."),
        as_json: bool = JSON, by: str | None = BY, home: Path | None = HOME) -> None:
    """Register a client; only its return addresses are answered, exactly as given here."""
    from datetime import UTC, datetime

    from vitnemal.emrex.clients import add_client

    settings = settings_for(home)
    jwks = _read_key(key) if key is not None else None
    with web_session(settings) as session:
        client = add_client(session, client_id=client_id, name=name, kind=kind, urls=url, contact_email=contact,
                            website=website, jwks=jwks, national_id=national_id, now=datetime.now(UTC),
                            actor=f"operator:{actor(by)}", production=settings.production, scopes=scope,
                            webhook_url=webhook)
    if as_json:
        typer.echo(json.dumps(_plain(client)))
        return
    typer.echo(f"Registered {client.client_id} ({client.name}, {client.kind}); answered at "
               f"{', '.join(client.urls)}.")


@clients.command("list")
def list_command(removed: bool = typer.Option(False, "--removed", help="Also the removed clients."),
                 as_json: bool = JSON, home: Path | None = HOME) -> None:
    """The registered clients with their return addresses."""
    from vitnemal.emrex.clients import list_clients

    with web_session(settings_for(home), write=False) as session:
        found = list_clients(session, include_removed=removed)
    if as_json:
        typer.echo(json.dumps([_plain(c) for c in found]))
        return
    if not found:
        typer.echo("No EMREX clients registered. Add one with `vitnemal emrex clients add ID --name … --url … "
                   "--contact …`.")
        return
    for c in found:
        state = " (removed)" if c.removed_at else ""
        typer.echo(f"{c.client_id}\t{c.kind}\t{c.name}{state}\t{' '.join(c.urls) or '-'}\t{c.contact_email}")


@clients.command("show")
def show(client_id: str = CLIENT_ID, as_json: bool = JSON, home: Path | None = HOME) -> None:
    """One client: name, kind, return addresses, contact, keys, whether it gets national ids."""
    from vitnemal.emrex.clients import get_client

    with web_session(settings_for(home), write=False) as session:
        client = get_client(session, client_id, include_removed=True)
    if client is None:
        raise refuse(P_("cli", "There is no EMREX client %(client)s; `vitnemal emrex clients list` shows them."),
                     client=client_id)
    plain = _plain(client)
    if as_json:
        typer.echo(json.dumps(plain))
        return
    for label, value in (("Client", plain["client_id"]), ("Name", plain["name"]), ("Kind", plain["kind"]),
                         ("Return addresses", " ".join(plain["urls"]) or "-"), ("Contact", plain["contact_email"]),
                         ("Web site", plain["website"] or "-"), ("Keys", " ".join(plain["keys"]) or "-"),
                         ("National id", "yes" if plain["national_id"] else "no"),
                         ("Registered", plain["created_at"]), ("Removed", plain["removed_at"] or "-")):
        typer.echo(f"{label}: {value}")


@clients.command("remove")
def remove(client_id: str = CLIENT_ID, by: str | None = BY, home: Path | None = HOME) -> None:
    """Stop answering a client at once; owners' lists of transfers keep naming it and its contact."""
    from datetime import UTC, datetime

    from vitnemal.emrex.clients import remove_client

    with web_session(settings_for(home)) as session:
        gone = remove_client(session, client_id, now=datetime.now(UTC), actor=f"operator:{actor(by)}")
    if gone is None:
        raise refuse(P_("cli", "There is no active EMREX client %(client)s; `vitnemal emrex clients list` shows "
                               "them."), client=client_id)
    typer.echo(f"Removed {client_id}: its requests are refused from now on.")


@clients.command("webhook-secret")
def webhook_secret(client_id: str = CLIENT_ID, home: Path | None = HOME) -> None:
    """Print the client's webhook secret (HMAC-SHA256 key of X-Vitnemal-Signature) to hand to the platform."""
    from vitnemal.emrex.clients import get_client
    from vitnemal.emrex.webhooks import client_secret
    from vitnemal.web.secretkey import load_secret_key

    settings = settings_for(home)
    with web_session(settings) as session:
        client = get_client(session, client_id)
    if client is None or not client.webhook_url:
        raise refuse(P_("cli", "%(client)s is not a registered client with a webhook address."), client=client_id)
    typer.echo(client_secret(load_secret_key(settings), client_id))
