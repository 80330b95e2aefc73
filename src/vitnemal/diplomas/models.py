"""The record of every document an institution issued, so that anyone can check a document against it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vitnemal.db import Base, UtcDateTime


class IssuedDocument(Base):
    """One issued, signed document (a diploma set, a school certificate).

    ``document_id`` is the public id printed in the document's QR code (``/verify/<document_id>``). A reissue makes
    a new row and points the old one's ``replaced_by_id`` at it; nothing is ever deleted.
    """

    __tablename__ = "issued_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(String(36), unique=True)
    institution_code: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    qualification_id: Mapped[int | None] = mapped_column(
        ForeignKey("qualifications.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))  # "diploma_set", "school_certificate"
    lang: Mapped[str] = mapped_column(String(2))  # "nb", "nn", "en"
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    signer_subject: Mapped[str] = mapped_column(String(300))
    storage_path: Mapped[str | None] = mapped_column(String(500))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(100))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Who revoked it and why (the reason is required: the graduate and any verifier's institution may ask).
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
