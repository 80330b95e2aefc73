"""Factories for test data: a small federation on disk, and people, courses, results, degrees in one institution."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.identity.models import Person, PersonIdentity
from vitnemal.institutions.keys import generate_key, public_jwk, save_private_key
from vitnemal.institutions.registry import InstitutionEntry, Registry
from vitnemal.records.models import (
    AssessmentResult,
    Consent,
    Course,
    ExchangeSettings,
    Qualification,
    QualificationCourse,
    QualificationGroup,
)
from vitnemal.schema import upgrade
from vitnemal.staff.service import create_token

NAMES = {
    "185": ("Universitetet i Oslo", "University of Oslo", "UiO"),
    "216": ("Høgskulen i Sogn og Fjordane", "Sogn og Fjordane University College", "HiSF"),
    "214": ("Høgskolen i Nord-Trøndelag", "Nord-Trøndelag University College", "HiNT"),
    "184": ("Universitetet i Bergen", "University of Bergen", "UiB"),
    "194": ("Norges teknisk-naturvitenskapelige universitet", "Norwegian University of Science and Technology",
            "NTNU"),
    "186": ("Universitetet i Tromsø", "University of Tromsø", "UiT"),
}


@dataclass
class MiniFederation:
    settings: Settings
    registry: Registry
    tokens: dict[str, str] = field(default_factory=dict)

    def db(self, code: str) -> Database:
        return Database(self.settings.url_for(code))


def make_federation(home: Path, codes: list[str], base_url: str, template: Path | None = None,
                    database_url: str = "", create_db: Callable[[str], object] | None = None) -> MiniFederation:
    """Keys, registry and a migrated database for each code, every institution sharing; tokens for case workers."""
    settings = Settings(home=home, database_url=database_url, public_url=base_url)
    entries = {}
    tokens = {}
    for code in codes:
        key = generate_key()
        save_private_key(key, settings.keys_dir / f"{code}.pem")
        nb, en, short = NAMES.get(code, (f"Institusjon {code}", f"Institution {code}", f"I{code}"))
        entries[code] = InstitutionEntry(code, nb, en, short, f"{base_url}/nodes/{code}", public_jwk(key))
        url = settings.url_for(code)
        if template is not None and url.startswith("sqlite"):
            target = Path(url.removeprefix("sqlite:///"))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template, target)
        elif create_db is not None:
            create_db(code)  # e.g. a PostgreSQL database made from the migrated template
        else:
            upgrade(url)
        db = Database(url)
        with db.session() as s:
            s.add(ExchangeSettings(institution_code=code, institution_name=nb, module_active=True, reserved=False))
            tokens[code] = create_token(s, f"saksbehandler@{short.lower()}")
        db.dispose()
    registry = Registry(entries)
    registry.save(settings.registry_path)
    return MiniFederation(settings, registry, tokens)


def add_person(s: Session, national_id: str, first: str = "Kari", last: str = "Nordmann",
               born: date | None = date(1995, 3, 1), earlier: list[str] | None = None) -> Person:
    person = Person(national_id=national_id, first_name=first, last_name=last, birth_date=born)
    person.earlier_ids = [PersonIdentity(national_id=i, kind="d_number") for i in earlier or []]
    s.add(person)
    s.flush()
    return person


def consent(s: Session, person: Person, answer: str = "J", at: datetime | None = None) -> Consent:
    row = Consent(person_id=person.id, type="RESUTVEKSL", answer=answer,
                  answered_at=at or datetime(2026, 8, 15, 12, 0, tzinfo=UTC))
    s.add(row)
    s.flush()
    return row


def add_course(s: Session, code: str, credits: str = "10", *, scale: str = "letter", kind: str = "course",
               name_nb: str | None = None, name_en: str | None = None, description_nb: str | None = None) -> Course:
    course = Course(code=code, name_nb=name_nb or f"Emne {code}", name_en=name_en or f"Course {code}",
                    credits=Decimal(credits), grading_scale=scale, kind=kind, description_nb=description_nb)
    s.add(course)
    s.flush()
    return course


def add_result(s: Session, person: Person, course: Course, year: int, season: str, grade: str,
               thesis_title: str | None = None) -> AssessmentResult:
    passed = grade not in ("F", "Ikke bestått")
    row = AssessmentResult(person_id=person.id, course_id=course.id, year=year, season=season, grade=grade,
                           passed=passed, credits=course.credits, thesis_title=thesis_title)
    s.add(row)
    s.flush()
    return row


def add_degree(s: Session, person: Person, code: str, results: list[AssessmentResult], *, level: str = "bachelor",
               awarded: date = date(2020, 6, 20), issued: date | None = date(2020, 7, 1)) -> Qualification:
    q = Qualification(person_id=person.id, code=code, name_nb=f"Bachelor {code}", name_en=f"Bachelor {code}",
                      level=level, credits=Decimal("180"), award_date=awarded, diploma_issued_on=issued)
    s.add(q)
    s.flush()
    group = QualificationGroup(qualification_id=q.id, position=1, heading_nb="Obligatoriske emner",
                               heading_en="Compulsory courses")
    s.add(group)
    s.flush()
    s.add_all(QualificationCourse(qualification_id=q.id, result_id=r.id, group_id=group.id) for r in results)
    s.flush()
    return q
