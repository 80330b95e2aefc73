"""The test people offered on the test provider's login page: the seed's two, then a few from the demo."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# Seed 004: "Opprett følgende testpersoner i demobasen".
SEED_PEOPLE = (("01536112185", "Testperson1 Resultatutveksling"), ("19588312510", "Testperson2 Resultatutveksling"))
DEMO_SCENARIOS = ("bachelor_then_master", "master_at_third", "many_sources", "pass_fail", "improved_grade",
                  "language_tests")


@dataclass(frozen=True)
class TestPerson:
    pid: str
    name: str


def test_people(home: Path) -> list[TestPerson]:
    """The seed's test persons and, where the demo federation has its scenarios file, one person per scenario."""
    people = [TestPerson(pid, name) for pid, name in SEED_PEOPLE]
    try:
        scenarios = json.loads((home / "scenarios.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return people
    for scenario in DEMO_SCENARIOS:
        examples = scenarios.get(scenario) or []
        if examples and isinstance(examples[0], dict):
            pid, name = examples[0].get("national_id"), examples[0].get("name")
            if isinstance(pid, str) and isinstance(name, str) and pid not in {p.pid for p in people}:
                people.append(TestPerson(pid, name))
    return people


def name_of(home: Path, pid: str) -> str | None:
    return next((p.name for p in test_people(home) if p.pid == pid), None)
