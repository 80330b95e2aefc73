"""The diploma officer's work: who is due a diploma (by faculty), a candidate's set before issuing, the issued
documents, and revoking one with the reason.

Services take the caller's session and never commit. Looking at a candidate's set discloses their results to the
officer, and revoking changes what every verifier is told: both are audit events, recorded here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event, record_view
from vitnemal.config import Settings
from vitnemal.diplomas.issue import KIND, IssueContext, IssueJob, current_document
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.diplomas.signers import local_signer_spec
from vitnemal.identity.models import Person
from vitnemal.programmes.models import Programme
from vitnemal.records.models import Qualification

# The id a preview is rendered under: it is not a document, and its QR code leads nowhere that says otherwise.
PREVIEW_ID = "00000000-0000-0000-0000-000000000000"
MAX_REASON = 2000


class OfficeError(ValueError):
    """A request refused by the rules; the message says why and what to do."""


@dataclass(frozen=True)
class Candidate:
    """A completed qualification and the documents issued for it (newest first)."""

    qualification_id: int
    person_id: int
    national_id: str
    name: str
    code: str
    name_nb: str
    award_date: date | None
    diploma_issued_on: date | None
    faculty: str | None
    documents: list[IssuedDocument] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.award_date is not None and self.diploma_issued_on is None


def _candidates(session: Session, *, faculty: str | None = None, pending_only: bool = False,
                qualification_id: int | None = None, limit: int = 500) -> list[Candidate]:
    query = (select(Qualification, Person, Programme.faculty_nb)
             .join(Person, Person.id == Qualification.person_id)
             .outerjoin(Programme, Programme.code == Qualification.programme_code)
             .where(Qualification.award_date.is_not(None))
             .order_by(Qualification.award_date, Qualification.id).limit(min(max(limit, 1), 2000)))
    if pending_only:
        query = query.where(Qualification.diploma_issued_on.is_(None))
    if faculty:
        query = query.where(Programme.faculty_nb == faculty)
    if qualification_id is not None:
        query = query.where(Qualification.id == qualification_id)
    rows = session.execute(query).all()
    documents: dict[int, list[IssuedDocument]] = {}
    if rows:
        for doc in session.scalars(select(IssuedDocument)
                                   .where(IssuedDocument.qualification_id.in_([q.id for q, _, _ in rows]),
                                          IssuedDocument.kind == KIND)
                                   .order_by(IssuedDocument.id.desc())):
            documents.setdefault(doc.qualification_id or 0, []).append(doc)
    return [Candidate(q.id, p.id, p.national_id, p.name, q.code, q.name_nb, q.award_date, q.diploma_issued_on,
                      fac, documents.get(q.id, [])) for q, p, fac in rows]


def faculties(session: Session) -> list[str]:
    """The faculties of the registered programmes, for the bulk issue's choice."""
    return sorted({f for f in session.scalars(select(Programme.faculty_nb)) if f})


def due(session: Session, *, faculty: str | None = None, limit: int = 500) -> list[Candidate]:
    """The completed qualifications whose diploma is not issued yet (optionally of one faculty), oldest first."""
    return _candidates(session, faculty=faculty, pending_only=True, limit=limit)


def candidate(session: Session, qualification_id: int) -> Candidate | None:
    found = _candidates(session, qualification_id=qualification_id, limit=1)
    return found[0] if found else None


def issued(session: Session, *, limit: int = 200) -> list[tuple[IssuedDocument, str]]:
    """The newest issued diploma sets with the holder's name."""
    rows = session.execute(select(IssuedDocument, Person).join(Person, Person.id == IssuedDocument.person_id)
                           .where(IssuedDocument.kind == KIND)
                           .order_by(IssuedDocument.id.desc()).limit(min(max(limit, 1), 1000))).all()
    return [(doc, person.name) for doc, person in rows]


def record_preview(session: Session, found: Candidate, *, actor: str, now: datetime) -> None:
    """A look at a candidate's set shows their results: an audit event (a repeat within a minute counts once)."""
    record_view(session, actor=actor, action=AuditAction.DIPLOMA_PREVIEWED, subject=found.national_id,
                detail=f"qualification {found.code}", now=now)


def job_for(session: Session, found: Candidate, *, lang: str | None = None) -> IssueJob:
    """The job that issues ``found``: a first issue, or a reissue replacing its current document in the language."""
    from vitnemal.diplomas.build import diploma_language

    programme = session.scalar(select(Qualification.programme_code).where(Qualification.id == found.qualification_id))
    chosen = diploma_language(session, programme, lang)
    if found.diploma_issued_on is None:
        return IssueJob(person_id=found.person_id, qualification_id=found.qualification_id,
                        qualification_code=found.code, lang=chosen)
    current = current_document(session, found.qualification_id, chosen)
    return IssueJob(person_id=found.person_id, qualification_id=found.qualification_id,
                    qualification_code=found.code, lang=chosen, reissue=True,
                    replaces_id=current.id if current is not None else None)


def issue_context(settings: Settings, code: str, name_nb: str, name_en: str | None, *, issued_by: str,
                  faculty: str | None = None) -> IssueContext:
    """The institution's signing context with its local signer (the federation CA's certificate)."""
    return IssueContext(settings=settings, institution_code=code, institution_name=name_nb,
                        institution_name_en=name_en, signer=local_signer_spec(settings, code, name_nb),
                        issued_by=issued_by, faculty=faculty)


def revoke(session: Session, document_id: int, *, by: str, reason: str, now: datetime) -> IssuedDocument:
    """Revoke an issued document with the reason: verification then says so (the row and the file stay)."""
    text = " ".join((reason or "").split())
    if not text:
        raise OfficeError("Give the reason for revoking the document: the holder and anyone verifying it are told "
                          "it was revoked, and the institution must be able to say why.")
    if len(text) > MAX_REASON:
        raise OfficeError(f"The reason is longer than {MAX_REASON} characters.")
    doc = session.get(IssuedDocument, document_id)
    if doc is None or doc.kind != KIND:
        raise OfficeError(f"No issued diploma set {document_id} here.")
    if doc.revoked_at is not None:
        raise OfficeError(f"The document was already revoked by {doc.revoked_by or 'someone'}.")
    doc.revoked_at, doc.revoked_by, doc.revoked_reason = now, by[:100], text
    person = session.get(Person, doc.person_id) if doc.person_id else None
    record_event(session, actor=by, action=AuditAction.DIPLOMA_REVOKED,
                 subject=person.national_id if person else None, detail=f"{doc.document_id}: {text}", now=now)
    session.flush()
    return doc
