"""The people every demo federation has, whatever its size: the seed's two test persons and one scripted person per
scenario, all fetched from the demo base 185 (UiO). Also :func:`scenarios`, which lists example people per scenario
for ``scenarios.json``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from vitnemal.demo.catalogue import TEST_COURSES
from vitnemal.demo.histories import (
    FAIL,
    LAST_TERM,
    PASS,
    REFERENCE_DATE,
    ConsentPlan,
    ResultPlan,
    term_index,
)
from vitnemal.demo.institutions import PROTECTED, DemoInstitution
from vitnemal.demo.plan import Context, FederationPlan, PersonPlan, story_old_d_number
from vitnemal.identity.national_id import make_national_id, parse_national_id

DEMO_BASE = "185"
# (national id, first name, last name, source institution, course, grade): the seed's test persons.
TEST_PERSONS = (
    ("01536112185", "Testperson1", "Resultatutveksling", "216", "B"),
    ("19588312510", "Testperson2", "Resultatutveksling", "214", "C"),
)
TEST_IDS = tuple(t[0] for t in TEST_PERSONS)


def _walkthrough_id(born: date) -> str:
    return next(n for i in range(300, 500, 2) if (n := make_national_id(born, i)) is not None)


# The person docs/recognition.md walks through, the same in every demo whatever its size (its own random source,
# its own reserved number): a bachelor in informatics at the demo base, three single courses at HiSF (216) after
# it, and since 2025 HØST a student admitted to the base's master's programme in informatics (MAINF), with
# RESUTVEKSL consent. A case worker can fetch the HiSF courses and recognise them toward MA-INF.
WALKTHROUGH = ("Testperson3", "Godkjenning", date(1998, 3, 12))
WALKTHROUGH_ID = _walkthrough_id(WALKTHROUGH[2])
WALKTHROUGH_SOURCE, WALKTHROUGH_PROGRAMME = "216", "MAINF"
RESERVED_IDS = (*TEST_IDS, WALKTHROUGH_ID)

SCENARIOS = (
    "bachelor_then_master", "master_at_third", "old_d_number_known", "old_d_number_unknown", "no_consent",
    "consent_no", "unissued_diploma", "reserved_source", "not_sharing_source", "failed_and_retaken",
    "improved_grade", "pass_fail", "single_courses", "many_results", "many_sources",
)
ABOUT = {
    "test_person_1": "Seedens Testperson1: emne 216 RES-100 ved HiSF hentes til 185.",
    "test_person_2": "Seedens Testperson2: emne 214 RES-OAL ved HiNT hentes til 185.",
    "recognition_walkthrough": "docs/recognition.md: masterstudent i informatikk (MAINF) ved 185 med tre emner "
                               "fra HiSF (216) som kan innpasses.",
    "bachelor_then_master": "Bachelor ved én institusjon, nå masterstudent ved en annen som henter resultatene.",
    "master_at_third": "Bachelor og master ved to institusjoner, nå student ved en tredje.",
    "old_d_number_known": "Gammelt D-nummer ved tidligere institusjon; nåværende institusjon kjenner det.",
    "old_d_number_unknown": "Gammelt D-nummer ved tidligere institusjon; nåværende institusjon kjenner det ikke "
                            "(feil 4 i seedens rutine: avvik i fødselsnummer).",
    "no_consent": "Ingen akseptanse RESUTVEKSL: ingenting kan hentes.",
    "consent_no": "Akseptanse RESUTVEKSL besvart N: ingenting kan hentes.",
    "unissued_diploma": "Grad uten utstedt vitnemål (Dato_Utlev_Vitn ikke satt): graden deles ikke, emnene deles.",
    "reserved_source": "Resultater ved en institusjon som har reservert seg (RESERVER).",
    "not_sharing_source": "Resultater ved en institusjon som ikke har RESUTVEKSL aktiv.",
    "failed_and_retaken": "Stryk (F) og ny eksamen en senere termin.",
    "improved_grade": "Bestått emne tatt opp igjen med bedre karakter; begge resultatene finnes.",
    "pass_fail": "Emner med bestått/ikke bestått (praksis).",
    "single_courses": "Enkeltemner uten grad.",
    "many_results": "Hundrevis av resultater ved én institusjon (importbenchmark).",
    "many_sources": "Resultater ved tre eller flere institusjoner.",
}
EXAMPLES_PER_SCENARIO = 5
MANY_RESULTS = 200


def test_people(ctx: Context) -> list[PersonPlan]:
    """The seed's Testperson1 (216 RES-100) and Testperson2 (214 RES-OAL), consenting at the demo base 185."""
    people = []
    for national_id, first, last, source, grade in TEST_PERSONS:
        born = parse_national_id(national_id).birth_date
        person = PersonPlan(national_id, first, last, born, current=DEMO_BASE, story="test_person")
        course = ctx.catalogues[source].courses[TEST_COURSES[source][0]]
        person.record(source).results.append(
            ResultPlan(course.code, 2014, "HØST", grade, True, course.credits, date(2014, 12, 12)))
        person.record(DEMO_BASE).consents.append(
            ConsentPlan("RESUTVEKSL", "J", datetime(2025, 8, 20, 10, 15, tzinfo=UTC)))
        people.append(person)
    return people


@contextmanager
def _predictable(ctx: Context) -> Iterator[None]:
    """No random fails, improvements or uncollected diplomas: a scripted person shows only its own scenario."""
    p = ctx.planner
    saved = p.fail_rate, p.improve_rate, p.never_collected_rate
    p.fail_rate = p.improve_rate = p.never_collected_rate = 0.0
    try:
        yield
    finally:
        p.fail_rate, p.improve_rate, p.never_collected_rate = saved
        p.force_fail = p.force_improve = False


class _Sources:
    """Hands out sharing, unreserved source institutions in turn, preferring those that are not the seed's three."""

    def __init__(self, ctx: Context) -> None:
        ok = [i for i in ctx.members if ctx.sharing[i.code] == (True, False) and i.code != DEMO_BASE]
        preferred = [i for i in ok if i.code not in PROTECTED]
        self.pool = preferred or ok
        ctx.rng.shuffle(self.pool)
        self.all = self.pool + [i for i in ok if i not in self.pool]
        self.turn = 0

    def distinct(self, n: int) -> list[DemoInstitution]:
        """``n`` different sources (fewer if the federation has fewer), the seed's 216 and 214 as a last resort."""
        return self.all[:n]

    def next(self, where: tuple[str, ...] = ()) -> DemoInstitution:
        pool = [i for i in self.pool if not where or set(where) & set(i.fields)] or self.pool
        self.turn += 1
        return pool[self.turn % len(pool)]


def _with_bachelor(ctx: Context, tag: str, source: DemoInstitution, *, field: str | None = None,
                   consent: str | None = "J", unissued: bool = False, fail: bool = False,
                   improve: bool = False) -> PersonPlan:
    """A bachelor (2019–2022) at ``source``, now a master's student at the demo base since 2025 HØST."""
    rng = ctx.rng
    person, _ = ctx.new_person(rng.randint(1996, 2000))
    person.story, person.current = tag, DEMO_BASE
    person.tags.add(tag)
    with _predictable(ctx):
        ctx.planner.force_fail, ctx.planner.force_improve = fail, improve
        ba = ctx.bachelor(source, field)
        ctx.planner.run(person.record(source.code), ba, term_index(2019, "HØST"), unissued=unissued)
        base = person.record(DEMO_BASE)
        start = term_index(2025, "HØST")
        master = ctx.master(_base(ctx), ba.field)
        if master is not None:
            ctx.planner.run(base, master, start)
    if consent:
        ctx.planner.consent(base, consent, start)
    return person


def _base(ctx: Context) -> DemoInstitution:
    return next(i for i in ctx.members if i.code == DEMO_BASE)


def walkthrough_person(ctx: Context, seed: int) -> PersonPlan:
    """docs/recognition.md's student (see :data:`WALKTHROUGH`), drawn from a random source of its own so that
    neither they nor the people after them depend on the demo's size."""
    own = Context(random.Random(f"{seed}/recognition walkthrough"), ctx.members, ctx.sharing, ctx.catalogues,
                  ctx.ids)
    first, last, born = WALKTHROUGH
    person = PersonPlan(WALKTHROUGH_ID, first, last, born, current=DEMO_BASE, story="recognition_walkthrough")
    base, hisf = _base(own), next(i for i in own.members if i.code == WALKTHROUGH_SOURCE)
    record = person.record(DEMO_BASE)
    start = term_index(2025, "HØST")
    with _predictable(own):
        bachelor = own.planner.run(record, own.bachelor(base, "inf"), term_index(2019, "HØST"))
        own.planner.single_courses(person.record(hisf.code), own.catalogues[hisf.code].ordinary_courses(),
                                   bachelor.last_term + 1, 3)
        master = own.master(base, "inf")
        assert master is not None and master.programme_code == WALKTHROUGH_PROGRAMME
        own.planner.run(record, master, start)
    record.admissions.append((master.programme_code, date(2025, 8, 1)))
    own.planner.consent(record, "J", start)
    return person


def scripted_people(ctx: Context, seed: int = 2014) -> list[PersonPlan]:
    """The test persons, docs/recognition.md's student and one person per scenario, in a fixed order."""
    rng, planner = ctx.rng, ctx.planner
    people = [*test_people(ctx), walkthrough_person(ctx, seed)]
    sources = _Sources(ctx)
    by_code = {i.code: i for i in ctx.members}
    reserved = next(i for i in ctx.members if ctx.sharing[i.code][1] and ctx.sharing[i.code][0])
    not_sharing = next(i for i in ctx.members if not ctx.sharing[i.code][0])
    people.append(_with_bachelor(ctx, "bachelor_then_master", by_code["216"]))
    people.append(_with_bachelor(ctx, "no_consent", sources.next(), consent=None))
    people.append(_with_bachelor(ctx, "consent_no", sources.next(), consent="N"))
    people.append(_with_bachelor(ctx, "unissued_diploma", sources.next(), unissued=True))
    people.append(_with_bachelor(ctx, "reserved_source", reserved))
    people.append(_with_bachelor(ctx, "not_sharing_source", not_sharing))
    people.append(_with_bachelor(ctx, "failed_and_retaken", sources.next(), fail=True))
    people.append(_with_bachelor(ctx, "improved_grade", sources.next(), improve=True))
    people.append(_with_bachelor(ctx, "pass_fail", sources.next(("syk", "laer", "soa")), field="syk"))
    base = _base(ctx)
    for known in (True, False):
        with _predictable(ctx):
            person = story_old_d_number(ctx, known=known, source=sources.next(), current=base)
        person.story = "old_d_number_known" if known else "old_d_number_unknown"
        people.append(person)

    # A bachelor and a master elsewhere, now at the demo base for further courses.
    person, _ = ctx.new_person(1993)
    person.story, person.current = "master_at_third", DEMO_BASE
    person.tags.add("master_at_third")
    a, b = sources.next(), sources.next()
    with _predictable(ctx):
        out = planner.run(person.record(a.code), ctx.bachelor(a), term_index(2013, "HØST"))
        master = ctx.master(b, ctx.bachelor(a).field) or ctx.master(base)
        assert master is not None  # the demo base always has masters
        planner.run(person.record(b.code), master, out.last_term + 1)
        planner.single_courses(person.record(DEMO_BASE), ctx.catalogues[DEMO_BASE].ordinary_courses(),
                               LAST_TERM - 1, 3)
    planner.consent(person.record(DEMO_BASE), "J", LAST_TERM - 1)
    people.append(person)

    # Single courses without a degree, then a bachelor at the demo base.
    person, _ = ctx.new_person(2001)
    person.story, person.current = "single_courses", DEMO_BASE
    person.tags.add("single_courses")
    with _predictable(ctx):
        src = sources.next()
        planner.single_courses(person.record(src.code), ctx.catalogues[src.code].ordinary_courses(),
                               term_index(2021, "VÅR"), 4)
        planner.run(person.record(DEMO_BASE), ctx.bachelor(base), term_index(2023, "HØST"))
    planner.consent(person.record(DEMO_BASE), "J", term_index(2023, "HØST"))
    people.append(person)

    # Twenty years of continuing education: hundreds of results at one institution (the import benchmark).
    person, _ = ctx.new_person(1968)
    person.story, person.current = "many_results", DEMO_BASE
    src = sources.next()
    planner.single_courses(person.record(src.code), ctx.catalogues[src.code].ordinary_courses(),
                           term_index(2006, "VÅR"), 320, per_term=8)
    planner.consent(person.record(DEMO_BASE), "J", LAST_TERM)
    people.append(person)

    # Single courses at three institutions.
    person, _ = ctx.new_person(1990)
    person.story, person.current = "many_sources", DEMO_BASE
    for n, src in enumerate(sources.distinct(3)):
        planner.single_courses(person.record(src.code), ctx.catalogues[src.code].ordinary_courses(),
                               term_index(2012 + 3 * n, "HØST"), rng.randint(4, 8))
    planner.consent(person.record(DEMO_BASE), "J", LAST_TERM)
    people.append(person)
    return people


def derive_tags(person: PersonPlan, sharing: dict[str, tuple[bool, bool]]) -> set[str]:
    """Every scenario the person shows, as seen from their current institution (the one that fetches)."""
    tags = set(person.tags) | ({person.story} if person.story in SCENARIOS else set())
    current = person.records.get(person.current)
    consents = sorted(current.consents, key=lambda c: c.answered_at) if current else []
    if not consents:
        tags.add("no_consent")
    elif consents[-1].answer == "N":
        tags.add("consent_no")
    for code, rec in person.records.items():
        if code == person.current or not rec.results:
            continue
        active, is_reserved = sharing[code]
        if is_reserved and active:
            tags.add("reserved_source")
        if not active:
            tags.add("not_sharing_source")
        passed: dict[str, int] = {}
        failed: set[str] = set()
        for r in rec.results:
            if r.passed:
                passed[r.course] = passed.get(r.course, 0) + 1
                if r.course in failed:
                    tags.add("failed_and_retaken")
            else:
                failed.add(r.course)
            if r.grade in (PASS, FAIL):
                tags.add("pass_fail")
        if any(n > 1 for n in passed.values()):
            tags.add("improved_grade")
        if any(q.diploma_issued_on is None for q in rec.qualifications):
            tags.add("unissued_diploma")
        if len(rec.results) >= MANY_RESULTS:
            tags.add("many_results")
    if len(person.sources()) >= 3:
        tags.add("many_sources")
    return tags


def _example(person: PersonPlan) -> dict[str, Any]:
    out: dict[str, Any] = {
        "national_id": person.national_id,
        "name": person.name,
        "birth_date": person.birth_date.isoformat(),
        "fetch_from": person.current,
        "sources": person.sources(),
        "results_at_sources": sum(len(person.records[c].results) for c in person.sources()),
        "story": person.story,
    }
    if person.earlier_id:
        out["earlier_id"] = person.earlier_id
    return out


def scenarios(plan: FederationPlan) -> dict[str, Any]:
    """Example people per scenario (the scripted one first), with where they fetch from and their sources."""
    out: dict[str, Any] = {"seed": plan.seed, "reference_date": REFERENCE_DATE.isoformat(), "about": ABOUT}
    for n, person in enumerate(p for p in plan.persons if p.story == "test_person"):
        entry = _example(person)
        code = person.sources()[0]
        entry["course"] = f"{code} {TEST_COURSES[code][0]}"
        out[f"test_person_{n + 1}"] = entry
    walkthrough = next((p for p in plan.persons if p.story == "recognition_walkthrough"), None)
    if walkthrough is not None:
        out["recognition_walkthrough"] = {**_example(walkthrough), "programme": f"{DEMO_BASE} {WALKTHROUGH_PROGRAMME}"}
    tagged = [(p, derive_tags(p, plan.sharing)) for p in plan.persons if p.story != "test_person"]
    for scenario in SCENARIOS:
        scripted = [p for p, _ in tagged if p.story == scenario]
        others = [p for p, tags in tagged if scenario in tags and p.story != scenario]
        out[scenario] = [_example(p) for p in (scripted + others)[:EXAMPLES_PER_SCENARIO]]
    return out
