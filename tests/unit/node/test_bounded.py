"""Bounded JSON: size, depth and number limits are checked before anything is parsed."""

from __future__ import annotations

import pytest

from vitnemal.node import bounded


def test_depth_ignores_brackets_in_strings() -> None:
    assert bounded.depth(b'{"a": [1, {"b": "[[[[\\"{{"}]}') == 3
    assert bounded.depth(b"42") == 0


@pytest.mark.parametrize(("data", "limit", "message"), [
    (b"[" * 100_000 + b"]" * 100_000, 10**6, "nested 100000 deep"),
    (b'{"iat": 1e400}', 100, "out of range"),
    (b'{"iat": -Infinity}', 100, "not a number JSON allows"),
    (b'{"iat": ' + b"9" * 5000 + b"}", 10**6, "not JSON"),
    (b'{"a": "' + b"x" * 200 + b'"}', 100, "at most 100"),
    (b"{", 100, "not JSON"),
])
def test_what_is_refused(data: bytes, limit: int, message: str) -> None:
    with pytest.raises(bounded.BoundedJsonError, match=message):
        bounded.loads(data, max_bytes=limit)


def test_ordinary_json_is_parsed() -> None:
    assert bounded.loads('{"a": [1, 2.5, "]"], "b": null}', max_bytes=100) == {"a": [1, 2.5, "]"], "b": None}
