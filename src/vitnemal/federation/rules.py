"""The operator's rules for what may enter the federation's registry: codes, names, node endpoints, public keys and
the length of a key rotation's overlap. Pure functions, no I/O; each refusal says what is wrong and what to do.

Everything here comes from outside (an operator's typing, a file an institution sent, a form), so every value is
bounded before it is parsed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import timedelta
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from vitnemal.institutions.exchange_keys import PublicJwk, as_public_jwk, import_public
from vitnemal.institutions.registry import MemberKind

MAX_KEY_BYTES = 8 * 1024  # a P-256 public key is ~180 bytes as PEM, ~130 as JWK: anything far larger is not one
MAX_ENDPOINT_CHARS = 300
MAX_NAME_CHARS = 200
MAX_SHORT_NAME_CHARS = 40
MAX_REASON_CHARS = 500
MIN_OVERLAP = timedelta(minutes=1)
MAX_OVERLAP = timedelta(days=30)
DEFAULT_OVERLAP = timedelta(days=1)

# Kinds an operator registers: the portal is made with the federation (one per federation), never by hand.
REGISTRABLE_KINDS = (MemberKind.INSTITUTION, MemberKind.ADMISSION, MemberKind.LANGUAGE_TESTS)
_INSTITUTION_CODE = re.compile(r"[0-9]{1,6}")
_OTHER_CODE = re.compile(r"[a-z][a-z0-9-]{0,19}")
_DURATION = re.compile(r"([0-9]{1,6})\s*(m|min|h|d)")


class MembershipError(ValueError):
    """An operator's change that cannot be made; the message says why and what to do."""


def check_code(code: str, kind: MemberKind) -> str:
    """An institution's code is its institusjonsnummer (1–6 digits); other members a short lower-case name."""
    code = code.strip()
    pattern = _INSTITUTION_CODE if kind is MemberKind.INSTITUTION else _OTHER_CODE
    if not pattern.fullmatch(code):
        shown = code[:20] + ("…" if len(code) > 20 else "")
        wanted = ("an institution's code is its institusjonsnummer, 1 to 6 digits (e.g. 185)"
                  if kind is MemberKind.INSTITUTION else
                  "a member that is not an institution has a code of 1 to 20 lower-case letters, digits and '-', "
                  "starting with a letter (e.g. samordna-opptak)")
        raise MembershipError(f"the code {shown!r} cannot be used: {wanted}")
    return code


def check_name(label: str, value: str, limit: int = MAX_NAME_CHARS) -> str:
    """A name as people will read it: not empty, at most ``limit`` characters, no control characters."""
    value = " ".join(value.split())
    if not value:
        raise MembershipError(f"the {label} is empty: give the name as it should be shown to people")
    if len(value) > limit:
        raise MembershipError(f"the {label} is {len(value)} characters long; at most {limit} are allowed")
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise MembershipError(f"the {label} contains control characters; type it again as plain text")
    return value


def check_endpoint(url: str, *, require_https: bool) -> str:
    """The node's base URL (``https://node.example.no/nodes/185``): http(s), a host, no user name or password, no
    query or fragment; https only when ``require_https`` (production). Returned without a trailing slash."""
    url = url.strip()
    if len(url) > MAX_ENDPOINT_CHARS:
        raise MembershipError(f"the endpoint is {len(url)} characters long; at most {MAX_ENDPOINT_CHARS} are "
                              "allowed: give the node's base URL, e.g. https://node.example.no/nodes/185")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise MembershipError(f"the endpoint is not a URL ({exc}): give e.g. https://node.example.no/nodes/185") \
            from None
    schemes = ("https",) if require_https else ("https", "http")
    if parts.scheme not in schemes or not parts.hostname:
        raise MembershipError(f"the endpoint must be an {' or '.join(schemes)} URL with a host name, e.g. "
                              "https://node.example.no/nodes/185"
                              + ("" if not require_https or parts.scheme != "http" else
                                 " (production accepts https only)"))
    if parts.username is not None or parts.password is not None:
        raise MembershipError("the endpoint must not carry a user name or password: nodes are authenticated by "
                              "their signatures, not by secrets in URLs")
    if parts.query or parts.fragment:
        raise MembershipError("the endpoint must not have a query (?…) or fragment (#…): give the node's base URL")
    if port == 0:
        raise MembershipError("the endpoint's port 0 is not a port; leave it out or give the port the node uses")
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in url):
        raise MembershipError("the endpoint contains spaces or control characters")
    return url.rstrip("/")


def parse_public_key(data: bytes) -> PublicJwk:
    """The member's public signing key from what an institution sent: a PEM public key or a JWK (JSON), EC P-256.
    A private key is refused: it must never leave the institution. Returns the public JWK for the registry."""
    if len(data) > MAX_KEY_BYTES:
        raise MembershipError(f"the key file is {len(data)} bytes; a P-256 public key is a few hundred (at most "
                              f"{MAX_KEY_BYTES} are read): send the public key only, as PEM or JWK")
    text = data.strip()
    if not text:
        raise MembershipError("the key file is empty: send the institution's public key as PEM or JWK")
    if b"PRIVATE KEY" in text or (text.startswith(b"{") and b'"d"' in text):
        raise MembershipError("this is a private key: it must stay at the institution. Send the public half "
                              "(e.g. `openssl ec -in key.pem -pubout`)")
    try:
        if text.startswith(b"{"):
            value = json.loads(text)
            if not isinstance(value, dict) or any(isinstance(v, (dict, list)) for v in value.values()):
                raise MembershipError("the JWK must be one JSON object of plain values (kty, crv, x, y)")
            key = ECKey.import_key(value)
        else:
            key = ECKey.import_key(text)
    except MembershipError:
        raise
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise MembershipError(f"the key cannot be read ({type(exc).__name__}): send an EC P-256 public key as "
                              "PEM (-----BEGIN PUBLIC KEY-----) or as a JWK") from None
    if key.is_private:
        raise MembershipError("this is a private key: it must stay at the institution. Send the public half")
    if key.curve_name != "P-256":
        raise MembershipError(f"the key is on curve {key.curve_name}; the exchange signs with ES256, which needs "
                              "an EC P-256 key")
    return as_public_jwk(key.as_dict(private=False))


def thumbprint(jwk: PublicJwk) -> str:
    """The key's RFC 7638 thumbprint: what the operator reads back to the institution to confirm the key."""
    return import_public(jwk).thumbprint()


def parse_overlap(text: str) -> timedelta:
    """How long the old key stays accepted after a rotation: "90m", "12h", "7d" (1 minute to 30 days)."""
    match = _DURATION.fullmatch(text.strip().lower()[:20])
    if match is None:
        raise MembershipError(f"the overlap {text[:20]!r} is not a duration: write e.g. 90m, 12h or 7d")
    amount, unit = int(match.group(1)), match.group(2)
    span = timedelta(days=amount) if unit == "d" else (
        timedelta(hours=amount) if unit == "h" else timedelta(minutes=amount))
    return check_overlap(span)


def check_overlap(span: timedelta) -> timedelta:
    if not MIN_OVERLAP <= span <= MAX_OVERLAP:
        raise MembershipError(f"the overlap must be at least {int(MIN_OVERLAP.total_seconds() // 60)} minute and at "
                              f"most {MAX_OVERLAP.days} days, long enough for every member to read the new "
                              "registry and for messages signed with the old key to arrive")
    return span
