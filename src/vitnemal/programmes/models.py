"""Study programmes (studieprogram) as a diploma describes them, and who was admitted to which.

:class:`Programme` holds what the seed's diploma rules need and the records do not have: the programme's names,
the diploma's language, the faculty that awards it, the candidate oath, nominal length, credits, NQF cycle,
framework plan and the texts of the information page (per language; nynorsk falls back to bokmål).
:class:`ProgrammeAdmission` records that a person was admitted to a programme (opptak): only then does the
diploma name the programme.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vitnemal.db import Base


class Programme(Base):
    """A study programme as the diploma describes it (texts per language; nynorsk falls back to bokmål)."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_nb: Mapped[str] = mapped_column(String(300))
    name_nn: Mapped[str | None] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    # the qualification (degree) code the programme leads to, e.g. MA-INF for MAINF: what its students can take
    qualification_code: Mapped[str | None] = mapped_column(String(30), index=True)
    language: Mapped[str] = mapped_column(String(2), default="nb")  # nb, nn or en: the diploma's language
    faculty_nb: Mapped[str] = mapped_column(String(300))
    faculty_nn: Mapped[str | None] = mapped_column(String(300))
    faculty_en: Mapped[str | None] = mapped_column(String(300))
    oath_nb: Mapped[str | None] = mapped_column(Text)
    oath_nn: Mapped[str | None] = mapped_column(Text)
    oath_en: Mapped[str | None] = mapped_column(Text)
    nominal_years: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    credits: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    nqf_cycle: Mapped[int | None] = mapped_column(Integer)
    framework_plan_nb: Mapped[str | None] = mapped_column(String(300))
    framework_plan_nn: Mapped[str | None] = mapped_column(String(300))
    framework_plan_en: Mapped[str | None] = mapped_column(String(300))
    framework_plan_date: Mapped[date | None] = mapped_column(Date)
    objectives_nb: Mapped[str | None] = mapped_column(Text)
    objectives_nn: Mapped[str | None] = mapped_column(Text)
    objectives_en: Mapped[str | None] = mapped_column(Text)
    outcomes_nb: Mapped[str | None] = mapped_column(Text)
    outcomes_nn: Mapped[str | None] = mapped_column(Text)
    outcomes_en: Mapped[str | None] = mapped_column(Text)
    description_nb: Mapped[str | None] = mapped_column(Text)
    description_nn: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)


class ProgrammeAdmission(Base):
    """The person was admitted to the programme (opptak): only then does the diploma name the programme."""

    __tablename__ = "programme_admissions"
    __table_args__ = (UniqueConstraint("person_id", "programme_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    programme_code: Mapped[str] = mapped_column(String(30))
    admitted_on: Mapped[date | None] = mapped_column(Date)
