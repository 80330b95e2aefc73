"""JSON from outside, read with limits on size and nesting depth before anything parses it.

Python's json parser recurses once per nesting level, so a few kilobytes of ``[[[[…`` raise RecursionError (or, in
a thread with a small stack, worse) wherever they are parsed. :func:`loads` refuses such input first, by measuring
the nesting without parsing: string literals are cut out, everything but brackets is dropped, and innermost pairs
are removed one level per pass, so the work is bounded by ``max_depth`` passes over at most ``max_bytes``.

No I/O; nothing here knows who sent the bytes.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# A JSON string literal, escapes included (the unrolled form is linear: no backtracking between quotes).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


class JsonRefused(ValueError):
    """The input is too large, nested too deeply, or not JSON; ``reason`` says which in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_nesting(data: bytes, max_depth: int) -> None:
    """Raise JsonRefused when ``data`` nests arrays/objects deeper than ``max_depth`` or its brackets do not pair."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    for _ in range(max_depth):
        if not brackets:
            return
        shallower = _INNERMOST.sub(b"", brackets)
        if len(shallower) == len(brackets):
            raise JsonRefused("not JSON (unbalanced brackets)")
        brackets = shallower
    if brackets:
        raise JsonRefused(f"nested deeper than {max_depth} levels")


def _finite(text: str) -> float:
    # json.loads turns 1e400 into inf, which overflows later wherever it meets an int (issue 7 #8).
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(f"the number {text[:20]} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a number JSON allows")


def loads(data: bytes | str, *, max_bytes: int, max_depth: int) -> Any:
    """Parse ``data`` as JSON if it is at most ``max_bytes`` long and nests at most ``max_depth`` levels.

    Raises JsonRefused (a ValueError) for anything else, including input that is not UTF-8 or not JSON, and numbers
    that are not finite (``1e400``, ``NaN``, ``Infinity``) or too long for Python to convert.
    """
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise JsonRefused(f"larger than {max_bytes} bytes")
    check_nesting(raw, max_depth)
    try:
        return json.loads(raw, parse_float=_finite, parse_constant=_no_constant)
    except JsonRefused:
        raise
    except (ValueError, RecursionError) as exc:  # RecursionError cannot happen after the check; kept as a guard
        raise JsonRefused(f"not JSON ({type(exc).__name__})") from None
