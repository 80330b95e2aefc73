"""What the operator may put into the registry: bounded, checked, and refused with a sentence saying what to do."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from vitnemal.federation.rules import (
    MAX_KEY_BYTES,
    MembershipError,
    check_code,
    check_endpoint,
    check_name,
    parse_overlap,
    parse_public_key,
)
from vitnemal.institutions.exchange_keys import generate_key
from vitnemal.institutions.registry import MemberKind


def test_a_public_key_is_read_as_pem_or_jwk_and_a_private_key_never() -> None:
    key = generate_key()
    from_pem = parse_public_key(key.as_pem(private=False))
    from_jwk = parse_public_key(json.dumps(key.as_dict(private=False)).encode())
    assert from_pem == from_jwk and "d" not in from_pem
    for private in (key.as_pem(private=True), json.dumps(key.as_dict(private=True)).encode()):
        with pytest.raises(MembershipError, match="private key: it must stay at the institution"):
            parse_public_key(private)


@pytest.mark.parametrize(("data", "said"), [
    (b"", "empty"),
    (b"A" * (MAX_KEY_BYTES + 1), "send the public key only"),
    (b"-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----", "cannot be read"),
    (b'{"kty": "EC", "crv": "P-256", "x": {"deep": [1]}}', "plain values"),
    (b'{"kty": "RSA", "n": "AQAB", "e": "AQAB"}', "cannot be read"),
])
def test_a_bad_key_file_is_refused_saying_what_to_send(data: bytes, said: str) -> None:
    with pytest.raises(MembershipError, match=said):
        parse_public_key(data)


def test_a_key_on_another_curve_is_refused() -> None:
    from joserfc.jwk import ECKey

    p384 = ECKey.generate_key("P-384", private=False)
    with pytest.raises(MembershipError, match="P-256"):
        parse_public_key(p384.as_pem(private=False))


@pytest.mark.parametrize(("url", "said"), [
    ("ftp://node.example.no/nodes/185", "https or http URL"),
    ("https://" + "a" * 300 + ".no", "at most 300"),
    ("https://user:secret@node.example.no/nodes/185", "user name or password"),
    ("https://node.example.no/nodes/185?x=1", "query"),
    ("https://node.example.no:99999/nodes/185", "not a URL"),
    ("https:///nodes/185", "host name"),
    ("https://node.example.no/no des", "spaces"),
])
def test_bad_endpoints_are_refused(url: str, said: str) -> None:
    with pytest.raises(MembershipError, match=said):
        check_endpoint(url, require_https=False)


def test_production_takes_https_endpoints_only() -> None:
    assert check_endpoint("http://127.0.0.1:8000/nodes/185/", require_https=False) == "http://127.0.0.1:8000/nodes/185"
    with pytest.raises(MembershipError, match="production accepts https only"):
        check_endpoint("http://node.example.no/nodes/185", require_https=True)


def test_codes_names_and_overlaps_are_bounded() -> None:
    assert check_code(" 185 ", MemberKind.INSTITUTION) == "185"
    for bad in ("", "1234567", "18a", "../185"):
        with pytest.raises(MembershipError, match="institusjonsnummer"):
            check_code(bad, MemberKind.INSTITUTION)
    assert check_code("samordna-opptak", MemberKind.ADMISSION) == "samordna-opptak"
    assert check_name("name", "  Universitetet   i Oslo ") == "Universitetet i Oslo"
    for bad, said in (("", "empty"), ("x" * 201, "at most 200"), ("UiO\u0000", "control characters")):
        with pytest.raises(MembershipError, match=said):
            check_name("name", bad)
    assert parse_overlap("90m") == timedelta(minutes=90) and parse_overlap("7d") == timedelta(days=7)
    for bad in ("0m", "31d", "soon", "9" * 100):
        with pytest.raises(MembershipError):
            parse_overlap(bad)
