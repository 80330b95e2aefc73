"""Study histories as plain data: what one person's records hold at one institution.

A :class:`HistoryPlanner` runs programmes term by term: it packs a programme's courses into semesters of about
30 credits, draws grades (more B and C than A and E), lets some exams fail and be retaken the next term, lets
some passed grades be improved later (both results stay in the record, as in FS), writes thesis titles, and
awards the qualification with its structure when every course is passed before the reference date. Nothing here
touches a database; :mod:`vitnemal.demo.writer` stores the plans.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from vitnemal.demo.catalogue import (
    GROUP_COMPULSORY,
    GROUP_ELECTIVE,
    GROUP_EXAMS,
    GROUP_THESIS,
    CourseDef,
    Programme,
)
from vitnemal.records.terms import SEASONS

# Everything is dated relative to this day, never to "today", so a seed gives the same federation on any day.
REFERENCE_DATE = date(2026, 6, 30)
PASS, FAIL = "Bestått", "Ikke bestått"
LETTERS = ("A", "B", "C", "D", "E")
LETTER_WEIGHTS = (11, 27, 32, 19, 11)  # share of passed candidates, roughly the national distribution


def term_index(year: int, season: str) -> int:
    """Terms as consecutive integers (VÅR before HØST), so "the next term" is ``index + 1``."""
    return year * 2 + SEASONS.index(season)


def term_of(index: int) -> tuple[int, str]:
    return index // 2, SEASONS[index % 2]


LAST_TERM = term_index(2026, "VÅR")  # the last term with results before the reference date


@dataclass
class ResultPlan:
    course: str
    year: int
    season: str
    grade: str
    passed: bool
    credits: int
    assessed_on: date
    thesis_title: str | None = None


@dataclass
class QualificationPlan:
    programme: Programme
    award_date: date
    diploma_issued_on: date | None
    groups: list[tuple[str, str]]
    links: list[tuple[int, int]]  # (index into the record's results, index into groups)


@dataclass
class ConsentPlan:
    type: str
    answer: str
    answered_at: datetime


@dataclass
class RecordPlan:
    """One person as one institution's records hold them."""

    institution: str
    national_id: str
    first_name: str
    last_name: str
    birth_date: date
    earlier_ids: list[tuple[str, str, date | None]] = field(default_factory=list)  # (id, kind, replaced_on)
    results: list[ResultPlan] = field(default_factory=list)
    qualifications: list[QualificationPlan] = field(default_factory=list)
    consents: list[ConsentPlan] = field(default_factory=list)
    # Admissions to a programme not completed yet (programme code, admitted on); a graduate's is written from the
    # qualification.
    admissions: list[tuple[str, date]] = field(default_factory=list)
    taken: set[tuple[str, int]] = field(default_factory=set)  # (course, term): one result per course and term


@dataclass
class Outcome:
    """What running a programme gave: whether it was completed, its last term and the qualification if any."""

    completed: bool
    last_term: int
    qualification: QualificationPlan | None = None


def exam_date(rng: random.Random, year: int, season: str) -> date:
    """A plausible date of assessment: late May to mid June for VÅR, December for HØST."""
    start = date(year, 5, 20) if season == "VÅR" else date(year, 11, 28)
    return min(start + timedelta(days=rng.randrange(25)), REFERENCE_DATE - timedelta(days=1))


class HistoryPlanner:
    """Draws results and degrees; ``rng`` is the only source of randomness.

    ``fail_rate`` and ``improve_rate`` are per passed/attempted course; scripted scenario persons switch a feature
    on for certain with ``force_fail`` / ``force_improve`` (the first eligible course gets it).
    """

    def __init__(self, rng: random.Random, *, fail_rate: float = 0.06, improve_rate: float = 0.03,
                 never_collected_rate: float = 0.02) -> None:
        self.rng = rng
        self.fail_rate = fail_rate
        self.improve_rate = improve_rate
        self.never_collected_rate = never_collected_rate
        self.force_fail = False
        self.force_improve = False

    # -- single results ------------------------------------------------------------------------------------
    def _grade(self, course: CourseDef, *, at_least: str | None = None) -> str:
        if course.grading_scale == "pass_fail":
            return PASS
        letters = LETTERS if at_least is None else LETTERS[: LETTERS.index(at_least)]
        weights = LETTER_WEIGHTS[: len(letters)]
        return self.rng.choices(letters, weights)[0]

    def _add(self, rec: RecordPlan, course: CourseDef, term: int, grade: str, title: str | None) -> int:
        year, season = term_of(term)
        passed = grade not in ("F", FAIL)
        rec.results.append(ResultPlan(course.code, year, season, grade, passed, course.credits,
                                      exam_date(self.rng, year, season), title))
        rec.taken.add((course.code, term))
        return len(rec.results) - 1

    def take(self, rec: RecordPlan, course: CourseDef, term: int, title: str | None = None) -> int | None:
        """Sit ``course`` in ``term``, with a retake after a fail and sometimes an improvement later.

        Returns the index of the result that counts (the best passed one), or None when the course was not passed
        by the last term before the reference date.
        """
        while (course.code, term) in rec.taken:
            term += 1
        if term > LAST_TERM:
            return None
        fail = self.force_fail or self.rng.random() < self.fail_rate
        if fail and term < LAST_TERM:
            self.force_fail = False
            self._add(rec, course, term, FAIL if course.grading_scale == "pass_fail" else "F", title)
            term += 1  # the retake (kontinuasjonseksamen) is the next term
            while (course.code, term) in rec.taken:
                term += 1
            if term > LAST_TERM:
                return None
        best = self._add(rec, course, term, self._grade(course), title)
        grade = rec.results[best].grade
        improvable = course.grading_scale == "letter" and grade in ("C", "D", "E") and course.kind != "thesis"
        if improvable and term + 2 <= LAST_TERM and (self.force_improve or self.rng.random() < self.improve_rate):
            self.force_improve = False
            # Improving a grade means sitting the exam again a year later; both results stay in the record.
            later = term + 2
            if (course.code, later) not in rec.taken:
                best = self._add(rec, course, later, self._grade(course, at_least=grade), None)
        return best

    # -- programmes ----------------------------------------------------------------------------------------
    def courses_for(self, prog: Programme, thesis_credits: int = 0) -> list[tuple[CourseDef, int]]:
        """The courses a student of ``prog`` takes, each with its group index, filled to the programme's credits."""
        chosen: list[tuple[CourseDef, int]] = []
        groups = self.groups_for(prog)
        g_exam = groups.index(GROUP_EXAMS) if GROUP_EXAMS in groups else 0
        g_comp, g_elec = groups.index(GROUP_COMPULSORY), groups.index(GROUP_ELECTIVE)
        chosen += [(c, g_exam) for c in prog.exams]
        chosen += [(c, g_comp) for c in prog.compulsory]
        thesis = None
        if prog.level == "master":
            thesis = next(t for t in prog.theses if t.credits == thesis_credits)
        need = prog.credits - sum(c.credits for c, _ in chosen) - (thesis.credits if thesis else 0)
        pool = list(prog.electives)
        self.rng.shuffle(pool)
        fill = list(prog.fill)
        self.rng.shuffle(fill)
        rest = []
        for course in pool + fill:
            if 0 < course.credits <= need:
                chosen.append((course, g_elec))
                need -= course.credits
            else:
                rest.append(course)
        if need > 0 and rest:  # no exact fit: one more course, a few credits over, as happens in real degrees
            chosen.append((min(rest, key=lambda c: c.credits), g_elec))
        if thesis is not None:
            chosen.append((thesis, groups.index(GROUP_THESIS)))
        return chosen

    @staticmethod
    def groups_for(prog: Programme) -> list[tuple[str, str]]:
        groups = [GROUP_EXAMS] if prog.exams else []
        groups += [GROUP_COMPULSORY, GROUP_ELECTIVE]
        if prog.level == "master":
            groups.append(GROUP_THESIS)
        return groups

    def run(self, rec: RecordPlan, prog: Programme, start: int, *, unissued: bool = False,
            thesis_credits: int | None = None, stop_after: int | None = None) -> Outcome:
        """Run ``prog`` from term ``start`` and award it when every course is passed before the reference date.

        The thesis (master) is written in the last semester (30 credits) or the last two (60 credits, one result).
        ``unissued`` leaves the diploma unissued even for an awarded degree; ``stop_after`` semesters ends the
        programme early (a student who dropped out or switched).
        """
        if thesis_credits is None:
            thesis_credits = self.rng.choice((30, 60)) if prog.level == "master" else 0
        courses = self.courses_for(prog, thesis_credits)
        semesters: list[list[tuple[CourseDef, int]]] = [[]]
        load = 0
        theses = [(c, g) for c, g in courses if c.kind == "thesis"]
        for course, group in courses:
            if course.kind == "thesis":
                continue
            if load + course.credits > 30 and semesters[-1]:
                semesters.append([])
                load = 0
            semesters[-1].append((course, group))
            load += course.credits
        for course, group in theses:
            if course.credits >= 60:
                semesters.append([])  # a 60-credit thesis takes a whole year; it is graded at its end
            semesters.append([(course, group)])
        links: list[tuple[int, int]] = []
        missing = False
        last = start
        if stop_after is not None:
            semesters = semesters[:stop_after]
            missing = True
        for offset, semester in enumerate(semesters):
            term = start + offset
            for course, group in semester:
                title = self.thesis_title(prog) if course.kind == "thesis" else None
                index = self.take(rec, course, term, title)
                if index is None:
                    missing = True
                    continue
                links.append((index, group))
                last = max(last, term_index(rec.results[index].year, rec.results[index].season))
        if missing:
            return Outcome(False, last)
        final = max(rec.results[i].assessed_on for i, _ in links)
        award = final + timedelta(days=self.rng.randrange(7, 30))
        if award > REFERENCE_DATE:
            return Outcome(False, last)
        planned = award + timedelta(days=self.rng.randrange(10, 45))
        # A diploma not issued by the reference date stays unissued (never a date that wall-clock time would
        # overtake), and a few graduates never collect theirs.
        never = self.rng.random() < self.never_collected_rate
        issued = None if unissued or never or planned > REFERENCE_DATE else planned
        qual = QualificationPlan(prog, award, issued, self.groups_for(prog), links)
        rec.qualifications.append(qual)
        return Outcome(True, last, qual)

    def single_courses(self, rec: RecordPlan, courses: list[CourseDef], start: int, count: int,
                       per_term: int = 2) -> int:
        """Take ``count`` single courses (enkeltemner) from ``courses``, ``per_term`` a term; return the last term."""
        pool = [c for c in courses if c.kind not in ("thesis",)]
        term = start
        taken = 0
        while taken < count and term <= LAST_TERM:
            for course in self.rng.sample(pool, min(per_term, len(pool), count - taken)):
                self.take(rec, course, term)
                taken += 1
            term += 1
        return term - 1

    def thesis_title(self, prog: Programme) -> str:
        title = self.rng.choice(prog.theses_titles) if prog.theses_titles else f"Masteroppgave i {prog.field}"
        if set(title.lower().split()) & {"the", "of", "in", "and", "among", "after", "with", "on"}:
            return title  # English titles are kept as they are
        suffix = self.rng.choice(("", "", ": en kvalitativ studie", ": en kvantitativ analyse",
                                  ": erfaringer fra praksisfeltet", " – en casestudie"))
        return title + suffix

    def consent(self, rec: RecordPlan, answer: str, term: int) -> None:
        """Record an akseptanse RESUTVEKSL at the semester registration of ``term`` (before the reference date)."""
        year, season = term_of(min(term, LAST_TERM))
        day = date(year, 1, 10) if season == "VÅR" else date(year, 8, 15)
        at = datetime.combine(day + timedelta(days=self.rng.randrange(20)), datetime.min.time(), UTC)
        at += timedelta(minutes=self.rng.randrange(8 * 60, 22 * 60))
        rec.consents.append(ConsentPlan("RESUTVEKSL", answer, at))
