"""JSON from outside, parsed within bounds: size and nesting depth are checked before ``json.loads`` runs.

``json.loads`` recurses once per nesting level (1,000 levels raise RecursionError, deeper input can exhaust the C
stack) and turns ``1e400`` into ``inf``, which later overflows wherever it meets an ``int``. So: the size is
checked first, then the depth is measured on the text with its strings removed (brackets inside strings do not
nest), and only then is it parsed, with non-finite numbers refused. Every failure is a :class:`BoundedJsonError`
(a ValueError) whose message says which limit was passed.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 16
"""Deep enough for every message of the exchange protocol (an answer's qualification → courses → link is 4)."""

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class BoundedJsonError(ValueError):
    """JSON that is too large, too deep, not JSON, or holds a number that is not finite."""


def depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in ``data`` (0 for a scalar), ignoring brackets in strings."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(accumulate(_STEP[b] for b in brackets), default=0)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BoundedJsonError(f"the number {text[:20]} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise BoundedJsonError(f"{name} is not a number JSON allows")


def loads(data: bytes | str, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data`` as JSON if it is at most ``max_bytes`` long and ``max_depth`` deep."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise BoundedJsonError(f"the JSON is {len(raw)} bytes; at most {max_bytes} are accepted")
    found = depth(raw)
    if found > max_depth:
        raise BoundedJsonError(f"the JSON is nested {found} deep; at most {max_depth} levels are accepted")
    try:
        return json.loads(raw, parse_float=_finite, parse_constant=_no_constant)
    except BoundedJsonError:
        raise
    except (ValueError, UnicodeError) as exc:  # includes integers longer than Python converts (4,300 digits)
        raise BoundedJsonError(f"not JSON ({exc})") from None
