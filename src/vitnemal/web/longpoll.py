"""Long polls: a page's script asks "answer when this has changed" and gets the answer the moment it has.

A script that polls every N ms learns of a change N/2 ms late on average (N at worst) and makes the server build a
full answer each time. Here the server instead takes a cheap reading of the state (a count in the database, so it
holds across processes: whichever process recorded the change) every few milliseconds and answers once the reading
says so; between readings the wait holds no thread, no database connection and no lock (SQLite's writers keep
theirs). Readings are frequent while a fetch is young (its answers arrive within a second or two) and sparser
later, so a page left open costs a reading a second, not fifty.

A wait is bounded in time (``MAX_WAIT_S``, then the page is answered as it stands and asks again) and in number
per process: past ``MAX_WAITING`` waits an ask is answered at once, as a plain poll would be, so a client that
opens many cannot hold the server's memory or its database. A client that went away ends its wait at the next
reading.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

MAX_WAIT_S = 20.0
MAX_WAITING = 256
_waiting = 0  # this process's waits in progress (a bound on resources, not anyone's state)
# Readings have threads of their own: in the shared pool they queued behind the requests the server was busy with
# (fifty node answers in the demo's one process), which delayed the page's news by as long as those took.
_readers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="longpoll")


def reading_interval(age_s: float) -> float:
    """Seconds between two readings of a wait that has lasted ``age_s``."""
    if age_s < 3.0:
        return 0.02
    return 0.25 if age_s < 15.0 else 1.0


def waiting() -> int:
    """How many waits this process holds now."""
    return _waiting


async def wait_for(read: Callable[[], T], ready: Callable[[T, float], bool], *,
                   gone: Callable[[], Awaitable[bool]] | None = None, age: Callable[[T], float] | None = None,
                   max_wait_s: float | None = None) -> T:
    """Read with ``read`` (a blocking function, run in one of the readers' threads) until ``ready(reading,
    seconds waited)`` says to answer, ``max_wait_s`` (default ``MAX_WAIT_S``) has passed, or ``gone()`` says the
    client left; return the last reading.

    ``age(reading)`` is how old the watched thing is (a fetch begun a minute ago is read sparsely even when the
    page asks anew); without it the wait's own length sets the pace."""
    global _waiting
    limit = MAX_WAIT_S if max_wait_s is None else max_wait_s
    loop = asyncio.get_running_loop()
    started = loop.time()
    value = await loop.run_in_executor(_readers, read)
    if ready(value, 0.0) or _waiting >= MAX_WAITING:
        return value
    _waiting += 1
    try:
        while (waited := loop.time() - started) < limit:
            pace = reading_interval(age(value) if age is not None else waited)
            await asyncio.sleep(min(pace, limit - waited))
            value = await loop.run_in_executor(_readers, read)
            if ready(value, loop.time() - started) or (gone is not None and await gone()):
                break
        return value
    finally:
        _waiting -= 1
