"""db.Prepared: a Core statement compiled once per dialect and run on the driver's cursor, in the session's
transaction, with the values SQLAlchemy itself would read and write (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

import pytest
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from vitnemal.db import Database, Prepared
from vitnemal.records.models import Course, Disclosure

_course = cast(Table, Course.__table__)
_disclosure = cast(Table, Disclosure.__table__)
COURSES = Prepared(select(_course.c.code, _course.c.credits)
                   .where(_course.c.code.in_(bindparam("codes", expanding=True))).order_by(_course.c.code))
FIRST_COURSE = Prepared(select(_course.c.code).order_by(_course.c.code).limit(1))
LOG = Prepared(insert(_disclosure).values(
    {c.name: bindparam(c.name, type_=c.type) for c in _disclosure.c if c.name != "id"}).inline())  # no RETURNING id
LOGGED = Prepared(select(_disclosure.c.at, _disclosure.c.request_id, _disclosure.c.consent_given_at)
                  .where(_disclosure.c.requester_code == bindparam("requester")).order_by(_disclosure.c.id))


def _row(request_id: str, at: datetime) -> dict[str, object]:
    return {"at": at, "requester_code": "185", "request_id": request_id, "national_id": "01010112345",
            "person_id": None, "answer": "no_results", "results_count": 0, "qualifications_count": 0,
            "basis": "consent", "consent_given_at": datetime(2026, 1, 5, 8, tzinfo=UTC), "consent_reference": None,
            "login_at": None, "login_acr": None, "document_id": None}


def test_prepared_statements_read_and_write_what_the_orm_does(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        s.add_all([Course(code=c, name_nb=c, name_en=c, credits=Decimal(credits), grading_scale="letter",
                          kind="course") for c, credits in (("B", "7.5"), ("A", "10"), ("C", "2.5"))])
    at = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    with db.session() as s:
        # Each list length compiles once; the rows carry the column names and SQLAlchemy's types (Decimal).
        assert [(r.code, r.credits) for r in COURSES.execute(s, {"codes": ["C", "A"]})] == [
            ("A", Decimal("10")), ("C", Decimal("2.5"))]
        assert [r.code for r in COURSES.execute(s, {"codes": ["B"]})] == ["B"]
        assert [r.code for r in COURSES.execute(s, {"codes": ["A", "B", "C"]})] == ["A", "B", "C"]
        assert FIRST_COURSE.first(s).code == "A"  # the statement's own literal (LIMIT 1) is bound too
        assert LOG.execute(s, _row("r1", at)) == []
        assert [tuple(r) for r in LOGGED.execute(s, {"requester": "185"})] == [
            (at, "r1", datetime(2026, 1, 5, 8, tzinfo=UTC))]
    with db.read_session() as s:  # written in that transaction, read back by the ORM as it reads any row
        logged = s.scalars(select(Disclosure)).one()
        assert (logged.at, logged.request_id, logged.consent_given_at) == (
            at, "r1", datetime(2026, 1, 5, 8, tzinfo=UTC))
    with pytest.raises(IntegrityError), db.session() as s:  # the driver's error, as SQLAlchemy raises it
        LOG.execute(s, _row("r1", at))
    with pytest.raises(RuntimeError), db.session() as s:  # the write is the session's: its rollback undoes it
        LOG.execute(s, _row("r2", at))
        raise RuntimeError("rolled back")
    with db.session() as s:
        assert [r.request_id for r in LOGGED.execute(s, {"requester": "185"})] == ["r1"]
        with pytest.raises(KeyError):  # a parameter without a value is an error, not the previous call's value
            LOGGED.execute(s, {})
    db.dispose()
