"""Where an external-study record read from an ELMO file came from (the institution's database): one row per such
record, beside :class:`vitnemal.exchange.models.ExternalStudyRecord`, with the issuer as the file names it, its
grading schemes (so that a grade in a foreign scale is read with the scale's own description), who signed the file
and who imported it when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vitnemal.db import Base, UtcDateTime


class ElmoSource(Base):
    """The last ELMO file imported into one external-study record."""

    __tablename__ = "elmo_sources"

    record_id: Mapped[int] = mapped_column(ForeignKey("external_study_records.id", ondelete="CASCADE"),
                                           primary_key=True)
    country: Mapped[str | None] = mapped_column(String(2))
    issuer_identifiers: Mapped[list[Any]] = mapped_column(JSON)  # [[type, value], ...] as the file gives them
    grading_schemes: Mapped[dict[str, Any]] = mapped_column(JSON)  # {scheme id: {language: description}}
    signer: Mapped[str | None] = mapped_column(String(500))  # the certificate's subject; None: taken unsigned
    file_sha256: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_by: Mapped[str] = mapped_column(String(100))
