"""Verifying an issued document: the file's own evidence (:func:`vitnemal.signing.verify.check_pdf`) and, when the
document carries its id, what the issuing institution's record says about it.

The record check runs only for a document whose signature is genuine and whose signer names an institution
(``OU=Institusjonsnummer <code>``) whose records this host can read. Its outcomes:

- the record knows the id and holds the same SHA-256: the document is the one issued (and maybe replaced since);
- the record does not know the id: ``unknown_document`` (signed with the institution's key, yet never recorded);
- the record knows the id with other bytes: ``record_mismatch``;
- the record says it was revoked: ``revoked``.

A replaced document stays genuine (it was issued and is unchanged); the report says it was replaced and when.

:func:`public_record` is what anyone may learn from a document id (``GET /verify/{id}``): who issued it, when, what
kind of document in which language, its SHA-256 and size, whether it was replaced or revoked. It never returns the
person, the qualification or the storage path: an id is printed on the document and may be seen by people who do
not hold it (a photo, a forwarded first page), and a hash reveals nothing about the content without the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.diplomas.models import IssuedDocument
from vitnemal.signing.verify import DocumentCheck, Problem, check_pdf

if TYPE_CHECKING:
    from vitnemal.signing.pool import CheckPool

UNKNOWN_DOCUMENT = "unknown_document"
RECORD_MISMATCH = "record_mismatch"
REVOKED = "revoked"
DOCUMENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# Opens a read session on an institution's records, or returns None when this host cannot read them.
SessionOpener = Callable[[str], AbstractContextManager[Session] | None]


def is_document_id(text: str) -> bool:
    """Return whether ``text`` has the shape of a document id (a lower-case UUID)."""
    return bool(DOCUMENT_ID.match(text))


@dataclass(frozen=True)
class RecordCheck:
    """What the issuing institution's record says about a document id; ``checked`` False when it was not asked."""

    checked: bool
    note: str
    institution_code: str | None = None
    known: bool = False
    sha256_matches: bool | None = None
    kind: str | None = None
    issued_at: datetime | None = None
    replaced: bool = False
    replaced_at: datetime | None = None
    revoked: bool = False
    revoked_at: datetime | None = None

    def problems(self) -> list[Problem]:
        """Return the reasons this record makes a document not genuine (none when unchecked or in order)."""
        if not self.checked:
            return []
        if not self.known:
            return [Problem(UNKNOWN_DOCUMENT, f"institution {self.institution_code} has no record of this document")]
        found = []
        if not self.sha256_matches:
            found.append(Problem(RECORD_MISMATCH, "the institution's record holds different bytes for this document"))
        if self.revoked:
            found.append(Problem(REVOKED, f"the institution revoked this document on {_iso(self.revoked_at)}"))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "note": self.note,
            "institution_code": self.institution_code,
            "known": self.known,
            "sha256_matches": self.sha256_matches,
            "kind": self.kind,
            "issued_at": _iso(self.issued_at),
            "replaced": self.replaced,
            "replaced_at": _iso(self.replaced_at),
            "revoked": self.revoked,
            "revoked_at": _iso(self.revoked_at),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class VerificationReport:
    """The file's check with the record's problems merged in, and the record check itself."""

    document: DocumentCheck
    record: RecordCheck
    warnings: tuple[str, ...] = field(default=())

    @property
    def genuine(self) -> bool:
        return self.document.genuine

    def to_dict(self) -> dict[str, Any]:
        data = self.document.to_dict()
        data["record"] = self.record.to_dict()
        data["warnings"] = list(self.warnings)
        return data


def record_check(session: Session, institution_code: str, document_id: str, sha256: str) -> RecordCheck:
    """Return what ``institution_code``'s record (read through ``session``) says about ``document_id``."""
    row = session.scalar(select(IssuedDocument).where(IssuedDocument.document_id == document_id))
    if row is None or row.institution_code != institution_code:
        return RecordCheck(True, "not in the issuing institution's record", institution_code)
    replaced_at = None
    if row.replaced_by_id is not None:
        newer = session.get(IssuedDocument, row.replaced_by_id)
        replaced_at = newer.issued_at if newer is not None else None
    return RecordCheck(
        checked=True,
        note="found in the issuing institution's record",
        institution_code=institution_code,
        known=True,
        sha256_matches=row.sha256 == sha256,
        kind=row.kind,
        issued_at=row.issued_at,
        replaced=row.replaced_by_id is not None,
        replaced_at=replaced_at,
        revoked=row.revoked_at is not None,
        revoked_at=row.revoked_at,
    )


# Checks a file against trust roots: check_pdf in this process, or a CheckPool's check in a worker process.
FileCheck = Callable[[bytes, Sequence[Path]], DocumentCheck]


def verify_document(
    pdf: bytes,
    trust_roots: Sequence[Path],
    open_session: SessionOpener | None = None,
    locate: Callable[[str], str | None] | None = None,
    *,
    check: FileCheck = check_pdf,
) -> VerificationReport:
    """Return the verification report for ``pdf``: the file checked against ``trust_roots``, then its record.

    ``check`` checks the file; for untrusted input it is a :class:`vitnemal.signing.pool.CheckPool`'s ``check``, so
    a hostile file is stopped by the pool's time and memory limits. See :func:`with_record` for the record.
    """
    return with_record(check(pdf, trust_roots), open_session, locate)


async def verify_document_async(
    pdf: bytes,
    trust_roots: Sequence[Path],
    pool: CheckPool,
    open_session: SessionOpener | None = None,
    locate: Callable[[str], str | None] | None = None,
) -> VerificationReport:
    """:func:`verify_document` for async code: the file is checked in ``pool``'s workers, the record (a few
    indexed reads) in a worker thread; the event loop is never held. Raises :class:`PoolBusy` when the pool is full.
    """
    import anyio.to_thread

    checked = await pool.check_async(pdf, trust_roots)
    return await anyio.to_thread.run_sync(with_record, checked, open_session, locate)


def with_record(
    checked: DocumentCheck,
    open_session: SessionOpener | None = None,
    locate: Callable[[str], str | None] | None = None,
) -> VerificationReport:
    """Return the report for a file's check with what the issuing institution's record says about it.

    ``open_session(code)`` gives a read session on institution ``code``'s records, or None when they cannot be read
    here; without it (or without a document id in the file) the record is reported as not checked. The institution
    is the one the signer certificate names (``OU=Institusjonsnummer <code>``); for a certificate that names none
    (one from a qualified issuer, say) ``locate(document_id)`` may say which institution recorded the id.
    """
    code = checked.signer.institution_code if checked.signer else None
    if not checked.genuine:
        return VerificationReport(checked, RecordCheck(False, "not checked: the file itself is not genuine", code))
    if checked.document_id is None:
        return VerificationReport(checked, RecordCheck(False, "not checked: the document carries no document id", code))
    if code is None and locate is not None:
        code = locate(checked.document_id)
    if code is None:
        note = "not checked: the signer certificate names no institution, and no record here knows the id"
        return VerificationReport(checked, RecordCheck(False, note))
    opened = open_session(code) if open_session is not None else None
    if opened is None:
        return VerificationReport(checked, RecordCheck(False, f"not checked: institution {code}'s record is not here"))
    with opened as session:
        record = record_check(session, code, checked.document_id, checked.sha256)
    warnings: tuple[str, ...] = ()
    if record.replaced:
        warnings = (f"this document was replaced by a newer one on {_iso(record.replaced_at)}",)
    return VerificationReport(checked.with_problems(*record.problems()), record, warnings)


def locate_document(session: Session, document_id: str) -> bool:
    """Return whether this institution's record (read through ``session``) holds ``document_id``."""
    return session.scalar(select(IssuedDocument.id).where(IssuedDocument.document_id == document_id)) is not None


def public_record(session: Session, document_id: str) -> dict[str, Any] | None:
    """Return what anyone may learn about ``document_id`` from this institution's record, or None if unknown.

    See the module docstring for why these fields and no others.
    """
    row = session.scalar(select(IssuedDocument).where(IssuedDocument.document_id == document_id))
    if row is None:
        return None
    replaced_at = None
    if row.replaced_by_id is not None:
        newer = session.get(IssuedDocument, row.replaced_by_id)
        replaced_at = newer.issued_at if newer is not None else None
    return {
        "document_id": row.document_id,
        "institution_code": row.institution_code,
        "kind": row.kind,
        "lang": row.lang,
        "issued_at": _iso(row.issued_at),
        "sha256": row.sha256,
        "size_bytes": row.size_bytes,
        "signer": row.signer_subject,
        "replaced": row.replaced_by_id is not None,
        "replaced_at": _iso(replaced_at),
        "revoked": row.revoked_at is not None,
        "revoked_at": _iso(row.revoked_at),
    }
