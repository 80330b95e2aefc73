"""Reading JSON from outside: size and nesting are measured before anything parses it."""

from __future__ import annotations

import json

import pytest

from vitnemal.bounded_json import JsonRefused, check_nesting, loads


@pytest.mark.parametrize("depth", [0, 1, 5, 16])
def test_nesting_up_to_the_limit_is_parsed(depth: int) -> None:
    doc: object = 1
    for level in range(depth):
        doc = [doc] if level % 2 else {"k": doc}
    assert loads(json.dumps(doc), max_bytes=10_000, max_depth=16) == doc


@pytest.mark.parametrize("text", ["[" * 17 + "]" * 17, '{"a":' * 17 + "1" + "}" * 17, "[" * 200_000 + "]" * 200_000,
                                  "[" * 200_000])
def test_deeper_or_unbalanced_nesting_is_refused_without_parsing(text: str) -> None:
    with pytest.raises(JsonRefused):
        loads(text, max_bytes=1_000_000, max_depth=16)


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"a": "[[[[[[[[[[[[[[[[[[[[ \\\" {{{{{{{{{{{{{{{{{{", "b": ["]]]]]]]]"]})
    assert loads(text, max_bytes=1000, max_depth=2)["b"] == ["]]]]]]]]"]
    check_nesting(b'["\\\\", "["]', 1)  # an escaped backslash ends before the closing quote


def test_size_and_syntax() -> None:
    with pytest.raises(JsonRefused, match="larger than 10 bytes"):
        loads(b"[1, 2, 3, 4, 5]", max_bytes=10, max_depth=4)
    with pytest.raises(JsonRefused, match="not JSON"):
        loads(b"[1, 2", max_bytes=100, max_depth=4)
    with pytest.raises(JsonRefused, match="not JSON"):
        loads(b"\xff\xfe", max_bytes=100, max_depth=4)


@pytest.mark.parametrize(("data", "message"), [
    (b'{"iat": 1e400}', "out of range"),
    (b'{"iat": -Infinity}', "not a number JSON allows"),
    (b'{"iat": NaN}', "not a number JSON allows"),
    (b'{"iat": ' + b"9" * 5000 + b"}", "not JSON"),
])
def test_numbers_that_are_not_finite_are_refused(data: bytes, message: str) -> None:
    """Issue 7 #8: 1e400 became inf and overflowed where it met an int."""
    with pytest.raises(JsonRefused, match=message):
        loads(data, max_bytes=10_000, max_depth=4)
