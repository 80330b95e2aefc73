"""EMREX 2 services (take a session, never commit): the client's results answer for an access token, and the
owner's list of consents.

The answer is built from exactly what the applicant consented to (the grant's snapshot), never from a new fetch:
the signed PDF, and for ``elmo`` the signed ELMO with that PDF attached. Each format's first answer is a transfer the
owner sees (``vitnemal.emrex.transfers.record_transfer``, which writes the audit event); asked again while the token
lives, the client gets the same document (no new rendering, no new transfer) and the handing out is an audit event of
its own (EMREX2_ANSWERED_AGAIN). Every answer is signed in ``X-Signature``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from vitnemal.audit import service as audit
from vitnemal.audit.events import AuditAction
from vitnemal.emrex import clients, transfers, webhooks
from vitnemal.emrex.models import EmrexClient, EmrexTransfer
from vitnemal.emrex2.models import Emrex2Grant
from vitnemal.emrex2.server import digest
from vitnemal.emrex2.signature import sign_detached
from vitnemal.interop.elmo_sign import sign_elmo
from vitnemal.portal import rules as portal_rules
from vitnemal.portal.elmo import snapshot_to_elmo
from vitnemal.portal.shares import PdfMaker

FORMATS = {"elmo": "application/xml", "pdf": "application/pdf"}


class ResultsRefused(Exception):
    """A results request that is not answered: the HTTP status and the OAuth error (RFC 6750 3.1) to send."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


@dataclass(frozen=True)
class ResultsAnswer:
    body: bytes
    media_type: str
    signature: str
    ref_id: str
    transfer_id: str


def grant_for_token(session: Session, token: str, now: datetime) -> Emrex2Grant:
    """The consent an access token stands for; :class:`ResultsRefused` unless it is valid now."""
    row = session.scalar(select(Emrex2Grant).where(Emrex2Grant.token_hash == digest(token))) if token else None
    if row is None or row.token_expires_at is None or now >= row.token_expires_at or row.revoked_at is not None:
        raise ResultsRefused(401, "invalid_token", "the access token is unknown, expired or revoked")
    return row


def answer_results(session: Session, *, token: str, data_format: str, now: datetime, pdf_maker: PdfMaker,
                   signer_key_pem: bytes, signer_cert_pem: bytes) -> ResultsAnswer:
    """What ``GET /emrex/results?data_format=…`` answers for ``token``; records the transfer."""
    if data_format not in FORMATS:
        raise ResultsRefused(400, "invalid_request", "data_format must be elmo or pdf")
    row = grant_for_token(session, token, now)
    client_row = session.get(EmrexClient, row.client_pk)
    client = clients.get_client(session, client_row.client_id) if client_row is not None else None
    if client is None or not client.active:
        raise ResultsRefused(401, "invalid_token", "the client is no longer registered")
    column = "elmo_transfer_id" if data_format == "elmo" else "pdf_transfer_id"
    earlier_id = getattr(row, column)
    if earlier_id is not None:
        # Asked again with the same token: the same document, no new PDF rendered and no new transfer kept.
        earlier = session.scalar(select(EmrexTransfer).where(EmrexTransfer.public_id == earlier_id))
        body_again = (earlier.elmo if data_format == "elmo" else earlier.pdf) if earlier is not None else None
        if body_again is not None:
            # Handed out again is disclosed again: the owner's log says so (no new transfer: the same document).
            audit.record_event(session, actor=f"client:{client.client_id}", action=AuditAction.EMREX2_ANSWERED_AGAIN,
                               subject=row.owner_id, now=now,
                               detail=f"transfer {earlier_id} to {client.client_id} again ({data_format}), "
                                      f"consent {row.ref_id}")
            return ResultsAnswer(body_again, FORMATS[data_format], sign_detached(body_again, key_pem=signer_key_pem),
                                 row.ref_id, earlier_id)
    public_id = str(uuid.uuid4())
    expires_at = now + timedelta(days=portal_rules.DEFAULT_VALIDITY_DAYS)
    name = row.owner_name or ""
    pdf = pdf_maker.make(row.snapshot, lang=row.language, name=name, birth_date=row.owner_birth_date,
                         created_at=now, expires_at=expires_at, public_id=public_id)
    elmo: bytes | None = None
    body = pdf
    if data_format == "elmo":
        xml = snapshot_to_elmo(row.snapshot, name=name, birth_date=row.owner_birth_date, lang=row.language,
                               generated_at=now, national_id=row.owner_id if client.national_id else None, pdf=pdf)
        elmo = body = sign_elmo(xml, key_pem=signer_key_pem, cert_pem=signer_cert_pem)
    transfers.record_transfer(
        session, owner=transfers.TransferOwner(row.owner_id, name, row.owner_birth_date), client_id=client.client_id,
        public_id=public_id, snapshot=row.snapshot, pdf=pdf, elmo=elmo, protocol="emrex2", data_format=data_format,
        language=row.language, created_at=now, expires_at=expires_at)
    setattr(row, column, public_id)
    return ResultsAnswer(body, FORMATS[data_format], sign_detached(body, key_pem=signer_key_pem), row.ref_id,
                         public_id)


def record_consent(session: Session, row: Emrex2Grant, client_id: str) -> None:
    """The audit event of a consent given (what, to whom, its reference)."""
    audit.record_event(session, actor=f"owner:{row.owner_id}", action=AuditAction.EMREX2_CONSENT,
                       subject=row.owner_id, now=row.consented_at,
                       detail=f"consent {row.ref_id} to {client_id}: {row.qualifications_count} qualification(s), "
                              f"{row.courses_count} course(s)")
    webhooks.enqueue(session, row.client_pk, "consent.created",
                     {"reference": row.ref_id, "consented_at": row.consented_at.isoformat()}, row.consented_at)


def end_consent(session: Session, owner_id: str, ref_id: str, now: datetime) -> bool:
    """The owner ends a consent: its token stops working at once, the client is told (webhook), the log says so.
    False when it is not this owner's or was ended already."""
    row = session.scalar(select(Emrex2Grant).where(Emrex2Grant.ref_id == ref_id[:36],
                                                   Emrex2Grant.owner_id == owner_id))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    client_id = session.scalar(select(EmrexClient.client_id).where(EmrexClient.id == row.client_pk))
    audit.record_event(session, actor=f"owner:{owner_id}", action=AuditAction.EMREX2_CONSENT_ENDED,
                       subject=owner_id, now=now, detail=f"consent {row.ref_id} to {client_id} ended")
    webhooks.enqueue(session, row.client_pk, "consent.ended", {"reference": row.ref_id, "ended_at": now.isoformat()},
                     now)
    return True


@dataclass(frozen=True)
class ConsentView:
    """One consent as the owner's list shows it."""

    ref_id: str
    consented_at: datetime
    client_name: str
    contact_email: str
    snapshot: list[dict[str, Any]]
    qualifications_count: int
    courses_count: int
    used: bool
    revoked: bool


def consents_for(session: Session, owner_id: str) -> list[ConsentView]:
    """Every consent this owner gave, newest first."""
    rows = session.scalars(select(Emrex2Grant).where(Emrex2Grant.owner_id == owner_id)
                           .order_by(Emrex2Grant.consented_at.desc(), Emrex2Grant.id.desc()))
    out = []
    for row in rows:
        client = session.scalar(select(EmrexClient).options(joinedload(EmrexClient.urls))
                                .where(EmrexClient.id == row.client_pk))
        out.append(ConsentView(row.ref_id, row.consented_at, client.name if client else "?",
                               client.contact_email if client else "", row.snapshot, row.qualifications_count,
                               row.courses_count, bool(row.elmo_transfer_id or row.pdf_transfer_id),
                               row.revoked_at is not None))
    return out


def purge_consents(session: Session, now: datetime) -> int:
    """Delete the consent records' copy of the results and the owner's name and birth date 12 months after their
    token could last be used (the rule of shares and transfers); the reference, the client and the dates remain."""
    # Only grants about a year old can be due (the rule decides each exactly); emptied ones are not read again.
    bound = portal_rules.add_months(now, -portal_rules.PURGE_AFTER_MONTHS) + timedelta(days=1)
    candidates = session.execute(select(Emrex2Grant.id, Emrex2Grant.code_expires_at, Emrex2Grant.token_expires_at)
                                 .where(Emrex2Grant.purged_at.is_(None), Emrex2Grant.code_expires_at < bound)).all()
    due = [row_id for row_id, code_end, token_end in candidates
           if portal_rules.purge_due(token_end or code_end, None, now)]
    if due:
        session.execute(update(Emrex2Grant).where(Emrex2Grant.id.in_(due)).values(
            snapshot=[], owner_name=None, owner_birth_date=None, purged_at=now))
        audit.record_event(session, actor="portal", action=AuditAction.EMREX2_CONSENTS_PURGED, now=now,
                           detail=f"{len(due)} consent record(s)")
    return len(due)
