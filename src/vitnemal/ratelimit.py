"""Rate limits kept in the database, so that every web process behind one address counts against one limit.

A limit is a number of uses of a key (e.g. ``login:<client address>`` or ``code:<share id>``) per fixed window of
seconds. Each use is one atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on SQLite and PostgreSQL alike,
so two processes counting at the same moment never both see the last free use.

Shared infrastructure: the exchange node's routes and the web pages both count here, neither owns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from vitnemal.db import Base

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


def hit(db: Session, key: str, limit: Limit, now: datetime, amount: int = 1) -> Decision:
    """Count ``amount`` uses of ``key`` (one, by default) and say whether the window is still within ``limit``
    (they are counted either way)."""
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"a rate-limit key has 1 to {MAX_KEY} characters")
    epoch = int(now.timestamp())
    start = epoch - epoch % limit.window_s
    end = start + limit.window_s
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(RateCounter)
        .values(key=key, window_start=start, window_end=end, count=amount)
        .on_conflict_do_update(
            index_elements=[RateCounter.key, RateCounter.window_start],
            set_={"count": RateCounter.count + amount},
        )
        .returning(RateCounter.count)
    )
    used = int(db.execute(statement).scalar_one())
    allowed = used <= limit.count
    return Decision(allowed=allowed, used=used, retry_after_s=0 if allowed else max(1, end - epoch))


def purge(db: Session, now: datetime) -> int:
    """Delete the counters of windows that have ended; return how many."""
    result = db.execute(delete(RateCounter).where(RateCounter.window_end <= int(now.timestamp())))
    return int(getattr(result, "rowcount", 0) or 0)
