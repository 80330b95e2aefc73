"""The whole demo federation as plain data, drawn from one seed: members, their settings, catalogues and people.

:func:`plan_federation` is a pure function of its arguments (``random.Random(seed)`` is the only randomness and
every date is relative to :data:`~vitnemal.demo.histories.REFERENCE_DATE`), so the same seed always gives the same
federation. Scripted people (:mod:`vitnemal.demo.scripted`) guarantee every scenario even in a tiny federation; the
rest follow the random stories below.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from vitnemal.demo.catalogue import Catalogue, Programme, build_catalogue
from vitnemal.demo.histories import LAST_TERM, HistoryPlanner, RecordPlan, term_index
from vitnemal.demo.institutions import INSTITUTIONS, PROTECTED, DemoInstitution
from vitnemal.demo.people import Identity, IdFactory, draw_identity
from vitnemal.identity.national_id import NationalIdKind

RESERVED_COUNT = 4
NOT_SHARING_COUNT = 3
MIN_INSTITUTIONS = len(PROTECTED) + 2


@dataclass
class PersonPlan:
    """One person across the federation: the id their current institution knows, and a record per institution."""

    national_id: str
    first_name: str
    last_name: str
    birth_date: date
    current: str = ""  # the institution where they study now, gave consent and from which a fetch is made
    story: str = ""
    tags: set[str] = field(default_factory=set)
    records: dict[str, RecordPlan] = field(default_factory=dict)
    earlier_id: str | None = None  # an old D-number held by an earlier institution

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def record(self, code: str, national_id: str | None = None) -> RecordPlan:
        """The person's record at ``code``, created on first use (under ``national_id`` if it differs)."""
        rec = self.records.get(code)
        if rec is None:
            rec = self.records[code] = RecordPlan(code, national_id or self.national_id, self.first_name,
                                                  self.last_name, self.birth_date)
        return rec

    def sources(self) -> list[str]:
        """Institutions other than the current one that hold results for the person."""
        return sorted(c for c, r in self.records.items() if c != self.current and r.results)


@dataclass
class FederationPlan:
    seed: int
    institutions: list[DemoInstitution]
    sharing: dict[str, tuple[bool, bool]]  # code → (module_active, reserved)
    catalogues: dict[str, Catalogue]
    persons: list[PersonPlan]

    def records_at(self, code: str) -> list[RecordPlan]:
        return [p.records[code] for p in self.persons if code in p.records]


def choose_institutions(rng: random.Random, limit: int | None) -> tuple[list[DemoInstitution],
                                                                        dict[str, tuple[bool, bool]]]:
    """Pick the members and their exchange settings.

    A few institutions are reserved and a few do not share at all; the seed's three (185, 216, 214) always share.
    With ``limit`` the federation keeps those three, one reserved and one not-sharing member, then random others.
    """
    others = [i for i in INSTITUTIONS if i.code not in PROTECTED]
    picked = rng.sample(others, RESERVED_COUNT + NOT_SHARING_COUNT)
    reserved = {i.code for i in picked[:RESERVED_COUNT]}
    not_sharing = {i.code for i in picked[RESERVED_COUNT:]}
    if limit is None or limit >= len(INSTITUTIONS):
        members = list(INSTITUTIONS)
    else:
        if limit < MIN_INSTITUTIONS:
            raise ValueError(f"a federation needs at least {MIN_INSTITUTIONS} institutions: {', '.join(PROTECTED)},"
                             " one reserved and one that does not share")
        chosen = [i for i in INSTITUTIONS if i.code in PROTECTED] + [picked[0], picked[RESERVED_COUNT]]
        rest = [i for i in others if i not in chosen]
        members = chosen + rng.sample(rest, limit - len(chosen))
    members.sort(key=lambda i: int(i.code))
    sharing = {i.code: (i.code not in not_sharing, i.code in reserved) for i in members}
    return members, sharing


class Context:
    """What the stories share: the random source, the planner, the id factory and the members."""

    def __init__(self, rng: random.Random, members: list[DemoInstitution], sharing: dict[str, tuple[bool, bool]],
                 catalogues: dict[str, Catalogue], ids: IdFactory) -> None:
        self.rng = rng
        self.planner = HistoryPlanner(rng)
        self.members = members
        self.sharing = sharing
        self.catalogues = catalogues
        self.ids = ids

    def pick(self, *, exclude: tuple[str, ...] = (), master: bool = False,
             where: tuple[str, ...] | None = None) -> DemoInstitution:
        """A member weighted by size, optionally one with a master programme or from ``where``."""
        pool = [i for i in self.members if i.code not in exclude and (where is None or i.code in where)
                and (not master or self.catalogues[i.code].masters)]
        if not pool:
            pool = [i for i in self.members if i.code not in exclude] or list(self.members)
        return self.rng.choices(pool, [i.weight for i in pool])[0]

    def bachelor(self, inst: DemoInstitution, prefer: str | None = None) -> Programme:
        progs = self.catalogues[inst.code].bachelors
        return progs[prefer] if prefer in progs else progs[self.rng.choice(sorted(progs))]

    def master(self, inst: DemoInstitution, prefer: str | None = None) -> Programme | None:
        progs = self.catalogues[inst.code].masters
        if not progs:
            return None
        return progs[prefer] if prefer in progs else progs[self.rng.choice(sorted(progs))]

    def new_person(self, birth_year: int, *, foreign: bool = False) -> tuple[PersonPlan, Identity]:
        who = draw_identity(self.rng, birth_year, foreign=foreign)
        person = PersonPlan(self.ids.make(who), who.first_name, who.last_name, who.birth_date)
        return person, who

    def consent(self, person: PersonPlan, start_term: int) -> None:
        """Most students said yes to RESUTVEKSL at their current institution; a few said no; a few never answered."""
        rec = person.record(person.current)
        draw = self.rng.random()
        if draw < 0.07:
            person.tags.add("no_consent")
            return
        if draw < 0.11:
            self.planner.consent(rec, "N", start_term)
            person.tags.add("consent_no")
            return
        if draw < 0.15:  # said no once, then yes: the latest answer holds
            self.planner.consent(rec, "N", start_term - 2)
        self.planner.consent(rec, "J", start_term)


def _next_autumn(term: int) -> int:
    return term + 1 if term % 2 == 0 else term + 2


def story_bachelor_master(ctx: Context) -> PersonPlan:
    """A bachelor at one institution and a master at another; some go on to a third."""
    rng = ctx.rng
    y0 = rng.randint(2008, 2023)
    a = ctx.pick()
    ba = ctx.bachelor(a)
    person, _ = ctx.new_person(y0 - rng.randint(19, 23))
    person.story = "bachelor_then_master"
    out = ctx.planner.run(person.record(a.code), ba, term_index(y0, "HØST"))
    person.current = a.code
    if out.completed:
        b = ctx.pick(exclude=(a.code,), master=True)
        ma = ctx.master(b, ba.field)
        if ma is not None:
            start = _next_autumn(out.last_term) + 2 * rng.choice((0, 0, 0, 1, 2))
            person.current = b.code
            person.tags.add("bachelor_then_master")
            out2 = ctx.planner.run(person.record(b.code), ma, start) if start <= LAST_TERM else None
            if out2 is not None and out2.completed and rng.random() < 0.4:
                c = ctx.pick(exclude=(a.code, b.code))
                person.current = c.code
                person.tags.add("master_at_third")
                ctx.planner.single_courses(person.record(c.code), ctx.catalogues[c.code].ordinary_courses(),
                                           max(out2.last_term + 1, LAST_TERM - 1), rng.randint(1, 3), 1)
            start_term = start
        else:
            start_term = out.last_term
    else:
        start_term = term_index(y0, "HØST")
    ctx.consent(person, min(start_term, LAST_TERM))
    return person


def story_bachelor_then_elsewhere(ctx: Context) -> PersonPlan:
    """A finished bachelor, now a student somewhere else (an årsstudium or single courses)."""
    rng = ctx.rng
    y0 = rng.randint(2006, 2021)
    a = ctx.pick()
    person, _ = ctx.new_person(y0 - rng.randint(19, 25))
    person.story = "bachelor_then_elsewhere"
    out = ctx.planner.run(person.record(a.code), ctx.bachelor(a), term_index(y0, "HØST"))
    c = ctx.pick(exclude=(a.code,))
    person.current = c.code
    start = max(out.last_term + 1, LAST_TERM - rng.randint(0, 3))
    ctx.planner.single_courses(person.record(c.code), ctx.catalogues[c.code].ordinary_courses(), start,
                               rng.randint(1, 4))
    ctx.consent(person, start)
    return person


def story_bachelor_in_progress(ctx: Context) -> PersonPlan:
    """A bachelor student now, some with single courses taken earlier at another institution."""
    rng = ctx.rng
    y0 = rng.randint(2023, 2025)
    a = ctx.pick()
    person, _ = ctx.new_person(y0 - rng.randint(19, 24))
    person.story = "bachelor_in_progress"
    if rng.random() < 0.5:
        d = ctx.pick(exclude=(a.code,))
        person.tags.add("single_courses")
        ctx.planner.single_courses(person.record(d.code), ctx.catalogues[d.code].ordinary_courses(),
                                   term_index(y0 - rng.randint(1, 3), "VÅR"), rng.randint(2, 6))
    person.current = a.code
    start = term_index(y0, "HØST")
    ctx.planner.run(person.record(a.code), ctx.bachelor(a), start)
    ctx.consent(person, start)
    return person


def story_switcher(ctx: Context) -> PersonPlan:
    """Started a bachelor with failed exams, left after a year or so, and started another elsewhere."""
    rng = ctx.rng
    y0 = rng.randint(2012, 2022)
    a = ctx.pick()
    person, _ = ctx.new_person(y0 - rng.randint(19, 22))
    person.story = "switcher"
    ctx.planner.fail_rate = 0.25
    out = ctx.planner.run(person.record(a.code), ctx.bachelor(a), term_index(y0, "HØST"),
                          stop_after=rng.randint(1, 3))
    ctx.planner.fail_rate = 0.06
    c = ctx.pick(exclude=(a.code,))
    person.current = c.code
    start = _next_autumn(out.last_term)
    ctx.planner.run(person.record(c.code), ctx.bachelor(c), start)
    ctx.consent(person, min(start, LAST_TERM))
    return person


def story_old_d_number(ctx: Context, *, known: bool | None = None, source: DemoInstitution | None = None,
                       current: DemoInstitution | None = None) -> PersonPlan:
    """A foreign student: a bachelor under a D-number at one institution, a master under a fødselsnummer now.

    With ``known`` the current institution records the old D-number (PersonIdentity); without it, it does not
    (the seed's failure case 4). Name and birth date are the same in both records.
    """
    rng = ctx.rng
    y0 = rng.randint(2015, 2021)
    a = source or ctx.pick()
    person, who = ctx.new_person(y0 - rng.randint(20, 26), foreign=True)
    d_number = ctx.ids.make(who, NationalIdKind.D_NUMBER)
    known = rng.random() < 0.5 if known is None else known
    person.story = "old_d_number"
    person.earlier_id = d_number
    person.tags.add("old_d_number_known" if known else "old_d_number_unknown")
    planner = ctx.planner
    fail_rate, planner.fail_rate = planner.fail_rate, 0.0
    out = planner.run(person.record(a.code, d_number), ctx.bachelor(a), term_index(y0, "HØST"))
    planner.fail_rate = fail_rate
    b = current or ctx.pick(exclude=(a.code,), master=True)
    person.current = b.code
    rec = person.record(b.code)
    start = max(_next_autumn(out.last_term), LAST_TERM - 1)
    if known:
        rec.earlier_ids.append((d_number, "d_number", date(start // 2, 8, 1)))
    ma = ctx.master(b, ctx.bachelor(a).field)
    if ma is not None and start <= LAST_TERM:
        planner.run(rec, ma, start)
    planner.consent(rec, "J", start)
    return person


STORIES = (
    (story_bachelor_master, 40),
    (story_bachelor_then_elsewhere, 22),
    (story_bachelor_in_progress, 22),
    (story_switcher, 12),
    (story_old_d_number, 4),
)


def plan_federation(seed: int = 2014, people: int = 3000, institutions: int | None = None) -> FederationPlan:
    """Return the whole federation for ``seed``: members, settings, catalogues and at least ``people`` persons."""
    from vitnemal.demo.scripted import RESERVED_IDS, scripted_people  # the scripted people use this module's types

    if people < 0:
        raise ValueError("people must be 0 or more")
    rng = random.Random(seed)
    members, sharing = choose_institutions(rng, institutions)
    catalogues = {i.code: build_catalogue(i) for i in members}
    ctx = Context(rng, members, sharing, catalogues, IdFactory(rng, set(RESERVED_IDS)))
    persons = scripted_people(ctx, seed)
    stories = [story for story, _ in STORIES]
    weights = [weight for _, weight in STORIES]
    while len(persons) < people:
        story = rng.choices(stories, weights)[0]
        persons.append(story(ctx))
    return FederationPlan(seed, members, sharing, catalogues, persons)
