"""The per-node pace of an admission worker, on a clock the test moves: spacing, shares, slow-down, breaker."""

from __future__ import annotations

import asyncio

from vitnemal.admissions.pacing import BREAK_AFTER, BREAK_FOR_S, NodePacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_requests_leave_one_interval_apart_at_the_budget() -> None:
    clock = Clock()
    pacer = NodePacer(10.0, 4, clock)
    waits = []
    for _ in range(3):
        waits.append(round(pacer.wait_s(), 3))
        pacer.take()
    assert waits == [0.0, 0.1, 0.2]  # nobody moved the clock: each next one a tenth of a second later


def test_the_budget_is_shared_by_the_live_workers() -> None:
    pacer = NodePacer(30.0, 4, Clock())
    pacer.set_share(1 / 3)
    pacer.take()
    assert round(pacer.wait_s(), 3) == 0.1  # 10 a second for this one of three workers


def test_slow_down_pauses_the_node_and_halves_the_pace_which_recovers_with_answers() -> None:
    clock = Clock()
    pacer = NodePacer(10.0, 4, clock)
    pacer.slow_down(7)
    assert round(pacer.wait_s(), 3) == 7.0 and pacer.rate == 5.0
    for _ in range(100):
        pacer.answered(unavailable=False)
    assert pacer.rate == 10.0


def test_the_breaker_opens_after_unanswered_requests_in_a_row_and_closes_after_a_while() -> None:
    clock = Clock()
    pacer = NodePacer(10.0, 4, clock)
    for _ in range(BREAK_AFTER - 1):
        pacer.answered(unavailable=True)
    assert not pacer.broken()
    pacer.answered(unavailable=True)
    assert pacer.broken() and asyncio.run(pacer.acquire()) is False
    clock.now += BREAK_FOR_S + 1
    assert not pacer.broken() and asyncio.run(pacer.acquire()) is True
    pacer.release()
    pacer.answered(unavailable=False)
    assert pacer.failures == 0
