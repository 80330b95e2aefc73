"""The node's own compact JWS (ES256 with cryptography) reads and writes the standard format, as joserfc does."""

from __future__ import annotations

import base64
import json

import pytest
from joserfc import jws as joserfc_jws

from vitnemal.institutions.exchange_keys import generate_key, public_jwk
from vitnemal.institutions.registry import InstitutionEntry, MemberKind, Registry
from vitnemal.node.jws import ProtocolError, sign, verify


def _registry(key) -> Registry:
    return Registry({"185": InstitutionEntry("185", "UiO", "UiO", "UiO", "", public_jwk(key), MemberKind.INSTITUTION)})


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_signed_here_verifies_with_joserfc_and_the_other_way_round() -> None:
    key = generate_key()
    token = sign({"v": 1, "name": "Åse Øvrebø"}, "185", key)
    assert joserfc_jws.deserialize_compact(token, key).payload == '{"v":1,"name":"Åse Øvrebø"}'.encode()
    theirs = joserfc_jws.serialize_compact({"alg": "ES256", "kid": "185"}, b'{"v":1}', key)
    assert verify(theirs, _registry(key)) == ("185", {"v": 1})


@pytest.mark.parametrize(("header", "reason"), [
    ({"alg": "ES256", "kid": "185", "crit": ["exp"]}, "malformed"),
    ({"alg": "ES256", "kid": "185", "b64": False}, "malformed"),
    ({"alg": "HS256", "kid": "185"}, "malformed"),
    ({"alg": "none", "kid": "185"}, "malformed"),
    ({"alg": "ES256", "kid": "999"}, "unknown_signer"),
])
def test_headers_not_understood_or_not_allowed_are_refused(header: dict, reason: str) -> None:
    key = generate_key()
    token = joserfc_jws.serialize_compact({"alg": "ES256", "kid": "185"}, b'{"v":1}', key)
    forged = ".".join([_b64(header), *token.split(".")[1:]])
    with pytest.raises(ProtocolError) as refused:
        verify(forged, _registry(key))
    assert refused.value.reason == reason


def test_another_payload_under_the_signature_is_a_bad_signature() -> None:
    key = generate_key()
    head, _, signature = sign({"v": 1, "iss": "185"}, "185", key).split(".")
    with pytest.raises(ProtocolError) as refused:
        verify(f"{head}.{_b64({'v': 1, 'iss': '216'})}.{signature}", _registry(key))
    assert refused.value.reason == "bad_signature"
    with pytest.raises(ProtocolError) as cut:
        verify(f"{head}.{_b64({})}.{signature[:40]}", _registry(key))
    assert cut.value.reason == "bad_signature"
