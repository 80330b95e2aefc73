"""How fast one admission worker asks one node: a spacing pacer per node, a cap on requests in flight, a pause and
a slower pace when the node says "slow down" (429 with Retry-After), and a breaker for a node that does not answer.

The pace is spacing, not a bucket: requests to one node leave at least ``1 / rate`` seconds apart, so no window of
any length sees more than its share, and the node's per-requester limit (counted per minute) is never reached by
a round that stays under it. The workers of one requester share the budget (``set_share``, from their
heartbeats). No I/O; the clock is a parameter, so the rules are tested without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

BREAK_AFTER = 5  # unanswered requests in a row after which a node is not asked for a while
BREAK_FOR_S = 30.0
SLOWEST_SHARE = 0.05  # after many 429s the pace falls to this share of the budget, not to nothing
RECOVER_STEP = 0.02  # each answered request brings the pace this share of the budget back up


class NodePacer:
    """Requests to one node from this worker: at most ``concurrency`` in flight, at most ``rate`` a second."""

    def __init__(self, budget_per_s: float, concurrency: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget_per_s
        self.share = 1.0
        self.rate = budget_per_s
        self.clock = clock
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._order = asyncio.Lock()  # FIFO: requests leave in the order they asked
        self._next_at = 0.0
        self.paused_until = 0.0
        self.failures = 0
        self.broken_until = 0.0
        self.sent_per_second: Counter[int] = Counter()
        self.slowed_down = 0

    @property
    def target(self) -> float:
        return self.budget * self.share

    def set_share(self, share: float) -> None:
        """This worker's part of the budget (1 / the live workers of the requester)."""
        self.share = min(1.0, max(share, 0.001))
        self.rate = min(self.rate, self.target) if self.rate < self.target else self.target

    def broken(self) -> bool:
        return self.failures >= BREAK_AFTER and self.clock() < self.broken_until

    def wait_s(self) -> float:
        """Seconds until the next request may leave."""
        return max(0.0, max(self._next_at, self.paused_until) - self.clock())

    def take(self) -> None:
        """Book the next departure (called when a request leaves)."""
        now = self.clock()
        self._next_at = max(self._next_at, now) + 1.0 / max(self.rate, 1e-6)
        self.sent_per_second[int(time.time())] += 1

    async def acquire(self) -> bool:
        """Wait for a slot and the pace; False (no slot taken) while the breaker is open."""
        if self.broken():
            return False
        await self._slots.acquire()
        try:
            async with self._order:
                while (wait := self.wait_s()) > 0:
                    await asyncio.sleep(wait)
                if self.broken():
                    self._slots.release()
                    return False
                self.take()
        except BaseException:
            self._slots.release()
            raise
        return True

    def release(self) -> None:
        self._slots.release()

    def slow_down(self, retry_after_s: float) -> None:
        """The node said 429: no request before ``retry_after_s`` has passed, and half the pace after."""
        self.slowed_down += 1
        self.paused_until = max(self.paused_until, self.clock() + max(retry_after_s, 0.0))
        self.rate = max(self.rate / 2, self.target * SLOWEST_SHARE)

    def answered(self, unavailable: bool) -> None:
        """Count an answer (or its absence) for the breaker, and recover the pace after a slow-down."""
        if unavailable:
            self.failures += 1
            if self.failures >= BREAK_AFTER:
                self.broken_until = self.clock() + BREAK_FOR_S
            return
        self.failures = 0
        if self.rate < self.target:
            self.rate = min(self.target, self.rate + self.target * RECOVER_STEP)
