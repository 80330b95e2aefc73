"""What the requester (Samordna opptak, or an institution's local admission) stores about its admission rounds.

An applicant carries the same lease columns as a results order (``status``, ``lease_owner``, ``lease_until``,
``next_run_at``), so the exchange's claim/lease rules (:mod:`vitnemal.exchange.lifecycle`) claim applicants too. A
fetch row is written when an institution's answer about the applicant is recorded; no row means not asked yet.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vitnemal.db import Base, UtcDateTime
from vitnemal.exchange.models import EnumText
from vitnemal.exchange.states import OrderStatus, OutcomeState


class RoundKind(StrEnum):
    SAMORDNA_OPPTAK = "samordna_opptak"
    LOCAL = "local"  # an institution's local admission (Søknadsweb)


class RoundStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"  # every applicant is done
    CANCELLED = "cancelled"


class LineProblem(StrEnum):
    """Why a line of the applicants' list was not taken."""

    INVALID_NATIONAL_ID = "invalid_national_id"
    DUPLICATE = "duplicate"
    NO_CONSENT = "no_consent"
    MALFORMED = "malformed"


class Stopped(StrEnum):
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CANCELLED = "cancelled"


class AdmissionRound(Base):
    """One admission round: a list of applicants, each fetched from every institution in ``institutions``."""

    __tablename__ = "admission_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    requester: Mapped[str] = mapped_column(String(20))
    kind: Mapped[RoundKind] = mapped_column(EnumText(RoundKind, 20))
    status: Mapped[RoundStatus] = mapped_column(EnumText(RoundStatus, 20), index=True)
    institutions: Mapped[str] = mapped_column(Text)  # a JSON list of codes, fixed when the round starts
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(300))
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused_by: Mapped[str | None] = mapped_column(String(100))
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lines_total: Mapped[int] = mapped_column(Integer, default=0)
    lines_rejected: Mapped[int] = mapped_column(Integer, default=0)


class RejectedLine(Base):
    """A line of the list that was not taken, with its number (1 = the first line after the header) and reason."""

    __tablename__ = "admission_rejected_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("admission_rounds.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    national_id: Mapped[str] = mapped_column(String(20))
    reason: Mapped[LineProblem] = mapped_column(EnumText(LineProblem, 30))
    message: Mapped[str] = mapped_column(Text)


class Applicant(Base):
    """One applicant in one round: the unit a worker claims (``status`` an OrderStatus, with a lease)."""

    __tablename__ = "admission_applicants"
    __table_args__ = (
        UniqueConstraint("round_id", "national_id"),
        Index("ix_admission_applicants_round_status", "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("admission_rounds.id", ondelete="CASCADE"))
    line_no: Mapped[int | None] = mapped_column(Integer)
    # An applicant is held by national id, as the admission's consent is (records.models.AdmissionConsent): they
    # need not be one of the requester's people. The names, when the list gives them, go into the request.
    national_id: Mapped[str] = mapped_column(String(11))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    reference: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[OrderStatus] = mapped_column(EnumText(OrderStatus, 20))
    next_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stopped: Mapped[Stopped | None] = mapped_column(EnumText(Stopped, 30))
    first_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)


class Fetch(Base):
    """What one institution answered about one applicant (``outcome`` an exchange Outcome); ``contents`` is the
    verified answer's results and qualifications as compact JSON, for an imported answer only."""

    __tablename__ = "admission_fetches"
    __table_args__ = (UniqueConstraint("applicant_id", "institution_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("admission_rounds.id", ondelete="CASCADE"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("admission_applicants.id", ondelete="CASCADE"))
    institution_code: Mapped[str] = mapped_column(String(10))
    state: Mapped[OutcomeState] = mapped_column(EnumText(OutcomeState, 10))
    outcome: Mapped[str] = mapped_column(String(30))
    message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    results_count: Mapped[int] = mapped_column(Integer, default=0)
    qualifications_count: Mapped[int] = mapped_column(Integer, default=0)
    contents: Mapped[str | None] = mapped_column(Text)


class RoundWorker(Base):
    """A worker taking part in a round, seen at ``seen_at``: the workers seen lately share each node's rate."""

    __tablename__ = "admission_round_workers"
    __table_args__ = (UniqueConstraint("round_id", "worker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("admission_rounds.id", ondelete="CASCADE"), index=True)
    worker: Mapped[str] = mapped_column(String(100))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
