"""Rate limits kept in the database, so that every web process behind one address counts against one limit.

A limit is a number of uses of a key (e.g. ``login:<client address>`` or ``code:<share id>``) per fixed window of
seconds. Each use is one atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on SQLite and PostgreSQL alike,
so two processes counting at the same moment never both see the last free use; :func:`hit_all` counts several
keys (a node's minute and day for one requester) in one such statement.

The statement is plain SQL written once per number of keys, not built from the ORM on every use, and run on the
driver's cursor (:class:`vitnemal.db.Prepared`): the exchange node counts every request it answers, and building
and caching an ORM upsert cost it more than answering did.

Shared infrastructure: the exchange node's routes and the web pages both count here, neither owns it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import BigInteger, Integer, String, delete, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from vitnemal.db import Base, Prepared

MAX_KEY = 200


class RateCounter(Base):
    """How many times ``key`` was used in the fixed window starting at ``window_start`` (Unix seconds)."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(MAX_KEY), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    window_end: Mapped[int] = mapped_column(BigInteger, index=True)
    count: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` uses per ``window_s`` seconds."""

    count: int
    window_s: int

    def __post_init__(self) -> None:
        if self.count < 1 or self.window_s < 1:
            raise ValueError("a rate limit needs a count and a window of at least 1")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    used: int
    retry_after_s: int


@dataclass(frozen=True)
class Use:
    """``amount`` uses of ``key`` against ``limit``."""

    key: str
    limit: Limit
    amount: int = 1


@lru_cache(maxsize=8)
def _upsert(rows: int) -> Prepared:
    """``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` of ``rows`` counters; the same SQL on SQLite and
    PostgreSQL (both name the proposed row ``excluded``)."""
    values = ", ".join(f"(:k{n}, :s{n}, :e{n}, :a{n})" for n in range(rows))
    return Prepared(text(
        f'INSERT INTO rate_counters ("key", window_start, window_end, "count") VALUES {values} '
        'ON CONFLICT ("key", window_start) DO UPDATE SET "count" = rate_counters."count" + excluded."count" '
        'RETURNING "key", "count"'
    ))


def hit_all(db: Session, uses: Sequence[Use], now: datetime) -> list[Decision]:
    """Count every one of ``uses`` (distinct keys) in one statement and say, for each, whether its window is still
    within its limit (all are counted either way)."""
    if not uses or len(uses) > 8:
        raise ValueError("count 1 to 8 keys at once")
    if len({use.key for use in uses}) != len(uses):
        raise ValueError("each key once: one statement cannot count a key twice")
    epoch = int(now.timestamp())
    params: dict[str, object] = {}
    ends = []
    for n, use in enumerate(uses):
        if not use.key or len(use.key) > MAX_KEY:
            raise ValueError(f"a rate-limit key has 1 to {MAX_KEY} characters")
        start = epoch - epoch % use.limit.window_s
        ends.append(start + use.limit.window_s)
        params.update({f"k{n}": use.key, f"s{n}": start, f"e{n}": ends[-1], f"a{n}": use.amount})
    used: dict[str, int] = {key: count for key, count in _upsert(len(uses)).execute(db, params)}
    decisions = []
    for use, end in zip(uses, ends, strict=True):
        count = int(used[use.key])
        allowed = count <= use.limit.count
        decisions.append(Decision(allowed=allowed, used=count, retry_after_s=0 if allowed else max(1, end - epoch)))
    return decisions


def hit(db: Session, key: str, limit: Limit, now: datetime, amount: int = 1) -> Decision:
    """Count ``amount`` uses of ``key`` (one, by default) and say whether the window is still within ``limit``
    (they are counted either way)."""
    return hit_all(db, [Use(key, limit, amount)], now)[0]


def purge(db: Session, now: datetime) -> int:
    """Delete the counters of windows that have ended; return how many."""
    result = db.execute(delete(RateCounter).where(RateCounter.window_end <= int(now.timestamp())))
    return int(getattr(result, "rowcount", 0) or 0)
