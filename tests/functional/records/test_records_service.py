"""The operators' records service: results and appeals, degrees and diplomas, consents, settings, people, ids."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.db import Database
from vitnemal.records import service
from vitnemal.records.models import AssessmentResult, Course, ExchangeSettings

TP1 = "01536112185"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    with database.session() as s:
        s.add(ExchangeSettings(institution_code="216", institution_name="Høgskulen i Sogn og Fjordane",
                               module_active=True, reserved=False))
        s.add_all([
            Course(code="RES-100", name_nb="Resultatutveksling test 100", name_en="Results exchange test 100",
                   credits=Decimal(10), grading_scale="letter", kind="course"),
            Course(code="SYK104", name_nb="Praksis i sykehjem", name_en="Clinical placement in a nursing home",
                   credits=Decimal(15), grading_scale="pass_fail", kind="course"),
        ])
        service.add_person(s, "015361 12185", "Testperson1", "Resultatutveksling", actor="test")
    yield database
    database.dispose()


def _valid_d_number() -> str:
    from vitnemal.identity.national_id import make_national_id

    for individual in range(100, 200):
        number = make_national_id(date(1990, 1, 1), individual, kind="d_number")
        if number:
            return number
    raise AssertionError("no D-number")


def test_add_result_then_appeal_changes_the_grade_and_a_retake_is_a_new_result(db: Database) -> None:
    with db.session() as s:
        first = service.record_result(s, TP1, "res-100", 2014, "HØST", "C")
        assert (first.grade, first.passed, first.credits) == ("C", True, Decimal(10))
    with db.session() as s:
        appealed = service.record_result(s, "015361 12185", "RES-100", 2014, "høst", "b")
        assert appealed.id == first.id and appealed.grade == "B"
        retake = service.record_result(s, TP1, "RES-100", 2025, "HØST", "A", assessed_on=date(2025, 12, 10))
        assert retake.id != first.id
    with db.read_session() as s:
        person = service.get_person(s, TP1)
        assert [(r.year, r.season, r.grade) for r in service.results_of(s, person)] == [
            (2014, "HØST", "B"), (2025, "HØST", "A")]


def test_grades_are_checked_against_the_course_scale(db: Database) -> None:
    with db.session() as s:
        assert service.record_result(s, TP1, "SYK104", 2020, "VÅR", "bestått").grade == "Bestått"
        failed = service.record_result(s, TP1, "SYK104", 2019, "HØST", "Ikke bestått")
        assert failed.passed is False
        assert service.record_result(s, TP1, "RES-100", 2015, "VÅR", "F").passed is False
    with db.session() as s, pytest.raises(ValueError, match="letter scale A–F"):
        service.record_result(s, TP1, "RES-100", 2016, "VÅR", "Bestått")
    with db.session() as s, pytest.raises(ValueError, match="pass/fail"):
        service.record_result(s, TP1, "SYK104", 2016, "VÅR", "B")
    with db.session() as s, pytest.raises(ValueError, match="not a season"):
        service.record_result(s, TP1, "RES-100", 2016, "SOMMER", "B")


def test_unknown_person_and_course_are_named(db: Database) -> None:
    with db.session() as s, pytest.raises(service.UnknownPerson, match="19588312510"):
        service.record_result(s, "195883 12510", "RES-100", 2014, "HØST", "C")
    with db.session() as s, pytest.raises(service.UnknownCourse, match=r"RES-OAL.*RES-100"):
        service.record_result(s, TP1, "RES-OAL", 2014, "HØST", "C")


def test_parse_term() -> None:
    assert service.parse_term("2025 HØST") == (2025, "HØST")
    assert service.parse_term("vår 2026") == (2026, "VÅR")
    assert service.parse_term("2024 Haust") == (2024, "HØST")
    with pytest.raises(ValueError, match="not a term"):
        service.parse_term("2025")


def test_award_a_degree_and_issue_its_diploma(db: Database) -> None:
    with db.session() as s:
        service.record_result(s, TP1, "RES-100", 2014, "HØST", "D")
        service.record_result(s, TP1, "RES-100", 2015, "HØST", "B")  # improved: the best one counts
        qual = service.award_qualification(s, TP1, "RES-GRAD", name_nb="Testgrad", name_en="Test degree",
                                            level="other", award_date=date(2016, 1, 10), courses=["RES-100"])
        assert qual.credits == Decimal(10) and qual.diploma_issued_on is None
        assert [link.result.grade for link in qual.courses] == ["B"]
        assert [(g.heading_nb, g.heading_en) for g in qual.groups] == [("Emner", "Courses")]
    with db.session() as s:
        assert service.set_diploma_issued(s, TP1, "RES-GRAD", date(2016, 2, 1)).diploma_issued_on == date(2016, 2, 1)
        assert service.set_diploma_issued(s, TP1, "RES-GRAD", None).diploma_issued_on is None
    with db.session() as s, pytest.raises(ValueError, match="before the degree was awarded"):
        service.set_diploma_issued(s, TP1, "RES-GRAD", date(2015, 1, 1))
    with db.session() as s, pytest.raises(service.UnknownQualification, match="has: RES-GRAD"):
        service.set_diploma_issued(s, TP1, "BA-XYZ", date(2016, 2, 1))
    with db.session() as s, pytest.raises(ValueError, match="already has"):
        service.award_qualification(s, TP1, "RES-GRAD", name_nb="x", name_en="x", level="other",
                                     award_date=date(2016, 1, 10))
    with db.session() as s, pytest.raises(ValueError, match="no passed result in SYK104"):
        service.award_qualification(s, TP1, "X", name_nb="x", name_en="x", level="other",
                                     award_date=date(2016, 1, 10), courses=["SYK104"])
    with db.session() as s, pytest.raises(ValueError, match="not a level"):
        service.award_qualification(s, TP1, "X", name_nb="x", name_en="x", level="diploma",
                                     award_date=date(2016, 1, 10))


def test_consent_answers(db: Database) -> None:
    at = datetime(2025, 8, 20, 10, 0, tzinfo=UTC)
    with db.session() as s:
        assert service.record_consent(s, TP1, answer="ja", at=at).answer == "J"
        service.record_consent(s, TP1, "resutveksl", "N")
        person = service.get_person(s, TP1)
        assert [(c.type, c.answer) for c in service.consents_of(s, person)] == [
            ("RESUTVEKSL", "J"), ("RESUTVEKSL", "N")]
    with db.session() as s, pytest.raises(ValueError, match="J \\(yes\\) or N"):
        service.record_consent(s, TP1, answer="kanskje")
    with db.session() as s, pytest.raises(ValueError, match="time zone"):
        service.record_consent(s, TP1, at=datetime(2025, 1, 1))


def test_exchange_settings(db: Database) -> None:
    with db.session() as s:
        row = service.set_exchange_settings(s, reserved=True)
        assert (row.module_active, row.reserved) == (True, True) and row.updated_at is not None
        row = service.set_exchange_settings(s, module_active=False, reserved=False)
        assert (row.module_active, row.reserved) == (False, False)
    with db.session() as s:
        for row in s.scalars(select(ExchangeSettings)):
            s.delete(row)
    with db.session() as s, pytest.raises(LookupError, match="no exchange settings"):
        service.get_exchange_settings(s)


def test_people_and_earlier_ids(db: Database) -> None:
    d_number = _valid_d_number()
    with db.session() as s:
        person = service.find_person_by_any_id(s, [TP1])
        assert person is not None and person.birth_date == date(1961, 3, 1)
        identity = service.add_earlier_id(s, TP1, d_number, replaced_on=date(2020, 1, 1), actor="test")
        assert identity.person_id == person.id
        assert service.find_person_by_any_id(s, ["nothing", d_number]) is person
        assert service.find_person_by_any_id(s, []) is None
    with db.session() as s, pytest.raises(ValueError, match="already belongs to this person"):
        service.add_earlier_id(s, TP1, d_number, actor="test")
    with db.session() as s, pytest.raises(ValueError, match="already in this institution's records"):
        service.add_person(s, d_number, "Kari", "Nordmann", actor="test")
    with db.session() as s, pytest.raises(ValueError, match="not a valid national id"):
        service.add_person(s, "01536112186", "Kari", "Nordmann", actor="test")
    with db.session() as s, pytest.raises(ValueError, match="first and a last name"):
        service.add_person(s, "19588312510", " ", "Nordmann", actor="test")


def _session_has_result(s: Session) -> bool:
    return s.scalar(select(AssessmentResult)) is not None


def test_nothing_is_written_when_a_service_fails(db: Database) -> None:
    with pytest.raises(service.UnknownCourse), db.session() as s:
        service.record_result(s, TP1, "RES-100", 2014, "HØST", "C")
        service.record_result(s, TP1, "NOPE", 2014, "HØST", "C")
    with db.read_session() as s:
        assert not _session_has_result(s)
