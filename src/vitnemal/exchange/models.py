"""What the requesting institution stores about its orders and the external results they brought in."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    Date,
    Dialect,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from vitnemal.db import Base, UtcDateTime
from vitnemal.exchange.states import OrderStatus, OutcomeState
from vitnemal.identity.models import Person

E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A StrEnum stored as its plain value in a VARCHAR (the schema is unchanged) and read back as the enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value  # refuses a value outside the enum

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class ResultsOrder(Base):
    """A resultatbestilling: one background fetch of a person's results from every institution.

    ``status`` is an :class:`~vitnemal.exchange.states.OrderStatus` (the rules that move it are in states.py and
    lifecycle.py). ``lease_owner``/``lease_until`` let one worker own the order at a time; a crashed worker's
    lease runs out and another takes over the outcomes still pending.
    """

    __tablename__ = "results_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    national_id: Mapped[str] = mapped_column(String(11))
    ordered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ordered_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[OrderStatus] = mapped_column(EnumText(OrderStatus, 20), index=True)
    next_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    person: Mapped[Person] = relationship()
    outcomes: Mapped[list[OrderOutcome]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderOutcome.institution_code"
    )
    changes: Mapped[list[OrderChange]] = relationship(cascade="all, delete-orphan", order_by="OrderChange.id")


class OrderOutcome(Base):
    """What one institution answered to one order.

    ``state`` is an :class:`~vitnemal.exchange.states.OutcomeState`; ``outcome`` is one of
    ``vitnemal.exchange.outcomes.Outcome``.
    """

    __tablename__ = "order_outcomes"
    __table_args__ = (UniqueConstraint("order_id", "institution_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("results_orders.id", ondelete="CASCADE"), index=True)
    institution_code: Mapped[str] = mapped_column(String(10))
    state: Mapped[OutcomeState] = mapped_column(EnumText(OutcomeState, 10), default=OutcomeState.PENDING)
    outcome: Mapped[str | None] = mapped_column(String(30))
    results_count: Mapped[int] = mapped_column(Integer, default=0)
    qualifications_count: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)

    order: Mapped[ResultsOrder] = relationship(back_populates="outcomes")


class OrderChange(Base):
    """A change found when results were fetched again: one of :data:`vitnemal.exchange.changes.KINDS`.

    ``source_key`` is the changed result's or qualification's key at the source (None on rows older than it), so
    Person eksternstudium can highlight the row."""

    __tablename__ = "order_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("results_orders.id", ondelete="CASCADE"), index=True)
    institution_code: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(30))
    code: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str] = mapped_column(Text)
    source_key: Mapped[str | None] = mapped_column(String(80))


class ExternalStudyRecord(Base):
    """Person eksternstudium: everything imported about one person from one source institution."""

    __tablename__ = "external_study_records"
    __table_args__ = (UniqueConstraint("person_id", "source_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    source_code: Mapped[str] = mapped_column(String(10))
    source_name: Mapped[str] = mapped_column(String(200))
    first_fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_order_id: Mapped[int | None] = mapped_column(ForeignKey("results_orders.id", ondelete="SET NULL"))

    results: Mapped[list[ExternalResult]] = relationship(
        cascade="all, delete-orphan", order_by="(ExternalResult.year, ExternalResult.season, ExternalResult.id)"
    )
    qualifications: Mapped[list[ExternalQualification]] = relationship(cascade="all, delete-orphan")


class ExternalResult(Base):
    """One imported course result. ``source_key`` (course code and term) identifies it across fetches."""

    __tablename__ = "external_results"
    __table_args__ = (UniqueConstraint("record_id", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("external_study_records.id", ondelete="CASCADE"), index=True)
    source_key: Mapped[str] = mapped_column(String(80))
    course_code: Mapped[str] = mapped_column(String(30))
    name_nb: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    thesis_title: Mapped[str | None] = mapped_column(String(500))
    year: Mapped[int] = mapped_column(Integer)
    season: Mapped[str] = mapped_column(String(4))
    credits: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    # As the source writes them: room for a foreign scale's grade and scheme id read from ELMO (interop).
    grade: Mapped[str] = mapped_column(String(100))
    grading_scale: Mapped[str] = mapped_column(String(100))
    description_nb: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    removed_at_source: Mapped[bool] = mapped_column(default=False)


class ExternalQualification(Base):
    """One imported qualification, with the links to the results that belong to it."""

    __tablename__ = "external_qualifications"
    __table_args__ = (UniqueConstraint("record_id", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("external_study_records.id", ondelete="CASCADE"), index=True)
    source_key: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(30))
    name_nb: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))
    programme_name_nb: Mapped[str | None] = mapped_column(String(300))
    programme_name_en: Mapped[str | None] = mapped_column(String(300))
    specialisation_nb: Mapped[str | None] = mapped_column(String(300))
    specialisation_en: Mapped[str | None] = mapped_column(String(300))
    credits: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    award_date: Mapped[date] = mapped_column(Date)
    diploma_issued_on: Mapped[date | None] = mapped_column(Date)

    links: Mapped[list[ExternalQualificationCourse]] = relationship(cascade="all, delete-orphan")


class ExternalQualificationCourse(Base):
    """Which imported result belongs to which imported qualification, under which heading of its structure."""

    __tablename__ = "external_qualification_courses"
    __table_args__ = (UniqueConstraint("qualification_id", "result_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    qualification_id: Mapped[int] = mapped_column(
        ForeignKey("external_qualifications.id", ondelete="CASCADE"), index=True
    )
    result_id: Mapped[int] = mapped_column(ForeignKey("external_results.id", ondelete="CASCADE"), index=True)
    group_heading_nb: Mapped[str | None] = mapped_column(String(200))
    group_heading_en: Mapped[str | None] = mapped_column(String(200))
    credits_counted: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
