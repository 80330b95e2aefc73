"""Recognition cases (godkjenningssaker).

A :class:`RecognitionCase` is opened by a case worker for a person (status BEHANDLES), may fetch the person's
external Norwegian results into it (it points at the :class:`~vitnemal.exchange.models.ResultsOrder`), and ends
FERDIG (decided, with what was recognised) or AVSLÅTT (refused, with the reason). Each
:class:`RecognitionItem` is one decision "recognised toward qualification X": a whole external course (an
imported :class:`~vitnemal.exchange.models.ExternalResult`, copied into the item so the decision stays readable
if the source changes) or an aggregated block defined by the faculty (title, institution, credits). Who decided
and when is kept on every item and on the case; a withdrawn item keeps its row with who withdrew it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vitnemal.db import Base, UtcDateTime
from vitnemal.exchange.models import ResultsOrder
from vitnemal.identity.models import Person

OPEN, DONE, REFUSED = "BEHANDLES", "FERDIG", "AVSLÅTT"
STATUSES = (OPEN, DONE, REFUSED)


class RecognitionCase(Base):
    """A godkjenningssak: external results assessed and recognised for one person."""

    __tablename__ = "recognition_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # BEHANDLES (open), FERDIG (decided) or AVSLÅTT (refused)
    status: Mapped[str] = mapped_column(String(10), index=True)
    qualification_code: Mapped[str | None] = mapped_column(String(30))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opened_by: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("results_orders.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()
    order: Mapped[ResultsOrder | None] = relationship()
    items: Mapped[list[RecognitionItem]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="RecognitionItem.id"
    )


class RecognitionItem(Base):
    """One recognition toward a qualification: an external course (``kind`` "result") or a block ("block")."""

    __tablename__ = "recognition_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("recognition_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    external_result_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_results.id", ondelete="SET NULL"), index=True
    )
    qualification_code: Mapped[str] = mapped_column(String(30), index=True)
    # The heading of the degree's structure it goes under on the transcript (None: its own heading).
    group_heading: Mapped[str | None] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(30))
    name_nb: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    course_kind: Mapped[str] = mapped_column(String(20), default="course")
    thesis_title: Mapped[str | None] = mapped_column(String(500))
    institution_code: Mapped[str | None] = mapped_column(String(10))
    institution_name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    season: Mapped[str | None] = mapped_column(String(4))
    credits: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    credits_counted: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    note: Mapped[str | None] = mapped_column(Text)
    recognised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recognised_by: Mapped[str] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))

    case: Mapped[RecognitionCase] = relationship(back_populates="items")
