"""What the portal keeps for EMREX (its own database, ``settings.url_for("portal")``): the registered clients
(recruitment platforms and foreign universities) with their return addresses, the requests a client started, and
every transfer the portal made to a client.

One registry serves EMREX 1 (form POST with a ``returnUrl``) and EMREX 2 (OAuth with a ``redirect_uri`` and a
client key for private_key_jwt); ``kind`` says which. A client is removed softly: the owners' list of transfers
keeps naming the platform and its contact for a deletion request.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vitnemal.db import Base, UtcDateTime


class EmrexClient(Base):
    """A registered EMREX client: who it is, how to reach it, and what it is entitled to."""

    __tablename__ = "emrex_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)  # also the OAuth client_id (EMREX 2)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # "emrex1" or "emrex2"
    contact_email: Mapped[str] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(500))
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # public keys only ({"keys": [...]})
    national_id: Mapped[bool] = mapped_column(Boolean, default=False)  # may receive the learner's national id
    # The platforms' API (client credentials): the scopes it may ask for ("transfers:read consents:read"), and where
    # the portal posts its signed webhooks (a consent given or ended, a transfer made); empty: none.
    scopes: Mapped[str] = mapped_column(String(200), default="")
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    urls: Mapped[list[EmrexClientUrl]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="EmrexClientUrl.id")


class EmrexClientUrl(Base):
    """One return address of a client (EMREX 1 ``returnUrl``, EMREX 2 ``redirect_uri``), normalised.

    Unique across clients: an EMREX 1 request names no client, its return address is what says who asks.
    """

    __tablename__ = "emrex_client_urls"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("emrex_clients.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500), unique=True)

    client: Mapped[EmrexClient] = relationship(back_populates="urls")


class EmrexRequest(Base):
    """An EMREX 1 request as the client POSTed it, kept under a server-side handle until the applicant answers.

    The browser holds only the handle (its hash is stored); nothing is sent anywhere before the applicant has
    logged in and confirmed. The first owner who opens it is bound to it (``owner_id``).
    """

    __tablename__ = "emrex_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    handle_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("emrex_clients.id"), index=True)
    session_id: Mapped[str] = mapped_column(String(64))
    return_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    owner_id: Mapped[str | None] = mapped_column(String(11))
    fetch_id: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    return_code: Mapped[str | None] = mapped_column(String(20))

    client: Mapped[EmrexClient] = relationship()


class EmrexTransfer(Base):
    """Results the portal handed to a client on the owner's confirmation: like a share, a frozen snapshot with the
    signed PDF (whose verification id is ``public_id``) and the signed ELMO exactly as sent."""

    __tablename__ = "emrex_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    owner_id: Mapped[str] = mapped_column(String(11), index=True)
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_birth_date: Mapped[date | None] = mapped_column(Date)
    client_pk: Mapped[int] = mapped_column(ForeignKey("emrex_clients.id"), index=True)
    protocol: Mapped[str] = mapped_column(String(10))  # "emrex1" or "emrex2"
    data_format: Mapped[str] = mapped_column(String(10))  # "elmo" or "pdf"
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the PDF's "valid until"
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    elmo: Mapped[bytes | None] = mapped_column(LargeBinary)
    elmo_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    qualifications_count: Mapped[int] = mapped_column(Integer, default=0)
    courses_count: Mapped[int] = mapped_column(Integer, default=0)
    # When what was sent (the results, the documents, the owner's name and birth date) was deleted, 12 months
    # after the PDF's validity ended, as a share's; the counts, the hashes and the dates remain.
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    client: Mapped[EmrexClient] = relationship()


class WebhookDelivery(Base):
    """One webhook to a platform, written in the transaction of what it tells (so none is lost and none is sent for
    what was rolled back) and delivered by the portal's background loop with retries (see emrex.webhooks)."""

    __tablename__ = "emrex_webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("emrex_clients.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)  # None once delivered or given up
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
