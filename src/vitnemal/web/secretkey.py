"""The web's secret key: from the settings, or (outside production) one made once into the federation's home."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from vitnemal.config import Settings
from vitnemal.files import private_dir, write_private

_MIN_LENGTH = 32


class SecretKeyMissing(RuntimeError):
    """Production without VITNEMAL_SECRET_KEY; the message says what to set."""


def load_secret_key(settings: Settings) -> bytes:
    """The key every web process behind one address shares: VITNEMAL_SECRET_KEY, else ``<home>/secret.key``."""
    if settings.secret_key:
        if len(settings.secret_key) < _MIN_LENGTH:
            raise SecretKeyMissing(
                f"VITNEMAL_SECRET_KEY is {len(settings.secret_key)} characters; use at least {_MIN_LENGTH} random "
                "ones, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        return settings.secret_key.encode()
    if settings.production:
        raise SecretKeyMissing(
            "VITNEMAL_SECRET_KEY is not set; production needs one shared by every web process "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        )
    return _key_file(settings.home / "secret.key")


def _key_file(path: Path) -> bytes:
    """Read the key at ``path``, making it first (0600 in a 0700 directory) if no process has yet."""
    if not path.exists():
        private_dir(path.parent)
        # Written whole under a name of its own, then linked into place: of several processes starting at once one
        # link wins and the others read its key, never a half-written or empty file.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        write_private(tmp, secrets.token_urlsafe(48).encode())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < _MIN_LENGTH:
        raise SecretKeyMissing(f"{path} holds no usable key; delete it and start again to make a new one")
    return key.encode()


def derive(key: bytes, purpose: str) -> bytes:
    """A separate key for each use of the secret (cookies, CSRF, the test provider's client secret)."""
    return hmac.new(key, f"vitnemal:{purpose}".encode(), hashlib.sha256).digest()
