"""Factories for test data: a small federation on disk, and people, courses, results, degrees in one institution."""

from __future__ import annotations

import itertools
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from vitnemal.devtools import postgres
from vitnemal.devtools.federation import BareFederation, build_federation
from vitnemal.identity.models import Person, PersonIdentity
from vitnemal.records.models import (
    AssessmentResult,
    Consent,
    Course,
    Qualification,
    QualificationCourse,
    QualificationGroup,
)

# The bare federation lives in the package so benchmarks can use it too.
MiniFederation = BareFederation
make_federation = build_federation
_counter = itertools.count()

# Fixtures parametrised with ENGINES run once on SQLite and once on PostgreSQL (marked, so -m selects them).
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def federation_on_engine(request: pytest.FixtureRequest, path: Path, codes: list[str], base: str) -> MiniFederation:
    """A bare federation of ``codes`` in ``path`` whose node databases are on the engine of ``request.param``
    (a fixture parametrised with :data:`ENGINES`): copies of the migrated SQLite template, or databases made from
    the PostgreSQL template on the session's server."""
    if request.param == "postgresql":
        pg: postgres.ThrowawayPostgres = request.getfixturevalue("pg_server")
        prefix = f"f{os.getpid()}_{next(_counter)}_"
        return make_federation(path, codes, base, database_url=pg.url(prefix + "{code}"),
                               create_db=lambda c: pg.create_database(prefix + c, template="template_vitnemal"))
    return make_federation(path, codes, base, template=request.getfixturevalue("sqlite_template"))


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
