"""What the portal's own records add to the check of a PDF it signed: whether the share behind it is known, still
works (active, expired, ended by the owner) and holds these very bytes. Takes a session, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from vitnemal.diplomas.verify import RECORD_MISMATCH, UNKNOWN_DOCUMENT, VerificationReport
from vitnemal.emrex.transfers import transfer_status
from vitnemal.portal.shares import share_status
from vitnemal.signing.ca import IssuerKind
from vitnemal.signing.verify import Problem


@dataclass(frozen=True)
class ShareEvidence:
    """The share behind a portal PDF, as a verifier may see it (its state and dates, nothing personal)."""

    known: bool
    state: str | None = None  # active / expired / ended
    created_at: datetime | None = None
    expires_at: datetime | None = None
    ended_at: datetime | None = None
    purged: bool = False
    pdf_sha256: str | None = None  # None once the share's data has been deleted (12 months after it ended)
    sha256_matches: bool | None = None  # None: no file was compared, or the share's PDF is deleted

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {"known": self.known, "state": self.state, "created_at": iso(self.created_at),
                "expires_at": iso(self.expires_at), "ended_at": iso(self.ended_at), "purged": self.purged,
                "sha256": self.pdf_sha256, "sha256_matches": self.sha256_matches}


def is_portal_document(report: VerificationReport) -> bool:
    """A file the portal signed, intact, carrying a share id (only then is the id in it the signer's word)."""
    document = report.document
    return document.genuine and document.issuer_kind == IssuerKind.PORTAL.value and document.document_id is not None


def share_evidence(session: Session, public_id: str, now: datetime, *, actor: str,
                   sha256: str | None = None) -> ShareEvidence:
    """What the portal's database says about share ``public_id`` (and whether its PDF is the file whose digest is
    ``sha256``, when given); the look-up is audited as ``actor``'s."""
    status = share_status(session, public_id, now, audit_as=actor)
    if status is None:  # a PDF sent to an EMREX client is kept as a transfer, like a share
        status = transfer_status(session, public_id, now, audit_as=actor)
    if status is None:
        return ShareEvidence(known=False)
    digest = status["pdf_sha256"]
    return ShareEvidence(
        known=True, state=status["state"], created_at=datetime.fromisoformat(status["created_at"]),
        expires_at=datetime.fromisoformat(status["expires_at"]),
        ended_at=datetime.fromisoformat(status["ended_at"]) if status["ended_at"] else None,
        purged=bool(status["purged"]), pdf_sha256=digest,
        sha256_matches=None if digest is None or sha256 is None else digest == sha256)


def with_share(report: VerificationReport, evidence: ShareEvidence) -> VerificationReport:
    """The report with what the share says merged in: an unknown share or other bytes make the file not genuine."""
    if not evidence.known:
        problem = Problem(UNKNOWN_DOCUMENT, "the portal has no share with this document id")
        return replace(report, document=report.document.with_problems(problem))
    if evidence.sha256_matches is False:
        problem = Problem(RECORD_MISMATCH, "the portal made a different PDF for this share")
        return replace(report, document=report.document.with_problems(problem))
    return report
