"""Several rate-limit keys counted in one statement (the node's minute, day and people for one requester)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vitnemal import ratelimit
from vitnemal.db import Database


def test_hit_all_counts_each_key_against_its_own_limit_and_window(db_url) -> None:
    db = Database(db_url)
    minute, day = ratelimit.Limit(count=2, window_s=60), ratelimit.Limit(count=5, window_s=86_400)
    now = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    uses = [ratelimit.Use("node:185", minute), ratelimit.Use("node-day:185", day, 2)]
    with db.session() as s:
        first, second, third = (ratelimit.hit_all(s, uses, now) for _ in range(3))
    assert [(d.allowed, d.used) for d in first] == [(True, 1), (True, 2)]
    assert [(d.allowed, d.used) for d in second] == [(True, 2), (True, 4)]
    # The third message is over the minute (55 s left of it) and its two people over the day (12 hours left).
    assert [(d.allowed, d.used, d.retry_after_s) for d in third] == [(False, 3, 55), (False, 6, 43_195)]
    with db.session() as s:
        later = ratelimit.hit_all(s, uses, now + timedelta(minutes=1))
        single = ratelimit.hit(s, "node:185", minute, now + timedelta(minutes=1))
    assert [(d.allowed, d.used) for d in later] == [(True, 1), (False, 8)]  # a new minute, the same day
    assert (single.allowed, single.used) == (True, 2)  # hit and hit_all count the same rows
    with db.session() as s, pytest.raises(ValueError, match="each key once"):
        ratelimit.hit_all(s, [uses[0], uses[0]], now)
    db.dispose()
