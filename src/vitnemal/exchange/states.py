"""The states of a results order and of each institution's outcome, and the rules that move them. No I/O.

An order is QUEUED when placed (Bestilt), RUNNING while a worker holds its lease, WAITING when every institution
has answered except those scheduled to be asked again, and DONE when every outcome is final. An order is due —
to be claimed by any worker — when it is queued, when it is running under a lease that has run out (the worker
died), or when it is waiting and its retry time has come. Each rule takes the time as an argument, so tests pass
a clock instead of waiting for one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class OrderStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    WAITING = "waiting"
    DONE = "done"


class OutcomeState(StrEnum):
    PENDING = "pending"  # not asked yet, or asked but the answer was never recorded
    RETRY = "retry"  # to be asked again at next_attempt_at
    FINAL = "final"


@dataclass(frozen=True)
class RetryPolicy:
    retry_after_s: float
    max_attempts: int


def is_due(status: OrderStatus, lease_until: datetime | None, next_run_at: datetime | None, now: datetime) -> bool:
    """Whether a worker may claim the order now (the same rule as ``lifecycle.due_clause`` in SQL)."""
    if status is OrderStatus.QUEUED:
        return True
    if status is OrderStatus.RUNNING:
        return lease_until is not None and lease_until < now
    if status is OrderStatus.WAITING:
        return next_run_at is not None and next_run_at <= now
    return False


def lease_end(now: datetime, lease_s: float) -> datetime:
    return now + timedelta(seconds=lease_s)


SLOW_DOWN_ATTEMPTS = 50


def after_attempt(attempts_before: int, retry: bool, now: datetime, policy: RetryPolicy,
                  slow_down_s: float | None = None) -> tuple[OutcomeState, datetime | None]:
    """An outcome's state after one more attempt: asked again "at the same time the next day" (retry_after_s)
    while the answer calls for it and attempts remain, otherwise final.

    A node that said "slow down" (429 with Retry-After, ``slow_down_s``) is not failing: it is asked again after
    that many seconds, up to SLOW_DOWN_ATTEMPTS times rather than the policy's few attempts for a node that is down.
    """
    allowed = policy.max_attempts if slow_down_s is None else max(policy.max_attempts, SLOW_DOWN_ATTEMPTS)
    if retry and attempts_before + 1 < allowed:
        wait = policy.retry_after_s if slow_down_s is None else slow_down_s
        return OutcomeState.RETRY, now + timedelta(seconds=wait)
    return OutcomeState.FINAL, None


def after_round(outcomes: Iterable[tuple[OutcomeState, datetime | None]]) -> tuple[OrderStatus, datetime | None]:
    """The order's status and next run time once a round ends, from its outcomes' (state, next attempt)."""
    states = list(outcomes)
    if any(state is OutcomeState.PENDING for state, _ in states):
        return OrderStatus.QUEUED, None  # some answers were not recorded (e.g. shutdown): go again at once
    retries = [at for state, at in states if state is OutcomeState.RETRY and at is not None]
    if retries:
        return OrderStatus.WAITING, min(retries)
    return OrderStatus.DONE, None
