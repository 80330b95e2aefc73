"""The student-system records of one institution (the tables FS calls vurderingsprotokoll, kvalifikasjonsprotokoll,
akseptanse and modulvalg)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vitnemal.db import Base, UtcDateTime
from vitnemal.identity.models import Person

CONSENT_RESULTS_EXCHANGE = "RESUTVEKSL"
# The applicant's consent that an admission (Samordna opptak, or an institution's local admission through
# Søknadsweb) may fetch their results: its own type, so a recognition consent never serves an admission and back.
CONSENT_ADMISSION = "OPPTAK"


class ExchangeSettings(Base):
    """The institution's choices about the results exchange (one row).

    ``module_active`` is "Aktiv J for Modulkode RESUTVEKSL"; ``reserved`` is the RESERVER property.
    """

    __tablename__ = "exchange_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_code: Mapped[str] = mapped_column(String(10))
    institution_name: Mapped[str] = mapped_column(String(200))
    module_active: Mapped[bool] = mapped_column(Boolean, default=False)
    reserved: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Course(Base):
    """An emne: a unit of study with its credits and grading scale."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_nb: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    credits: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    # "letter" (A–F) or "pass_fail" (bestått / ikke bestått)
    grading_scale: Mapped[str] = mapped_column(String(20), default="letter")
    # "course", "thesis", "exphil" or "exfac": drives grouping on transcripts
    kind: Mapped[str] = mapped_column(String(20), default="course")
    description_nb: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)


class AssessmentResult(Base):
    """One graded result of a course in a term (the vurderingsprotokoll)."""

    __tablename__ = "assessment_results"
    __table_args__ = (UniqueConstraint("person_id", "course_id", "year", "season"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    # "VÅR" or "HØST", as FS writes terms
    season: Mapped[str] = mapped_column(String(4))
    grade: Mapped[str] = mapped_column(String(20))
    passed: Mapped[bool] = mapped_column(Boolean)
    credits: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    thesis_title: Mapped[str | None] = mapped_column(String(500))
    assessed_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship()
    course: Mapped[Course] = relationship(lazy="joined")


class Qualification(Base):
    """An awarded qualification or degree (the kvalifikasjonsprotokoll / OPPNADD_GRAD_PROT)."""

    __tablename__ = "qualifications"
    __table_args__ = (UniqueConstraint("person_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name_nb: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    # "bachelor", "master", "phd" or "other" (a qualification that is not a degree)
    level: Mapped[str] = mapped_column(String(20))
    programme_code: Mapped[str | None] = mapped_column(String(30))
    programme_name_nb: Mapped[str | None] = mapped_column(String(300))
    programme_name_en: Mapped[str | None] = mapped_column(String(300))
    specialisation_nb: Mapped[str | None] = mapped_column(String(300))
    specialisation_en: Mapped[str | None] = mapped_column(String(300))
    credits: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    award_date: Mapped[date] = mapped_column(Date)
    # Dato_Utlev_Vitn: the degree is shared only when this is before the fetch date.
    diploma_issued_on: Mapped[date | None] = mapped_column(Date)

    groups: Mapped[list[QualificationGroup]] = relationship(
        cascade="all, delete-orphan", order_by="QualificationGroup.position"
    )
    courses: Mapped[list[QualificationCourse]] = relationship(cascade="all, delete-orphan")


class QualificationGroup(Base):
    """A heading of the degree's structure (e.g. "Obligatoriske emner"), under which courses are listed."""

    __tablename__ = "qualification_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    qualification_id: Mapped[int] = mapped_column(ForeignKey("qualifications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    heading_nb: Mapped[str] = mapped_column(String(200))
    heading_en: Mapped[str] = mapped_column(String(200))


class QualificationCourse(Base):
    """A result that counts toward a qualification, wholly or (``credits_counted``) partly."""

    __tablename__ = "qualification_courses"
    __table_args__ = (UniqueConstraint("qualification_id", "result_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    qualification_id: Mapped[int] = mapped_column(ForeignKey("qualifications.id", ondelete="CASCADE"), index=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("assessment_results.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("qualification_groups.id", ondelete="SET NULL"))
    credits_counted: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))

    result: Mapped[AssessmentResult] = relationship()
    group: Mapped[QualificationGroup | None] = relationship()


class ConsentAnswer(StrEnum):
    """The answer to an akseptanse question, in FS's J/N."""

    YES = "J"
    NO = "N"


class Consent(Base):
    """A person's answer to an akseptanse question; the latest answer of a type is the one that holds."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    answer: Mapped[str] = mapped_column(String(1))  # a ConsentAnswer
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Who recorded it: the student on their own page ("student:<id>"), or the member of staff who entered a
    # written answer in "Akseptanse for person" (their user name); None for answers from before it was kept.
    recorded_by: Mapped[str | None] = mapped_column(String(200))


class Student(Base):
    """The person is registered as a student here too (FS: Student beside Person), with a student number.

    The seed: "Hvis personen skal bruke Studentweb må vedkommende være opprettet som Student i tillegg".
    """

    __tablename__ = "students"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    student_number: Mapped[int] = mapped_column(Integer, unique=True)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    registered_by: Mapped[str] = mapped_column(String(200))


class AdmissionConsent(Base):
    """An applicant's answer, at application, to whether this admission may fetch their results (type OPPTAK).

    Held by national id, not by a person of the records: an applicant to Samordna opptak, or to an institution's
    local admission, is not (yet) one of its students. The newest answer holds; a withdrawal is an answer N.
    """

    __tablename__ = "admission_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    national_id: Mapped[str] = mapped_column(String(11), index=True)
    answer: Mapped[str] = mapped_column(String(1))  # a ConsentAnswer
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ConsentType(Base):
    """An akseptansetype (FS: bildet Akseptansetype): whether students are asked it, and where in the order.

    ``seq_semreg`` and ``seq_studentweb`` are FS's "sekvensnr semreg" and "sekvensnr studentwebmodul": the place of
    the question among the other active akseptanse questions in semester registration and on the student's pages.
    A type without a row is not active.
    """

    __tablename__ = "consent_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    seq_semreg: Mapped[int | None] = mapped_column(Integer)
    seq_studentweb: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(200))


class Disclosure(Base):
    """The node's log of every answer it gave: who asked, about whom, and what was disclosed."""

    __tablename__ = "disclosures"
    # Request ids are unique per requester: one institution's id can never block another's request.
    __table_args__ = (UniqueConstraint("requester_code", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    requester_code: Mapped[str] = mapped_column(String(10))
    # The request's id: a second request with the same id from the same requester is a replay and is refused.
    request_id: Mapped[str] = mapped_column(String(64))
    national_id: Mapped[str] = mapped_column(String(11), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(String(30))
    results_count: Mapped[int] = mapped_column(Integer, default=0)
    qualifications_count: Mapped[int] = mapped_column(Integer, default=0)
    # The request's legal basis: "consent" (to the requester) or "owner_login" (to the owner via the portal),
    # with the consent's date and the requester's reference to it, or the owner's login time and level.
    basis: Mapped[str] = mapped_column(String(20), default="consent", server_default="consent")
    consent_given_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    consent_reference: Mapped[str | None] = mapped_column(String(100))
    login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    login_acr: Mapped[str | None] = mapped_column(String(100))
    # An issued diploma set handed out with this answer (to the owner via the portal, who shared it).
    document_id: Mapped[str | None] = mapped_column(String(36))
