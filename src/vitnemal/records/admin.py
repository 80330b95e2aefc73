"""The administrator's settings of the results exchange, each change an audit event in the same transaction.

- "WebApplikasjon – Modulvalg": module RESUTVEKSL active J/N (the institution shares) and the property RESERVER J/N
  (the institution reserves itself against the exchange); see ``records.models.ExchangeSettings``.
- "Akseptansetype": whether students are asked the RESUTVEKSL question, and its sequence numbers in semester
  registration and on the student's pages; see ``records.models.ConsentType``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.records.models import CONSENT_RESULTS_EXCHANGE, ConsentType, ExchangeSettings
from vitnemal.records.service import get_exchange_settings

MAX_SEQUENCE = 999
# The consent types this system knows (FS has many; the results exchange needs this one).
KNOWN_CONSENT_TYPES = (CONSENT_RESULTS_EXCHANGE,)


def _yn(value: bool) -> str:
    return "J" if value else "N"


def change_exchange_settings(session: Session, *, actor: str, module_active: bool, reserved: bool,
                             now: datetime | None = None) -> tuple[ExchangeSettings, bool]:
    """Set RESUTVEKSL active and RESERVER; returns the row and whether anything changed (only a change is
    recorded)."""
    row = get_exchange_settings(session)
    if row.module_active == module_active and row.reserved == reserved:
        return row, False
    when = now or datetime.now(UTC)
    detail = (f"RESUTVEKSL {_yn(row.module_active)}→{_yn(module_active)}, "
              f"RESERVER {_yn(row.reserved)}→{_yn(reserved)}")
    row.module_active, row.reserved, row.updated_at = module_active, reserved, when
    record_event(session, actor=actor, action=AuditAction.EXCHANGE_SETTINGS_CHANGED, detail=detail, now=when)
    session.flush()
    return row, True


@dataclass(frozen=True)
class ConsentTypeView:
    """A consent type as the page shows it (a type without a row: not active, no sequence numbers)."""

    code: str
    active: bool
    seq_semreg: int | None
    seq_studentweb: int | None
    updated_at: datetime | None
    updated_by: str | None


def consent_type(session: Session, code: str = CONSENT_RESULTS_EXCHANGE) -> ConsentTypeView:
    row = session.scalar(select(ConsentType).where(ConsentType.code == code))
    if row is None:
        return ConsentTypeView(code, False, None, None, None, None)
    return ConsentTypeView(row.code, row.active, row.seq_semreg, row.seq_studentweb, row.updated_at, row.updated_by)


def check_sequence(value: int | None, what: str) -> int | None:
    if value is not None and not 1 <= value <= MAX_SEQUENCE:
        raise ValueError(f"{what} is a whole number from 1 to {MAX_SEQUENCE}")
    return value


def change_consent_type(session: Session, *, actor: str, active: bool, seq_semreg: int | None,
                        seq_studentweb: int | None, code: str = CONSENT_RESULTS_EXCHANGE,
                        now: datetime | None = None) -> tuple[ConsentTypeView, bool]:
    """Set a consent type's Aktivt J/N and its two sequence numbers. An active type needs both numbers (FS asks
    for them: they place the question among the others); ValueError says which is missing or wrong."""
    if code not in KNOWN_CONSENT_TYPES:
        raise ValueError(f"{code!r} is not a consent type here; known: {', '.join(KNOWN_CONSENT_TYPES)}")
    check_sequence(seq_semreg, "Sequence number semreg")
    check_sequence(seq_studentweb, "Sequence number studentweb")
    if active and (seq_semreg is None or seq_studentweb is None):
        raise ValueError("an active consent type needs both sequence numbers (semreg and studentweb)")
    before = consent_type(session, code)
    if (before.active, before.seq_semreg, before.seq_studentweb) == (active, seq_semreg, seq_studentweb):
        return before, False
    when = now or datetime.now(UTC)
    row = session.scalar(select(ConsentType).where(ConsentType.code == code))
    if row is None:
        row = ConsentType(code=code)
        session.add(row)
    row.active, row.seq_semreg, row.seq_studentweb = active, seq_semreg, seq_studentweb
    row.updated_at, row.updated_by = when, actor[:200]
    record_event(session, actor=actor, action=AuditAction.CONSENT_TYPE_CHANGED, now=when,
                 detail=f"{code} Aktivt {_yn(before.active)}→{_yn(active)}, semreg {before.seq_semreg}→{seq_semreg}, "
                        f"studentweb {before.seq_studentweb}→{seq_studentweb}")
    session.flush()
    return consent_type(session, code), True
