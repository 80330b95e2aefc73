"""The verifier's worker pool: a check that runs too long is killed and its worker replaced; a file that needs
more memory than the cap is stopped by the worker's own cap (not by the decode limits, which are lifted here)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from vitnemal.devtools.hostile_pdfs import cyclic_page_tree, flate_bomb
from vitnemal.signing import pool as pool_module
from vitnemal.signing.limits import MiB, VerifyLimits
from vitnemal.signing.pool import CheckPool, PoolBusy
from vitnemal.signing.verify import check_pdf

HANG = b"%PDF-1.7\n% hang\n"


def _hang_on_marker(pdf: bytes, roots: Any, limits: VerifyLimits) -> Any:
    if pdf == HANG:
        time.sleep(3600)
    return check_pdf(pdf, roots, limits)


def test_a_check_over_the_time_limit_is_killed_and_its_worker_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    # A forked worker inherits the patched function: a check that never returns, as a parser loop would.
    monkeypatch.setattr(pool_module, "check_pdf", _hang_on_marker)
    with CheckPool(1, VerifyLimits(time_s=2), start_method="fork") as pool:
        assert pool.check(cyclic_page_tree()).reason == "unreadable"
        first = pool._slots[0].process
        hung = pool.check(HANG)
        assert hung.reason == "unreadable"
        assert hung.message == "unreadable: checking it takes longer than the limit of 2 s per file"
        assert first is not None and not first.is_alive()
        after = pool.check(cyclic_page_tree())
        assert after.message == "unreadable: its page tree refers back to itself (a cycle)"
        assert pool._slots[0].process is not first


def test_the_memory_cap_of_the_worker_stops_a_bomb_the_decode_limits_let_through() -> None:
    bomb = flate_bomb(400 * MiB)
    unbounded = VerifyLimits(stream_bytes=8192 * MiB, inflated_bytes=8192 * MiB, memory_bytes=128 * MiB)
    with CheckPool(1, unbounded) as pool:
        checked = pool.check(bomb)
    assert checked.reason == "unreadable"
    assert checked.message == "unreadable: checking it needs more memory than the limit of 128 MiB per file"


def test_the_pool_refuses_more_than_it_admits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool_module, "check_pdf", _hang_on_marker)

    async def flood(pool: CheckPool) -> list[Any]:
        return await asyncio.gather(*(pool.check_async(HANG) for _ in range(3)), return_exceptions=True)

    with CheckPool(1, VerifyLimits(time_s=2), max_waiting=1, start_method="fork") as pool:
        answers = asyncio.run(flood(pool))
    refused = [a for a in answers if isinstance(a, PoolBusy)]
    assert len(refused) == 1 and "try again" in str(refused[0])
    assert all(a.message.startswith("unreadable: checking it takes longer") for a in answers if a not in refused)


def test_trust_roots_reach_the_worker(signer: Any, sample_pdf: bytes, local_ca: Any) -> None:
    signed = signer.sign(sample_pdf)
    with CheckPool(1) as pool:
        assert pool.check(signed, [Path(local_ca.cert_path)]).trusted
        assert pool.check(signed).reason == "untrusted_ca"
