"""What the portal stores (its own database, ``settings.url_for("portal")``): owners' fetches, shares (with the
institution-signed diplomas shared with them), views and code attempts. Audit events go to ``audit_events`` in the
same database.

Results are kept as JSON snapshots, exactly as fetched or shared: a share must show what was shared even when the
institution later changes its records, and a fetch is only a short-lived copy of what the nodes said.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vitnemal.db import Base, UtcDateTime


class OwnerFetch(Base):
    """One "fetch my results": every institution asked at once, each answer recorded as it arrives."""

    __tablename__ = "portal_fetches"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(11), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The owner's login, the legal basis of every request of this fetch (retries included): when and at which level.
    login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    login_acr: Mapped[str | None] = mapped_column(String(60))

    sources: Mapped[list[FetchSource]] = relationship(
        back_populates="fetch", cascade="all, delete-orphan", order_by="FetchSource.institution_code"
    )


class FetchSource(Base):
    """One institution's part of a fetch.

    ``state`` is "pending" (not yet asked, or being asked: ``lease_until``), "answered", "retry" (did not answer;
    asked again at ``next_attempt_at``) or "failed" (gave up or refused). ``data`` holds the passed results and
    qualifications the institution sent (``{"results": [...], "qualifications": [...]}``).
    """

    __tablename__ = "portal_fetch_sources"
    __table_args__ = (UniqueConstraint("fetch_id", "institution_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fetch_id: Mapped[int] = mapped_column(ForeignKey("portal_fetches.id", ondelete="CASCADE"))
    institution_code: Mapped[str] = mapped_column(String(10))
    institution_name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), index=True)
    outcome: Mapped[str | None] = mapped_column(String(30))
    message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    fetched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    fetch: Mapped[OwnerFetch] = relationship(back_populates="sources")


class Share(Base):
    """Results shared with one recipient: a frozen snapshot, its signed PDF, the hashed link token and code.

    ``public_id`` names the share in its PDF's verification URL. After the purge (12 months after the share ended)
    only the counts, the dates and the state remain: recipient, names, snapshot, PDF and code are gone.
    """

    __tablename__ = "portal_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[str] = mapped_column(String(11), index=True)
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_birth_date: Mapped[date | None] = mapped_column(Date)
    recipient: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    snapshot: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    code_hash: Mapped[str | None] = mapped_column(String(200))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    qualifications_count: Mapped[int] = mapped_column(Integer, default=0)
    courses_count: Mapped[int] = mapped_column(Integer, default=0)
    # The views are their own rows while the share lives; the purge writes their number here before deleting them.
    views_count: Mapped[int] = mapped_column(Integer, default=0)

    views: Mapped[list[ShareView]] = relationship(
        back_populates="share", cascade="all, delete-orphan", order_by="ShareView.at"
    )
    documents: Mapped[list[ShareDocument]] = relationship(
        cascade="all, delete-orphan", order_by="ShareDocument.number"
    )


class ShareDocument(Base):
    """An institution-signed diploma set shared with the results, frozen at share time: the PDF exactly as the
    institution's node handed it out on the owner's login (its hash checked against the node's signed answer, its
    signature against the federation as that institution's). Deleted with the share's data by the purge."""

    __tablename__ = "portal_share_documents"
    __table_args__ = (UniqueConstraint("share_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("portal_shares.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, …: the recipient's /s/<token>/diploma/<number>
    institution_code: Mapped[str] = mapped_column(String(10))
    institution_name: Mapped[str] = mapped_column(String(300))
    qualification_key: Mapped[str] = mapped_column(String(120))
    document_id: Mapped[str] = mapped_column(String(36))
    lang: Mapped[str] = mapped_column(String(2))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class ShareView(Base):
    """Every time a recipient opened the share or downloaded its PDF, with the time and the client."""

    __tablename__ = "portal_share_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("portal_shares.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    client: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(String(20))  # "opened", "pdf", "diploma"

    share: Mapped[Share] = relationship(back_populates="views")


class CodeAttempt(Base):
    """One access code typed for a share, right or wrong: the attempt limits count these (across processes)."""

    __tablename__ = "portal_code_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int | None] = mapped_column(ForeignKey("portal_shares.id", ondelete="CASCADE"), index=True)
    client: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ok: Mapped[bool] = mapped_column(Boolean)
