"""Tables of the web foundation: login sessions and rate-limit counters.

Both live in the database, not in process memory, so several web processes behind one address serve the same user
and share one limit. Only a hash of a session's id is stored: someone who can read the table cannot use a row to
act as its user.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vitnemal.db import Base, UtcDateTime


class WebSession(Base):
    """One browser's session: anonymous (a CSRF token, a login in progress) or logged in (``data`` says who)."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class RateCounter(Base):
    """How many times ``key`` was used in the fixed window starting at ``window_start`` (Unix seconds)."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    window_end: Mapped[int] = mapped_column(BigInteger, index=True)
    count: Mapped[int] = mapped_column(Integer)
