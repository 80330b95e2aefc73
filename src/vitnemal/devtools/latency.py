"""Injected node latency for demos and benchmarks (``VITNEMAL_INJECT_LATENCY_MS``, e.g. ``20-200``).

:func:`vitnemal.web.app.create_app` puts :func:`node_delays` on the app when the setting is given; the node's route
then holds each answer back until that much time has passed, as a remote node's would take. Production apps never
set it, so no production code path measures or sleeps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable


def injected_delay_s(code: str, spec: str) -> float:
    """The demo/benchmark latency of node ``code`` for a spec "LOW-HIGH" in ms, fixed per node so runs compare."""
    if not spec:
        return 0.0
    low, _, high = spec.partition("-")
    lo, hi = float(low), float(high or low)
    spread = int(hashlib.sha256(code.encode()).hexdigest(), 16) % 1000 / 999
    return (lo + (hi - lo) * spread) / 1000


def node_delays(spec: str) -> Callable[[str], float]:
    """``delay(code)``: the seconds node ``code`` takes to answer under ``spec`` ("LOW-HIGH" in ms)."""
    injected_delay_s("check", spec)  # a spec that is not one fails at start-up, not on the first request
    return lambda code: injected_delay_s(code, spec)
