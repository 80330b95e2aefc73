"""The table of the web foundation: login sessions (the rate-limit counters are in :mod:`vitnemal.ratelimit`).

It lives in the database, not in process memory, so several web processes behind one address serve the same user.
Only a hash of a session's id is stored: someone who can read the table cannot use a row to act as its user.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vitnemal.db import Base, UtcDateTime


class WebSession(Base):
    """One browser's session: anonymous (a CSRF token, a login in progress) or logged in (``data`` says who)."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

