"""Institutions' signing keys for the exchange (EC P-256, JWS ES256).

Private keys are PEM files readable by the owner only (``keys/<code>.pem``); the public half goes into the registry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey

from vitnemal.files import write_private


def generate_key() -> ECKey:
    return ECKey.generate_key("P-256", private=True)


def save_private_key(key: ECKey, path: Path) -> None:
    write_private(path, key.as_pem(private=True))


def load_private_key(path: Path) -> ECKey:
    if not path.exists():
        raise FileNotFoundError(f"No signing key at {path}: this host does not hold that institution's key.")
    return ECKey.import_key(path.read_bytes())


def public_jwk(key: ECKey) -> dict[str, Any]:
    return dict(key.as_dict(private=False))


def import_public(jwk: dict[str, Any]) -> ECKey:
    return ECKey.import_key(jwk)
