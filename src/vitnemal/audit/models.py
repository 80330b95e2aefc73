"""Audit events. The node's own disclosure log is ``records.models.Disclosure``; this is the other side."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vitnemal.db import Base, UtcDateTime


class AuditEvent(Base):
    """Who did what to whose data, and when (e.g. a case worker viewed a person's external results)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    subject_national_id: Mapped[str | None] = mapped_column(String(11), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
