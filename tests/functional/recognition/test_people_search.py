"""Finding the person for a case by name, by national id, by an earlier D-number or by birth date; audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from tests.factories import MiniFederation, add_person

from vitnemal.audit.models import AuditEvent
from vitnemal.recognition import service
from vitnemal.recognition.people import SearchRefused, search_people

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
CURRENT, OLD_D = "01039510010", "41039510004"


def found(fed: MiniFederation, text: str) -> list[tuple[str, str | None]]:
    with fed.db("185").session() as s:
        return [(h.name, h.matched_id) for h in search_people(s, text, actor="sb@uio", now=NOW)]


@pytest.fixture
def people(fed: MiniFederation) -> MiniFederation:
    with fed.db("185").session() as s:
        add_person(s, CURRENT, "Ola", "Utlending", date(1995, 3, 1), earlier=[OLD_D])
        add_person(s, "01536112185", "Testperson1", "Resultatutveksling", date(1961, 3, 1))
        add_person(s, "05089912345", "Anne Marie", "Berg Hansen", None)
    return fed


def test_by_name_any_order_any_case_and_start_of_each_name(people: MiniFederation) -> None:
    assert found(people, "testperson1 resultatutveksling") == [("Testperson1 Resultatutveksling", None)]
    assert [n for n, _ in found(people, "RESULTATUTV")] == ["Testperson1 Resultatutveksling",
                                                             "Testperson2 Resultatutveksling"]
    assert found(people, "hansen marie") == [("Anne Marie Berg Hansen", None)]  # any part of a double name
    assert found(people, "ola nordmann") == []


def test_norwegian_letters_match_in_any_case_on_both_engines(people: MiniFederation) -> None:
    # SQLite's own lower() and LIKE fold ASCII only: "øystein" missed "Øystein" there, while PostgreSQL found him.
    with people.db("185").session() as s:
        add_person(s, "01039512293", "Øystein", "Ærøy", date(1995, 3, 1))
        add_person(s, "05089912264", "Åse", "Strøm", None)
    for text in ("øystein", "Øystein", "ØYSTEIN", "ærøy", "ærøy øystein"):
        assert found(people, text) == [("Øystein Ærøy", None)], text
    assert found(people, "åse strøm") == found(people, "ÅSE STRØM") == [("Åse Strøm", None)]


def test_by_national_id_with_or_without_the_space_by_earlier_id_and_by_birth_date(people: MiniFederation) -> None:
    assert found(people, "015361 12185") == [("Testperson1 Resultatutveksling", None)]
    assert found(people, OLD_D) == [("Ola Utlending", OLD_D)]  # says which earlier id matched
    assert found(people, CURRENT) == [("Ola Utlending", None)]
    assert found(people, "010395") == [("Kari Nordmann", None), ("Ola Utlending", None)]
    assert found(people, "4103 95") == [("Ola Utlending", OLD_D)]


def test_a_search_shows_open_cases_and_every_person_shown_is_audited(people: MiniFederation) -> None:
    with people.db("185").session() as s:
        case = service.open_case(s, national_id="01039512374", opened_by="sb@uio", now=NOW)
        (hit,) = search_people(s, "kari", actor="sb@uio", now=NOW)
        assert hit.open_cases == (case.id,)
    with people.db("185").read_session() as s:
        events = s.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.subject_national_id)
                           .where(AuditEvent.action == "search_people")).all()
    assert events == [("sb@uio", "search_people", "01039512374")]


@pytest.mark.parametrize("text", ["", "   ", "0103", "0103951237412", "kari 0103", "x" * 101, "a b c d e f",
                                  "%", "_"])
def test_hostile_or_unclear_searches_are_refused_or_match_nothing(people: MiniFederation, text: str) -> None:
    try:
        assert found(people, text) == []  # "%" and "_" are letters here, not wildcards
    except SearchRefused as exc:
        assert str(exc)
