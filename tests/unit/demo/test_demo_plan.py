"""The federation plan: deterministic from the seed, every scenario present, realistic histories, valid ids."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time

import pytest

from vitnemal.demo.histories import FAIL, LETTERS, PASS, REFERENCE_DATE, term_index
from vitnemal.demo.plan import FederationPlan, choose_institutions, plan_federation
from vitnemal.demo.scripted import SCENARIOS, TEST_IDS, derive_tags, scenarios
from vitnemal.identity.national_id import NationalIdKind, parse_national_id


@pytest.fixture(scope="module")
def small() -> FederationPlan:
    return plan_federation(2014, 40, institutions=6)


@pytest.fixture(scope="module")
def medium() -> FederationPlan:
    return plan_federation(7, 600)


def _fingerprint(plan: FederationPlan) -> list[object]:
    return [
        (p.national_id, p.name, p.current, p.story, sorted(
            (code, r.national_id, [(x.course, x.year, x.season, x.grade, x.thesis_title) for x in r.results],
             [(q.programme.code, q.award_date, q.diploma_issued_on, q.links) for q in r.qualifications],
             [(c.answer, c.answered_at) for c in r.consents], r.earlier_ids)
            for code, r in p.records.items()))
        for p in plan.persons
    ]


def test_same_seed_same_plan_and_another_seed_differs(small: FederationPlan) -> None:
    again = plan_federation(2014, 40, institutions=6)
    assert [i.code for i in again.institutions] == [i.code for i in small.institutions]
    assert again.sharing == small.sharing
    assert _fingerprint(again) == _fingerprint(small)
    other = plan_federation(2015, 40, institutions=6)
    assert _fingerprint(other) != _fingerprint(small)


def test_small_federation_keeps_the_seeds_institutions_and_both_kinds_of_refusal(small: FederationPlan) -> None:
    codes = [i.code for i in small.institutions]
    assert len(codes) == 6 and {"185", "216", "214"} <= set(codes)
    for code in ("185", "216", "214"):
        assert small.sharing[code] == (True, False)
    assert any(active and reserved for active, reserved in small.sharing.values())
    assert any(not active for active, _ in small.sharing.values())
    assert len(small.persons) == 40


def test_too_few_institutions_is_refused() -> None:
    import random

    with pytest.raises(ValueError, match="at least 5"):
        choose_institutions(random.Random(1), 4)


def test_full_federation_has_every_institution_with_a_few_reserved_and_not_sharing() -> None:
    import random

    members, sharing = choose_institutions(random.Random(2014), None)
    assert len(members) >= 55
    reserved = [c for c, (a, r) in sharing.items() if a and r]
    not_sharing = [c for c, (a, _) in sharing.items() if not a]
    assert 1 <= len(reserved) <= 6 and 1 <= len(not_sharing) <= 6


def test_every_scenario_has_an_example_fetched_from_the_demo_base(small: FederationPlan) -> None:
    found = scenarios(small)
    assert found["test_person_1"]["national_id"] == "01536112185"
    assert found["test_person_1"]["fetch_from"] == "185" and found["test_person_1"]["sources"] == ["216"]
    assert found["test_person_1"]["course"] == "216 RES-100"
    assert found["test_person_2"]["national_id"] == "19588312510"
    assert found["test_person_2"]["sources"] == ["214"] and found["test_person_2"]["course"] == "214 RES-OAL"
    for scenario in SCENARIOS:
        examples = found[scenario]
        assert examples, scenario
        assert examples[0]["fetch_from"] == "185", scenario
    assert found["many_results"][0]["results_at_sources"] >= 200
    assert len(found["many_sources"][0]["sources"]) >= 3
    assert found["bachelor_then_master"][0]["sources"] == ["216"]


def test_test_persons_hold_their_courses(small: FederationPlan) -> None:
    tp1, tp2 = (next(p for p in small.persons if p.national_id == n) for n in TEST_IDS)
    assert (tp1.first_name, tp1.last_name) == ("Testperson1", "Resultatutveksling")
    assert [r.course for r in tp1.records["216"].results] == ["RES-100"]
    assert [r.course for r in tp2.records["214"].results] == ["RES-OAL"]
    for tp in (tp1, tp2):
        assert tp.records["185"].results == []
        assert [c.answer for c in tp.records["185"].consents] == ["J"]


def test_old_d_number_cases(small: FederationPlan) -> None:
    for scenario, known in (("old_d_number_known", True), ("old_d_number_unknown", False)):
        person = next(p for p in small.persons if p.story == scenario)
        source = person.sources()[0]
        old, new = person.records[source], person.records[person.current]
        assert parse_national_id(old.national_id).kind is NationalIdKind.D_NUMBER
        assert parse_national_id(new.national_id).kind is NationalIdKind.FODSELSNUMMER
        assert (old.first_name, old.last_name, old.birth_date) == (new.first_name, new.last_name, new.birth_date)
        assert old.results and old.qualifications
        assert [i for i, _, _ in new.earlier_ids] == ([old.national_id] if known else [])


def test_ids_are_valid_and_unique_per_institution(medium: FederationPlan) -> None:
    currents = [p.national_id for p in medium.persons]
    assert len(set(currents)) == len(currents)
    for p in medium.persons:
        for rec in p.records.values():
            assert parse_national_id(rec.national_id).birth_date == p.birth_date


def test_histories_are_realistic(medium: FederationPlan) -> None:
    letters: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    last = term_index(2026, "VÅR")
    for p in medium.persons:
        tags.update(derive_tags(p, medium.sharing))
        for code, rec in p.records.items():
            terms = {(r.course, r.year, r.season) for r in rec.results}
            assert len(terms) == len(rec.results), "one result per course and term"
            for r in rec.results:
                assert term_index(r.year, r.season) <= last and r.assessed_on < REFERENCE_DATE
                assert r.passed == (r.grade not in ("F", FAIL))
                if r.grade in LETTERS:
                    letters[r.grade] += 1
                assert r.grade in (*LETTERS, "F", PASS, FAIL)
            for q in rec.qualifications:
                assert q.award_date <= REFERENCE_DATE
                assert q.diploma_issued_on is None or q.award_date < q.diploma_issued_on <= REFERENCE_DATE
                linked = [rec.results[i] for i, _ in q.links]
                assert all(r.passed for r in linked)
                assert sum(r.credits for r in linked) == q.programme.credits
                if q.programme.level == "master":
                    theses = [r for r in linked if r.thesis_title]
                    assert len(theses) == 1 and theses[0].credits in (30, 60)
            for c in rec.consents:
                assert c.answered_at < datetime.combine(REFERENCE_DATE, time(), c.answered_at.tzinfo)
                assert code == p.current
    assert letters["B"] > letters["A"] and letters["C"] > letters["E"]
    for scenario in ("bachelor_then_master", "failed_and_retaken", "improved_grade", "pass_fail",
                     "unissued_diploma", "reserved_source", "not_sharing_source", "no_consent", "consent_no",
                     "master_at_third", "single_courses", "old_d_number_known", "old_d_number_unknown"):
        assert tags[scenario] >= 2, scenario
