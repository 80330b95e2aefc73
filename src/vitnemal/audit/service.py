"""Recording audit events inside the caller's transaction, so an action and its audit record commit together."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.audit.models import AuditEvent


def record_event(session: Session, *, actor: str, action: str, subject: str | None = None,
                 detail: str | None = None) -> AuditEvent:
    """Add an audit event to the session and return it."""
    event = AuditEvent(at=datetime.now(UTC), actor=actor, action=action, subject_national_id=subject, detail=detail)
    session.add(event)
    return event


def events_for(session: Session, national_id: str, limit: int = 200) -> list[AuditEvent]:
    """The newest events about one person (what a data-protection request would show them)."""
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.subject_national_id == national_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ))
