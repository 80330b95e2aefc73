"""Transfers: what the portal handed to an EMREX client on the owner's confirmation, kept like a share (a frozen
snapshot, the signed PDF and the signed ELMO exactly as sent), so that the owner sees every transfer (which
platform, when, which results, in which format, and whom to ask for deletion) and a verifier can check the PDF.

Every function takes a session and never commits. Each transfer is an audit event (a disclosure of the owner's
results to the client).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from vitnemal.audit import service as audit
from vitnemal.audit.events import AuditAction
from vitnemal.emrex import clients, webhooks
from vitnemal.emrex.models import EmrexTransfer
from vitnemal.portal import rules as portal_rules


@dataclass(frozen=True)
class TransferOwner:
    national_id: str
    name: str
    birth_date: date | None


def record_transfer(session: Session, *, owner: TransferOwner, client_id: str, public_id: str,
                    snapshot: Sequence[Mapping[str, Any]], pdf: bytes | None, elmo: bytes | None, protocol: str,
                    data_format: str, language: str, created_at: datetime, expires_at: datetime) -> EmrexTransfer:
    """Keep one transfer (EMREX 1 hand-back or an EMREX 2 results answer) and audit it as the owner's act."""
    pk = clients.client_pk(session, client_id)
    if pk is None:
        raise LookupError(f"no EMREX client {client_id}")
    n_quals, n_courses = portal_rules.counts(snapshot)
    row = EmrexTransfer(
        public_id=public_id, owner_id=owner.national_id, owner_name=owner.name, owner_birth_date=owner.birth_date,
        client_pk=pk, protocol=protocol, data_format=data_format, language=language, created_at=created_at,
        expires_at=expires_at, snapshot=[dict(i) for i in snapshot], pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest() if pdf is not None else None, elmo=elmo,
        elmo_sha256=hashlib.sha256(elmo).hexdigest() if elmo is not None else None,
        qualifications_count=n_quals, courses_count=n_courses)
    session.add(row)
    session.flush()
    audit.record_event(session, actor=f"owner:{owner.national_id}", action=AuditAction.EMREX_TRANSFER,
                       subject=owner.national_id, now=created_at,
                       detail=f"transfer {public_id} to {client_id} ({protocol}, {data_format}): {n_quals} "
                              f"qualification(s), {n_courses} course(s)")
    webhooks.enqueue(session, pk, "transfer.created", {"transfer": public_id, "protocol": protocol,
                                                       "data_format": data_format, "sent_at": created_at.isoformat()},
                     created_at)
    return row


@dataclass(frozen=True)
class TransferView:
    """One transfer as the owner's list shows it."""

    public_id: str
    created_at: datetime
    client_name: str
    contact_email: str
    website: str | None
    protocol: str
    data_format: str
    snapshot: list[dict[str, Any]]
    qualifications_count: int
    courses_count: int
    has_pdf: bool
    has_elmo: bool
    purged_at: datetime | None = None


def list_transfers(session: Session, owner_id: str) -> list[TransferView]:
    """Every transfer of this owner, newest first."""
    rows = session.scalars(select(EmrexTransfer).options(joinedload(EmrexTransfer.client))
                           .where(EmrexTransfer.owner_id == owner_id)
                           .order_by(EmrexTransfer.created_at.desc(), EmrexTransfer.id.desc()))
    return [TransferView(r.public_id, r.created_at, r.client.name, r.client.contact_email, r.client.website,
                         r.protocol, r.data_format, list(r.snapshot or []), r.qualifications_count, r.courses_count,
                         r.pdf is not None, r.elmo is not None, r.purged_at) for r in rows]


def owner_document(session: Session, owner_id: str, public_id: str, what: str) -> bytes | None:
    """The PDF or ELMO of one of the owner's own transfers (None for anyone else's: it looks like none)."""
    row = session.scalar(select(EmrexTransfer).where(EmrexTransfer.public_id == public_id[:36],
                                                     EmrexTransfer.owner_id == owner_id))
    if row is None:
        return None
    return row.pdf if what == "pdf" else row.elmo if what == "elmo" else None


def transfer_status(session: Session, public_id: str, now: datetime, *,
                    audit_as: str | None = None) -> portal_rules.ShareStatus | None:
    """What a verifier may learn about the transfer behind a PDF (the shape of a share's status): its dates and
    whether it is still within its validity, nothing personal."""
    row = session.scalar(select(EmrexTransfer).where(EmrexTransfer.public_id == public_id[:36]))
    if row is None:
        return None
    if audit_as is not None:
        audit.record_view(session, actor=audit_as, action=AuditAction.PORTAL_SHARE_VERIFIED, subject=row.owner_id,
                          detail=f"transfer {public_id}", now=now)
    return {"public_id": row.public_id,
            "state": portal_rules.share_state(row.expires_at, None, now).value,
            "created_at": row.created_at.isoformat(), "expires_at": row.expires_at.isoformat(), "ended_at": None,
            "purged": False, "pdf_sha256": row.pdf_sha256}


def purge(session: Session, now: datetime) -> int:
    """Delete what was sent 12 months after each transfer's PDF stopped being valid (the rule of shares): the
    results, both documents, the owner's name and birth date; the owner keeps seeing that it was sent, to whom, when
    and how much (the EMREX 2 consent records: :func:`vitnemal.emrex2.service.purge_consents`). Returns how many
    transfers were purged."""
    # Only what ended about a year ago can be due (a day's margin for the months' lengths); the rule decides each
    # exactly; only ids and dates are read, the documents are not loaded to be thrown away.
    bound = portal_rules.add_months(now, -portal_rules.PURGE_AFTER_MONTHS) + timedelta(days=1)
    candidates = session.execute(select(EmrexTransfer.id, EmrexTransfer.expires_at).where(
        EmrexTransfer.purged_at.is_(None), EmrexTransfer.expires_at < bound)).all()
    due = [row_id for row_id, expires_at in candidates if portal_rules.purge_due(expires_at, None, now)]
    if due:
        session.execute(update(EmrexTransfer).where(EmrexTransfer.id.in_(due)).values(
            snapshot=[], pdf=None, elmo=None, owner_name=None, owner_birth_date=None, purged_at=now))
    if due:
        audit.record_event(session, actor="portal", action=AuditAction.EMREX_TRANSFERS_PURGED, now=now,
                           detail=f"{len(due)} transfer(s)")
    return len(due)
