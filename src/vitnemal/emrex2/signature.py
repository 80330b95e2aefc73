"""The ``X-Signature`` of an EMREX 2 answer: a JWS (RFC 7515) over the answer's body, in compact serialisation with
the payload detached (Appendix F): ``BASE64URL(header)..BASE64URL(signature)``.

Detached, because the body is the document itself (an ELMO of about 100 KB, or a PDF): a compact JWS carrying it
would put it a second time, base64-encoded, into a header, far beyond what proxies pass in a header (8–16 KB). The
receiver puts ``BASE64URL(body)`` back between the dots and checks an ordinary compact JWS. The payload is base64url
in the signing input as usual (no RFC 7797 ``b64: false``), so any JWS library checks it. The header names the
algorithm (ES256: the portal's P-256 key) and the key (``kid``, its RFC 7638 thumbprint), not the certificate chain
(``x5c`` would make the header over a kilobyte, and JWS libraries refuse headers that large by default); the
receiver checks with the portal's certificate it holds (from the registry), never with a key the header brings.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

ALGORITHM = "ES256"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_detached(body: bytes, *, key_pem: bytes) -> str:
    """The X-Signature value for ``body``."""
    key = ECKey.import_key(key_pem)
    compact = jws.serialize_compact({"alg": ALGORITHM, "kid": key.thumbprint()}, body, key, algorithms=[ALGORITHM])
    header, _, signature = compact.split(".")
    return f"{header}..{signature}"


class SignatureInvalid(ValueError):
    """An X-Signature that does not hold for the body with the key the receiver trusts."""


def verify_detached(body: bytes, value: str, trusted: Sequence[x509.Certificate]) -> None:
    """Check ``value`` (an X-Signature) over ``body`` against the certificates the receiver trusts (any of them)."""
    header, sep, signature = value.partition("..")
    if not sep or "." in signature or not header:
        raise SignatureInvalid("X-Signature is not a detached compact JWS (header..signature)")
    compact = f"{header}.{_b64url(body)}.{signature}"
    for cert in trusted:
        key = ECKey.import_key(cert.public_key().public_bytes(serialization.Encoding.PEM,
                                                              serialization.PublicFormat.SubjectPublicKeyInfo))
        try:
            jws.deserialize_compact(compact, key, algorithms=[ALGORITHM])
            return
        except (JoseError, ValueError):
            continue
    raise SignatureInvalid("X-Signature does not hold for this body with the portal's certificate")
