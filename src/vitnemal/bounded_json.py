"""JSON from outside, read with limits on size and nesting depth before anything parses it.

Python's json parser recurses once per nesting level, so a few kilobytes of ``[[[[…`` raise RecursionError (or, in
a thread with a small stack, worse) wherever they are parsed. :func:`loads` refuses such input first, by measuring
the nesting without parsing: string literals are cut out, everything but brackets is dropped, and innermost pairs
are removed one level per pass, so the work is bounded by ``max_depth`` passes over at most ``max_bytes``.

No I/O; nothing here knows who sent the bytes.
"""

from __future__ import annotations

import json
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


def loads(data: bytes | str, *, max_bytes: int, max_depth: int) -> Any:
    """Parse ``data`` as JSON if it is at most ``max_bytes`` long and nests at most ``max_depth`` levels.

    Raises JsonRefused (a ValueError) for anything else, including input that is not UTF-8 or not JSON.
    """
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise JsonRefused(f"larger than {max_bytes} bytes")
    check_nesting(raw, max_depth)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError cannot happen after the check; kept as a guard
        raise JsonRefused(f"not JSON ({type(exc).__name__})") from None
