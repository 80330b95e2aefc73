"""Institutions' signing keys for the exchange (EC P-256, JWS ES256).

Private keys are PEM files readable by the owner only (``keys/<code>.pem``); the public half goes into the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypedDict

from joserfc.jwk import ECKey

from vitnemal.files import write_private


class PublicJwk(TypedDict):
    """An EC P-256 public key as JSON (RFC 7517): what the registry publishes for a member, what requests and
    answers are verified with, and what an institution sends the operator. Only these four members: a key file's
    other members (kid, use, …) are not kept, and a private key's ``d`` never is."""

    kty: str
    crv: str
    x: str
    y: str


class PreviousKey(TypedDict):
    """A key a member signed with before a rotation, still accepted until ``until`` (ISO 8601 with time zone)."""

    jwk: PublicJwk
    until: str


def as_public_jwk(values: Mapping[str, Any]) -> PublicJwk:
    """The public JWK of ``values`` (a key's ``as_dict``, or a registry entry's JSON): its four public members."""
    return {"kty": str(values["kty"]), "crv": str(values["crv"]), "x": str(values["x"]), "y": str(values["y"])}


def generate_key() -> ECKey:
    return ECKey.generate_key("P-256", private=True)


def save_private_key(key: ECKey, path: Path) -> None:
    write_private(path, key.as_pem(private=True))


def load_private_key(path: Path) -> ECKey:
    if not path.exists():
        raise FileNotFoundError(f"No signing key at {path}: this host does not hold that institution's key.")
    return ECKey.import_key(path.read_bytes())


def public_jwk(key: ECKey) -> PublicJwk:
    return as_public_jwk(key.as_dict(private=False))


def import_public(jwk: PublicJwk) -> ECKey:
    return ECKey.import_key({"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"], "y": jwk["y"]})
