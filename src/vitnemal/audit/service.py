"""Recording audit events inside the caller's transaction, so an action and its audit record commit together.

The services that disclose or change a person's data record the event themselves, with the actor their entry
point passes in; so the API, the CLI and any later surface leave the same trail for the same action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.models import AuditEvent

# A look repeated by the same actor within this window (a client polling an order) is the same disclosure.
REPEAT_WINDOW = timedelta(minutes=1)


def record_event(session: Session, *, actor: str, action: AuditAction, subject: str | None = None,
                 detail: str | None = None, now: datetime | None = None) -> AuditEvent:
    """Add an audit event to the session and return it."""
    event = AuditEvent(at=now or datetime.now(UTC), actor=actor[:100], action=AuditAction(action).value,
                       subject_national_id=subject, detail=detail)
    session.add(event)
    return event


@dataclass(frozen=True)
class Entry:
    """One event for :func:`record_events`: the arguments of :func:`record_event`."""

    actor: str
    action: AuditAction
    at: datetime
    subject: str | None = None
    detail: str | None = None


def record_events(session: Session, entries: Sequence[Entry]) -> None:
    """Add many events in one statement (a batch of page views), as :func:`record_event` would add each."""
    if entries:
        session.execute(insert(AuditEvent), [
            {"at": e.at, "actor": e.actor[:100], "action": AuditAction(e.action).value,
             "subject_national_id": e.subject, "detail": e.detail} for e in entries])


def record_view(session: Session, *, actor: str, action: AuditAction, subject: str | None, detail: str | None = None,
                now: datetime) -> AuditEvent | None:
    """Record a read of ``subject``'s data, unless the same actor made the same read within the last minute
    (``--wait`` polls an order many times a second: one look, not dozens). Returns the new event or None."""
    recent = session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.actor == actor[:100], AuditEvent.action == AuditAction(action).value,
            AuditEvent.subject_national_id.is_(None) if subject is None else AuditEvent.subject_national_id == subject,
            AuditEvent.detail.is_(None) if detail is None else AuditEvent.detail == detail,
            AuditEvent.at > now - REPEAT_WINDOW, AuditEvent.at <= now,
        ).limit(1))
    if recent is not None:
        return None
    return record_event(session, actor=actor, action=action, subject=subject, detail=detail, now=now)


def events_for(session: Session, national_id: str, limit: int = 200) -> list[AuditEvent]:
    """The newest events about one person (what a data-protection request would show them)."""
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.subject_national_id == national_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ))


def audit_log(session: Session, national_id: str, *, actor: str, now: datetime) -> list[AuditEvent]:
    """The events about one person, for a case worker; looking is itself recorded (after reading, so the look
    does not list itself)."""
    events = events_for(session, national_id)
    record_view(session, actor=actor, action=AuditAction.VIEW_AUDIT_LOG, subject=national_id, now=now)
    return events
