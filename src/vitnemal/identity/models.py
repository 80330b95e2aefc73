"""People as one institution's records know them, with their identity history."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vitnemal.db import Base


class Person(Base):
    """A person under their current national id (fødselsnummer or D-number)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    national_id: Mapped[str] = mapped_column(String(11), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(200))

    earlier_ids: Mapped[list[PersonIdentity]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonIdentity.id"
    )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def all_ids(self) -> list[str]:
        """The current id first, then every earlier one (an old D-number, a temporary number)."""
        return [self.national_id, *(i.national_id for i in self.earlier_ids)]


class PersonIdentity(Base):
    """An id the person had before (a D-number replaced by a fødselsnummer, a temporary number)."""

    __tablename__ = "person_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    national_id: Mapped[str] = mapped_column(String(11), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    replaced_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="earlier_ids")
