"""Portal fixtures: a migrated portal database (SQLite and PostgreSQL), a results source, owners."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from vitnemal.db import Database
from vitnemal.exchange.outcomes import Outcome
from vitnemal.portal import fetch, tasks
from vitnemal.portal.source import Institution, Owner, SourceAnswer, StaticResultsSource

OWNER = Owner("01039510010", "Kari Nordmann")
OTHER = Owner("15057512345", "Ola Nordmann")
INSTITUTIONS = [Institution("185", "Universitetet i Oslo", "University of Oslo"),
                Institution("214", "Høgskolen i Nord-Trøndelag", "Nord-Trøndelag University College"),
                Institution("216", "Høgskulen i Sogn og Fjordane", "Sogn og Fjordane University College")]


def result(code: str, year: int = 2020, season: str = "VÅR", grade: str = "B", name: str | None = None,
           credits: str = "10") -> dict[str, Any]:
    return {"key": f"{code}|{year}|{season}", "course_code": code, "name_nb": name or f"Emne {code}",
            "name_en": f"Course {code}", "kind": "course", "thesis_title": None, "year": year, "season": season,
            "credits": credits, "grade": grade, "grading_scale": "letter"}


HISF = SourceAnswer("216", Outcome.IMPORTED.value, "", [result("RES-100"), result("MAT-1", 2021), result("ENG-2")],
                    [{"key": "BA", "code": "BA", "name_nb": "Bachelor i realfag", "name_en": "Bachelor of Science",
                      "level": "bachelor", "credits": "180", "award_date": "2021-06-20",
                      "diploma_issued_on": "2021-07-01", "courses": ["RES-100|2020|VÅR", "MAT-1|2021|VÅR"]}])
HINT = SourceAnswer("214", Outcome.NO_RESULTS.value, "no passed results")


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def source() -> StaticResultsSource:
    # 185 is down: it never answers until a test puts an answer in the table.
    return StaticResultsSource(INSTITUTIONS, {"216": HISF, "214": HINT})


def fetch_now(db: Database, source: StaticResultsSource, owner: Owner = OWNER) -> int:
    with db.session() as s:
        fetch_id = fetch.start_fetch(s, owner=owner, institutions=source.institutions(),
                                     now=datetime.now(UTC)).id
    asyncio.run(tasks.run_fetch(db, source, fetch_id))
    return fetch_id
