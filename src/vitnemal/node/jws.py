"""Signed messages between members: the compact JWS (RFC 7515) with ES256, made and checked with the
cryptography library's ECDSA directly.

joserfc's generic path (header registries, a key object per operation, the payload decoded twice) cost a node
and a requester twice the signature itself, on the path every answer takes (issue 11 #3). The format is the
standard one, so any JOSE library reads and makes these messages (the tests make hostile ones with joserfc).
:mod:`vitnemal.node.protocol` re-exports what its callers use.
"""

from __future__ import annotations

import binascii
import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256
from joserfc.jwk import ECKey

from vitnemal.bounded_json import JsonRefused
from vitnemal.bounded_json import loads as bounded_loads
from vitnemal.institutions.exchange_keys import PublicJwk, import_public
from vitnemal.institutions.registry import Registry, UnknownInstitution

# A signed message as JSON: what sign() signs and verify() returns, before or after its envelope model.
Payload = dict[str, Any]

ALGORITHM = "ES256"
MAX_HEADER_BYTES = 4096
MAX_PAYLOAD_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 16  # an answer nests four levels (answer, qualifications, courses, link)


class ProtocolError(Exception):
    """A message that cannot be trusted; ``reason`` is a short machine-readable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


_ECDSA = ECDSA(SHA256())
_P256_BYTES = 32
# Our own bound is MAX_PAYLOAD_BYTES of JSON (checked again, with the depth, when the payload is parsed); its
# base64 is at most this long.
MAX_PAYLOAD_B64 = -(-MAX_PAYLOAD_BYTES // 3) * 4


def _b64encode(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(part: str) -> bytes:
    return urlsafe_b64decode(part + "=" * (-len(part) % 4))


@lru_cache(maxsize=1024)
def _header_b64(signer_code: str) -> str:
    header = {"alg": ALGORITHM, "kid": signer_code, "typ": "vitnemal+jws"}
    return _b64encode(json.dumps(header, separators=(",", ":")).encode())


def sign(payload: Payload, signer_code: str, key: ECKey) -> str:
    """Return the compact JWS of ``payload`` signed by ``signer_code``'s key."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    signing_input = f"{_header_b64(signer_code)}.{_b64encode(body)}"
    r, s = decode_dss_signature(key.get_op_key("sign").sign(signing_input.encode("ascii"), _ECDSA))
    return f"{signing_input}.{_b64encode(r.to_bytes(_P256_BYTES, 'big') + s.to_bytes(_P256_BYTES, 'big'))}"


_key_cache: dict[str, EllipticCurvePublicKey | None] = {}


def _public(jwk: PublicJwk) -> EllipticCurvePublicKey | None:
    """The registered key as cryptography's public key (None for one that is not P-256: it verifies nothing)."""
    cache_key = json.dumps(jwk, sort_keys=True)
    if cache_key not in _key_cache:
        key = import_public(jwk)
        public = key.get_op_key("verify")
        _key_cache[cache_key] = public if key.curve_name == "P-256" and isinstance(
            public, EllipticCurvePublicKey) else None
    return _key_cache[cache_key]


def _accepted_keys(registry: Registry, code: str, now: datetime) -> list[EllipticCurvePublicKey]:
    """The keys ``code`` may sign with now: its current key and, during a rotation's overlap, the previous one."""
    entry = registry.get(code)
    if entry.withdrawn:
        raise ProtocolError("withdrawn", f"{code} was taken out of the federation ({entry.withdrawn_at}); its "
                            "messages are refused")
    return [key for jwk in entry.accepted_jwks(now) if (key := _public(jwk)) is not None]


def _split(text: str) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    """A compact JWS's protected header (bounded), signing input, payload and signature; ProtocolError
    "malformed" for anything that is not one."""
    try:
        parts = text.split(".")
        if len(parts) != 3:
            raise ValueError("not three parts")
        # The header is parsed within bounds: it is read before anything is known of who sent it.
        header = bounded_loads(_b64decode(parts[0]), max_bytes=MAX_HEADER_BYTES, max_depth=2)
        if len(parts[1]) > MAX_PAYLOAD_B64:
            raise ValueError("payload too large")
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
        payload, signature = _b64decode(parts[1]), _b64decode(parts[2])
    except JsonRefused as exc:
        raise ProtocolError("malformed", f"the JWS header is refused: {exc.reason}") from None
    except (ValueError, IndexError, UnicodeError, binascii.Error) as exc:
        raise ProtocolError("malformed", f"not a compact JWS ({type(exc).__name__})") from None
    if not isinstance(header, dict):
        raise ProtocolError("malformed", "not a compact JWS (its header is not a JSON object)")
    if "crit" in header or header.get("b64", True) is not True:
        # No extension is understood here, so none that must be may be named (RFC 7515 4.1.11).
        raise ProtocolError("malformed", "the JWS header names an extension this node does not understand")
    return header, signing_input, payload, signature


def _signed_by(key: EllipticCurvePublicKey, signing_input: bytes, signature: bytes) -> bool:
    if len(signature) != 2 * _P256_BYTES:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:_P256_BYTES], "big"),
                               int.from_bytes(signature[_P256_BYTES:], "big"))
    try:
        key.verify(der, signing_input, _ECDSA)
    except InvalidSignature:
        return False
    return True


def verify(token: str | bytes, registry: Registry, expected_signer: str | None = None, *,
           max_bytes: int = MAX_PAYLOAD_BYTES, now: datetime | None = None) -> tuple[str, Payload]:
    """Check a compact JWS against the registry and return (signer code, payload).

    Raises ProtocolError: "malformed" for anything that is not a JWS with a JSON object payload (within
    ``max_bytes`` and :data:`MAX_DEPTH` levels, numbers finite), "unknown_signer"
    for a signer not in the registry, "withdrawn" for a member the operator took out, "wrong_signer" when
    ``expected_signer`` is given and someone else signed, "bad_signature" when the signature verifies with none of
    the signer's registered keys (its current key, and its previous key while a rotation's overlap lasts).
    """
    text = token.decode("ascii", "replace") if isinstance(token, bytes) else token
    header, signing_input, signed, signature = _split(text.strip())
    signer = str(header.get("kid", ""))
    if header.get("alg") != ALGORITHM:
        raise ProtocolError("malformed", f"unexpected algorithm {header.get('alg')!r}; {ALGORITHM} is required")
    if expected_signer is not None and signer != expected_signer:
        raise ProtocolError("wrong_signer", f"signed as {signer!r}, expected {expected_signer!r}")
    try:
        keys = _accepted_keys(registry, signer, now or datetime.now(UTC))
    except UnknownInstitution:
        raise ProtocolError("unknown_signer", f"signer {signer!r} is not in the federation's registry") from None
    if not any(_signed_by(key, signing_input, signature) for key in keys):
        raise ProtocolError("bad_signature", f"the signature does not verify with {signer}'s registered key") from None
    try:
        payload = bounded_loads(signed, max_bytes=max_bytes, max_depth=MAX_DEPTH)
    except JsonRefused as exc:
        raise ProtocolError("malformed", f"the signed payload is refused: {exc.reason}") from None
    if not isinstance(payload, dict):
        raise ProtocolError("malformed", "the signed payload is not a JSON object")
    return signer, payload
