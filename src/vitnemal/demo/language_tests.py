"""The language-test register as a demo node of its own kind: HK-dir (Kompetanse Norge until 2022) holds the results
of norskprøven, samfunnskunnskapsprøven and statsborgerprøven.

The register answers the same signed requests as an institution's node (registry kind ``language_tests``), over a
database of the same schema: each test part is a course (kind ``language_test``) and each sitting an assessment
result in its term, with the test day. Norskprøven is graded per part on the CEFR scale (A1–C1, or "Under A1",
which is no level reached and so not a passed result); samfunnskunnskapsprøven and statsborgerprøven are "Bestått"
or "Ikke bestått". Candidates sit several times, and a later sitting can go worse than an earlier one: the portal
shows the latest and the best result per part.

Who has results: the seed's two test persons (scripted below) and demo people who came from abroad (those with an
earlier D-number, and a share of those with foreign names), drawn from the federation's seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from vitnemal.demo.histories import REFERENCE_DATE
from vitnemal.demo.people import FOREIGN_FIRST
from vitnemal.demo.plan import FederationPlan, PersonPlan
from vitnemal.demo.scripted import TEST_PERSONS
from vitnemal.demo.writer import insert_ids
from vitnemal.identity.models import Person
from vitnemal.identity.national_id import parse_national_id
from vitnemal.institutions.registry import FormerName
from vitnemal.records.models import AssessmentResult, Course, ExchangeSettings

REGISTER_CODE = "hkdir"
NAME_NB = "Direktoratet for høyere utdanning og kompetanse (HK-dir)"
NAME_EN = "Norwegian Directorate for Higher Education and Skills (HK-dir)"
SHORT_NAME = "HK-dir"
# HK-dir took over Kompetanse Norge's tests when it was founded on 1 January 2022.
FORMER_NAMES = (FormerName("Kompetanse Norge", "Skills Norway", valid_to=date(2022, 1, 1)),)
KIND = "language_test"
CEFR = ("A1", "A2", "B1", "B2", "C1")
BELOW_A1 = "Under A1"
PASSED, NOT_PASSED = "Bestått", "Ikke bestått"


@dataclass(frozen=True)
class TestPart:
    code: str
    name_nb: str
    name_en: str
    grading_scale: str  # "cefr" or "pass_fail"


ORAL = TestPart("NP-MUNTLIG", "Norskprøven, muntlig", "Norwegian test, oral", "cefr")
LISTENING = TestPart("NP-LYTTING", "Norskprøven, lytting", "Norwegian test, listening", "cefr")
READING = TestPart("NP-LESING", "Norskprøven, leseforståelse", "Norwegian test, reading comprehension", "cefr")
WRITING = TestPart("NP-SKRIFTLIG", "Norskprøven, skriftlig framstilling", "Norwegian test, written presentation",
                   "cefr")
SOCIAL = TestPart("SAMFUNN", "Samfunnskunnskapsprøven", "Social studies test", "pass_fail")
CITIZENSHIP = TestPart("STATSBORGER", "Statsborgerprøven", "Citizenship test", "pass_fail")
NORWEGIAN = (ORAL, LISTENING, READING, WRITING)
PARTS = (*NORWEGIAN, SOCIAL, CITIZENSHIP)


@dataclass(frozen=True)
class Sitting:
    """One part taken on one day; a passed result unless "Under A1" or "Ikke bestått"."""

    part: TestPart
    on: date
    grade: str

    @property
    def passed(self) -> bool:
        return self.grade not in (BELOW_A1, NOT_PASSED)

    @property
    def season(self) -> str:
        return "VÅR" if self.on.month <= 6 else "HØST"


@dataclass
class TestTaker:
    national_id: str
    first_name: str
    last_name: str
    birth_date: date
    sittings: list[Sitting] = field(default_factory=list)


def _all(on: date, grades: Sequence[str]) -> list[Sitting]:
    return [Sitting(part, on, grade) for part, grade in zip(NORWEGIAN, grades, strict=True) if grade]


def scripted_sittings() -> dict[str, list[Sitting]]:
    """The seed's test persons. Testperson1 sat norskprøven three times (reading went worse the second time, so
    its latest and best differ; writing was below A1 the first time) and failed statsborgerprøven once."""
    return {
        TEST_PERSONS[0][0]: [
            *_all(date(2019, 11, 14), ("A2", "A2", "B1", BELOW_A1)),
            Sitting(SOCIAL, date(2019, 10, 3), PASSED),
            *_all(date(2021, 5, 27), ("B1", "B2", "A2", "B1")),
            Sitting(CITIZENSHIP, date(2021, 5, 6), NOT_PASSED),
            *_all(date(2022, 11, 17), ("B2", "", "", "B1")),
            Sitting(CITIZENSHIP, date(2022, 11, 3), PASSED),
        ],
        TEST_PERSONS[1][0]: [
            *_all(date(2023, 5, 25), ("B1", "B1", "B2", "A2")),
            Sitting(SOCIAL, date(2023, 4, 20), PASSED),
        ],
    }


def _day(rng: random.Random, year: int, spring: bool) -> date:
    # Norskprøven is held in spring (May) and autumn (November) rounds.
    return date(year, 5 if spring else 11, rng.randint(10, 28))


def drawn_sittings(rng: random.Random, born: date) -> list[Sitting]:
    """One to three rounds of norskprøven, usually better each time; the social studies test once (retaken after a
    fail); the citizenship test for some."""
    first_year = max(born.year + 18, 2014)
    year = rng.randint(first_year, max(first_year, REFERENCE_DATE.year - 2))
    levels = [rng.randint(-1, 2) for _ in NORWEGIAN]  # -1 is below A1
    sittings: list[Sitting] = []
    spring = rng.random() < 0.5
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        on = _day(rng, year, spring)
        if on >= REFERENCE_DATE:
            break
        sittings += [Sitting(part, on, BELOW_A1 if level < 0 else CEFR[level])
                     for part, level in zip(NORWEGIAN, levels, strict=True)]
        levels = [min(len(CEFR) - 1, max(-1, level + rng.choice((-1, 0, 1, 1)))) for level in levels]
        year, spring = (year, False) if spring else (year + 1, True)
    social = _day(rng, max(first_year, year - 1), True)
    sittings.append(Sitting(SOCIAL, social, PASSED if rng.random() < 0.85 else NOT_PASSED))
    if not sittings[-1].passed:
        sittings.append(Sitting(SOCIAL, _day(rng, social.year, False), PASSED))
    if rng.random() < 0.4 and year < REFERENCE_DATE.year:
        sittings.append(Sitting(CITIZENSHIP, _day(rng, year, False), PASSED if rng.random() < 0.8 else NOT_PASSED))
    return [s for s in sittings if s.on < REFERENCE_DATE]


def _came_from_abroad(person: PersonPlan) -> bool:
    return person.earlier_id is not None or person.first_name.split()[0] in FOREIGN_FIRST


def test_takers(plan: FederationPlan, share: float = 0.6) -> list[TestTaker]:
    """The register's candidates: the test persons, and ``share`` of the demo people who came from abroad; a pure
    function of the plan (its seed)."""
    rng = random.Random(f"{plan.seed}:{REGISTER_CODE}")
    scripted = scripted_sittings()
    takers = []
    for national_id, first, last, *_ in TEST_PERSONS:
        born = parse_national_id(national_id).birth_date
        takers.append(TestTaker(national_id, first, last, born, scripted[national_id]))
    for person in plan.persons:
        if person.story != "test_person" and _came_from_abroad(person) and rng.random() < share:
            takers.append(TestTaker(person.national_id, person.first_name, person.last_name, person.birth_date,
                                    drawn_sittings(rng, person.birth_date)))
    return takers


ABOUT = "Resultater i prøveregisteret (HK-dir): norskprøven, samfunnskunnskapsprøven, statsborgerprøven."


def examples(takers: Sequence[TestTaker], limit: int = 5) -> list[dict[str, Any]]:
    """Demo people with passed results in the register (not the test persons), for ``scenarios.json``."""
    test_ids = {t[0] for t in TEST_PERSONS}
    found = [t for t in takers if t.national_id not in test_ids and any(s.passed for s in t.sittings)]
    return [{"national_id": t.national_id, "name": f"{t.first_name} {t.last_name}",
             "birth_date": t.birth_date.isoformat(), "fetch_from": REGISTER_CODE, "sources": [REGISTER_CODE],
             "results_at_sources": len(t.sittings), "story": "language_tests"} for t in found[:limit]]


def write_register(session: Session, takers: Sequence[TestTaker]) -> int:
    """The register's settings (it shares; it is asked on the owner's login like every node), its test parts and
    every sitting; returns the number of results written."""
    session.execute(insert(ExchangeSettings), [{
        "institution_code": REGISTER_CODE, "institution_name": NAME_NB, "module_active": True, "reserved": False,
        "updated_at": datetime.combine(REFERENCE_DATE, time(12), UTC)}])
    course_ids = dict(zip((p.code for p in PARTS), insert_ids(session, Course, [
        {"code": p.code, "name_nb": p.name_nb, "name_en": p.name_en, "credits": Decimal(0),
         "grading_scale": p.grading_scale, "kind": KIND} for p in PARTS]), strict=True))
    person_ids = insert_ids(session, Person, [
        {"national_id": t.national_id, "first_name": t.first_name, "last_name": t.last_name,
         "birth_date": t.birth_date, "email": None} for t in takers])
    rows = [{"person_id": pid, "course_id": course_ids[s.part.code], "year": s.on.year, "season": s.season,
             "grade": s.grade, "passed": s.passed, "credits": Decimal(0), "thesis_title": None, "assessed_on": s.on}
            for pid, t in zip(person_ids, takers, strict=True) for s in _one_per_term(t.sittings)]
    if rows:
        session.execute(insert(AssessmentResult), rows)
    return len(rows)


def _one_per_term(sittings: Sequence[Sitting]) -> list[Sitting]:
    """A part is sat at most once a term (the records key a result by course and term): the later day stays."""
    kept: dict[tuple[str, int, str], Sitting] = {}
    for s in sorted(sittings, key=lambda s: s.on):
        kept[(s.part.code, s.on.year, s.season)] = s
    return list(kept.values())
