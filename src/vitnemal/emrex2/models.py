"""The EMREX 2 consent record (portal database): one row per consent an applicant gave a client, with what exactly
was consented to, the authorization code that carried it (hashed, single use, bound to the PKCE challenge and the
redirect_uri) and the access token it became (hashed, at most ten minutes)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vitnemal.db import Base, UtcDateTime


class Emrex2Grant(Base):
    """One consent: ``ref_id`` is the reference the owner and the client see."""

    __tablename__ = "emrex2_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref_id: Mapped[str] = mapped_column(String(36), unique=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("emrex_clients.id"), index=True)
    owner_id: Mapped[str] = mapped_column(String(11), index=True)
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_birth_date: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(2))
    scope: Mapped[str] = mapped_column(String(200))
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # exactly what was consented to
    qualifications_count: Mapped[int] = mapped_column(Integer, default=0)
    courses_count: Mapped[int] = mapped_column(Integer, default=0)
    consented_at: Mapped[datetime] = mapped_column(UtcDateTime)
    redirect_uri: Mapped[str] = mapped_column(String(500))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    code_expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    code_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The transfer each format's answer became: asked again, the client gets that document, not a new one.
    elmo_transfer_id: Mapped[str | None] = mapped_column(String(36))
    pdf_transfer_id: Mapped[str | None] = mapped_column(String(36))
    # When its copy of the results and the owner's name and birth date were deleted (a year after, as shares).
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Emrex2Assertion(Base):
    """A client assertion (private_key_jwt) already used: its ``jti`` (hashed with the client id) until it could no
    longer be valid anyway, so that a copied assertion cannot authenticate a second time."""

    __tablename__ = "emrex2_assertions"

    jti_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class PlatformToken(Base):
    """An access token a platform got with its client credentials (hashed, at most ten minutes, its scopes)."""

    __tablename__ = "emrex2_platform_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("emrex_clients.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
