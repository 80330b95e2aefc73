"""A sample diploma set from the local demo federation: the design brief's golden path, end to end.

:func:`sample_diploma_set` finds, or makes, a master's candidate at 185 (UiO) who took courses at 216 (HiSF):

1. a demo federation at ``settings.home`` is generated (300 people) when there is none;
2. the candidate, a synthetic test person (Skatteetaten's +80 series, never a real number), is registered at
   HiSF with three passed courses after a bachelor, and at UiO with consent to the results exchange, admission to
   the master's programme in informatics (MAINF), the programme's courses and a 30-credit thesis, beside twelve
   synthetic classmates who passed the same courses in the same terms (so the transcript shows grade
   distributions);
3. a case worker at UiO opens a recognition case and fetches the external results into it. This is a real
   exchange, run in this process (:mod:`vitnemal.recognition.local_exchange`): the order, a signed request to every
   member, each node's signed answer and disclosure log, the import into Person eksternstudium. We chose the
   in-process node client over an HTTP server because the sample must work from a plain command with nothing
   running, and it exercises the same checks (signatures both ways, consent, release rule) as the HTTP node;
4. the case worker recognises one HiSF course whole (under "Valgfrie emner") and the two others as a block
   "Forskningsmetode og vitenskapsteori" (20 credits), and decides the case FERDIG;
5. the master's degree (120 credits: 60 + 30 recognised + 30 thesis) is awarded at UiO, and the set is built.

Running it again finds the candidate and only builds the set. Nothing is signed or recorded as issued here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.config import Settings
from vitnemal.diplomas.build import build_diploma_set
from vitnemal.diplomas.diploma_set import DiplomaSet
from vitnemal.diplomas.rules import Signatories
from vitnemal.identity.models import Person
from vitnemal.identity.national_id import make_national_id
from vitnemal.institutions.registry import Registry
from vitnemal.programmes import service as programmes
from vitnemal.recognition import service as recognition
from vitnemal.recognition.models import DONE, RecognitionCase
from vitnemal.records import service as records
from vitnemal.records.models import AssessmentResult, Course, Qualification, QualificationCourse, QualificationGroup
from vitnemal.records.terms import parse_term, term_day

BASE, SOURCE = "185", "216"
FIRST, LAST, BORN = "Ingrid", "Innpass", date(1997, 5, 14)
QUALIFICATION, PROGRAMME = "MA-INF", "MAINF"
CASE_WORKER = "saksbehandler@uio"
URL = "https://www.uio.no"
SIGNATORIES = Signatories(dean="Kari Dekan", director="Per Direktør", officer="Siri Saksbehandler")
# (term, grade) of the three HiSF courses taken after the bachelor
SOURCE_RESULTS = (((2021, "VÅR"), "B"), ((2021, "HØST"), "A"), ((2022, "VÅR"), "C"))
BLOCK = ("Forskningsmetode og vitenskapsteori", "Research methods and philosophy of science")
THESIS_TITLE = "Maskinlæring for tidlig varsling av sepsis i norske sykehus"
CLASSMATES = (("Amund", "Berg"), ("Selma", "Dahl"), ("Tobias", "Eide"), ("Live", "Foss"), ("Jonas", "Haug"),
              ("Mathilde", "Lie"), ("Sander", "Moen"), ("Tiril", "Nygård"), ("Elias", "Rønning"),
              ("Hedda", "Sand"), ("Kasper", "Tveit"), ("Oda", "Vik"))
CLASSMATE_GRADES = "BCACBDCBEACB"  # passed grades only: the distribution counts A–E


@dataclass(frozen=True)
class SampleCandidate:
    """Who and what the sample set is about, for the caller's report."""

    national_id: str
    person_id: int
    institution_code: str
    qualification_code: str
    case_id: int
    order_id: int | None


def sample_national_id() -> str:
    """The candidate's number: a valid synthetic (+80) fødselsnummer, the same every time."""
    for individual in range(100, 500):
        number = make_national_id(BORN, individual, series="synthetic")
        if number is not None:
            return number
    raise AssertionError("no synthetic number for the sample's birth date")  # pragma: no cover


def _person(session: Session, national_id: str) -> Person:
    person = records.find_person_by_any_id(session, [national_id])
    return person or records.add_person(session, national_id, FIRST, LAST, birth_date=BORN, actor="demo")


def _result(session: Session, person: Person, course: Course, term: tuple[int, str], grade: str,
            title: str | None = None) -> AssessmentResult:
    year, season = term
    on = date(year, 6, 10) if season == "VÅR" else date(year, 12, 12)
    return records.record_result(session, person.national_id, course.code, year, season, grade, thesis_title=title,
                                 assessed_on=on)


def _source_courses(session: Session) -> list[Course]:
    """Three 10-credit courses of HiSF's catalogue that suit a master's in informatics as electives: project
    management whole, and two research-method courses that the faculty recognises as one block."""
    wanted = ("FEL302", "FEL401", "FEL403")
    found = {c.code: c for c in session.scalars(select(Course).where(Course.code.in_(wanted)))}
    if len(found) == len(wanted):
        return [found[code] for code in wanted]
    courses = session.scalars(select(Course).where(Course.kind == "course", Course.credits == 10,
                                                   Course.grading_scale == "letter").order_by(Course.code)).all()
    if len(courses) < 3:
        raise LookupError(f"Institution {SOURCE} has too few courses for the sample")
    return list(courses[-3:])


def _programme(session: Session) -> None:
    """Register UiO's master's programme in informatics unless the federation's generator did (an older one)."""
    from vitnemal.demo.catalogue import build_catalogue
    from vitnemal.demo.institutions import INSTITUTIONS
    from vitnemal.demo.programmes import programme_spec

    if programmes.find_programme(session, PROGRAMME) is None:
        inst = next(i for i in INSTITUTIONS if i.code == BASE)
        programmes.add_programme(session, programme_spec(BASE, build_catalogue(inst).masters["inf"]))


def _seed_source(settings: Settings, national_id: str) -> None:
    from vitnemal.db import Database

    db = Database(settings.url_for(SOURCE))
    try:
        with db.session() as session:
            person = _person(session, national_id)
            for course, (term, grade) in zip(_source_courses(session), SOURCE_RESULTS, strict=True):
                _result(session, person, course, term, grade)
    finally:
        db.dispose()


def _classmates(session: Session, taken: list[tuple[Course, tuple[int, str]]]) -> None:
    """Classmates (synthetic numbers too) who passed the candidate's courses in the same terms, enough of them
    for the transcript to show a grade distribution (it is hidden below 10 passed results, and a small demo
    federation has too few students in one course)."""
    for n, (first, last) in enumerate(CLASSMATES):
        born = date(1996 + n % 3, 1 + n % 12, 1 + n)
        number = next(x for i in range(100, 500) if (x := make_national_id(born, i, series="synthetic")))
        if records.find_person_by_any_id(session, [number]) is not None:
            continue
        mate = records.add_person(session, number, first, last, birth_date=born, actor="demo")
        for k, (course, term) in enumerate(taken):
            _result(session, mate, course, term, CLASSMATE_GRADES[(n * (k + 2) + k) % len(CLASSMATE_GRADES)])


def _award(session: Session, person: Person) -> None:
    """The master's courses at UiO, the thesis, and the degree with its structure (120 credits in all)."""
    from vitnemal.demo.catalogue import GROUP_COMPULSORY, GROUP_ELECTIVE, GROUP_THESIS, build_catalogue
    from vitnemal.demo.institutions import INSTITUTIONS

    inst = next(i for i in INSTITUTIONS if i.code == BASE)
    prog = build_catalogue(inst).masters["inf"]
    course = {c.code: records.get_course(session, c.code) for c in (*prog.compulsory, *prog.electives,
                                                                    *prog.fill, *prog.theses)}
    autumn, spring = (2024, "HØST"), (2025, "VÅR")
    counted: list[tuple[AssessmentResult, int]] = []
    grades = iter("BACBDCB")
    for c in prog.compulsory:
        counted.append((_result(session, person, course[c.code], autumn, next(grades)), 0))
    for n, c in enumerate(prog.electives[:4]):
        counted.append((_result(session, person, course[c.code], autumn if n == 0 else spring, next(grades)), 1))
    _result(session, person, course[prog.fill[0].code], spring, "C")  # passed, but not part of the degree
    _classmates(session, [(course[c.code], autumn) for c in prog.compulsory] +
                [(course[c.code], autumn if n == 0 else spring) for n, c in enumerate(prog.electives[:4])])
    thesis = next(t for t in prog.theses if t.credits == 30)
    counted.append((_result(session, person, course[thesis.code], (2025, "HØST"), "B", THESIS_TITLE), 2))
    qual = Qualification(person_id=person.id, code=prog.code, name_nb="Master i informatikk",
                         name_en="Master of Science in Informatics", level="master",
                         programme_code=prog.programme_code, programme_name_nb=prog.programme_name_nb,
                         programme_name_en=prog.programme_name_en, credits=Decimal(prog.credits),
                         award_date=date(2026, 1, 9))
    session.add(qual)
    session.flush()
    groups = [QualificationGroup(qualification_id=qual.id, position=i, heading_nb=nb, heading_en=en)
              for i, (nb, en) in enumerate((GROUP_COMPULSORY, GROUP_ELECTIVE, GROUP_THESIS))]
    session.add_all(groups)
    session.flush()
    session.add_all(QualificationCourse(qualification_id=qual.id, result_id=r.id, group_id=groups[g].id)
                    for r, g in counted)
    session.flush()


def _open_and_order(session: Session, settings: Settings, person: Person) -> tuple[int, int]:
    """Open the case (or take the open one) and order the external results into it; return (case, order)."""
    from vitnemal.institutions.registry import Registry

    now = datetime.now(UTC)
    case = session.scalar(select(RecognitionCase).where(RecognitionCase.person_id == person.id,
                                                        RecognitionCase.status != DONE))
    if case is None:
        case = recognition.open_case(session, national_id=person.national_id, opened_by=CASE_WORKER, now=now,
                                     qualification_code=QUALIFICATION)
    order = recognition.fetch_external(session, case.id, ordered_by=CASE_WORKER, own_code=BASE,
                                       members=Registry.load(settings.registry_path).codes(), now=now)
    return case.id, order.id


def _recognise_and_decide(session: Session, case_id: int, person_id: int, registry: Registry) -> None:
    """One HiSF course whole under "Valgfrie emner", the two others as a block; the case is decided FERDIG."""
    now = datetime.now(UTC)
    imported = [r for r in recognition.external_results(session, person_id) if r["institution"] == SOURCE]
    if len(imported) < 3:
        raise LookupError(f"The exchange brought {len(imported)} results from {SOURCE}, expected 3")
    first, *rest = imported[-3:]
    recognition.recognise_result(session, case_id, external_result_id=first["id"], toward=QUALIFICATION,
                                 by=CASE_WORKER, now=now, group="Valgfrie emner", registry=registry)
    recognition.recognise_block(
        session, case_id, title=BLOCK[0], title_en=BLOCK[1],
        # named as the institution was when the block's last course was taken (HiSF, before its merger)
        institution_name=registry.name_then(SOURCE, term_day(*parse_term(rest[-1]["term"]))),
        institution_code=SOURCE, term=rest[-1]["term"],
        credits=sum(Decimal(r["credits"]) for r in rest), toward=QUALIFICATION, by=CASE_WORKER, now=now,
        note=f"Blokken består av {' og '.join(r['code'] for r in rest)}.")
    recognition.decide(session, case_id, status=DONE, by=CASE_WORKER, now=now)


def _prepare(session: Session, settings: Settings, national_id: str) -> tuple[int, int]:
    """Everything before the exchange: both institutions' records, consent, programme, admission, degree, case and
    order. Returns (case, order)."""
    person = _person(session, national_id)
    _seed_source(settings, national_id)
    if not records.consents_of(session, person):
        records.record_consent(session, national_id, answer="J", at=datetime(2024, 8, 15, 10, 0, tzinfo=UTC))
    _programme(session)
    programmes.admit(session, person.id, PROGRAMME, date(2024, 8, 1))
    if session.scalar(select(Qualification.id).where(Qualification.person_id == person.id,
                                                     Qualification.code == QUALIFICATION)) is None:
        _award(session, person)
    return _open_and_order(session, settings, person)


def sample_diploma_set(settings: Settings, *, lang: str | None = None,
                       issued_on: date | None = None) -> tuple[DiplomaSet, SampleCandidate]:
    """Return the sample candidate's diploma set (in ``lang`` or the programme's language) and who it is about.

    See the module docstring for what is found or made. ``issued_on`` defaults to today. Each step is its own
    transaction, as an entry point's would be: the exchange runs between them and writes in its own.
    """
    from vitnemal.db import Database
    from vitnemal.demo.generator import generate_federation
    from vitnemal.institutions.host import LocalInstitutions
    from vitnemal.institutions.registry import Registry
    from vitnemal.recognition.local_exchange import run_order_now

    if not settings.registry_path.exists():
        generate_federation(settings, people=300)
    base = Registry.load(settings.registry_path).get(BASE)
    national_id = sample_national_id()
    db = Database(settings.url_for(BASE))
    try:
        with db.read_session() as session:
            person = records.find_person_by_any_id(session, [national_id])
            decided = None if person is None else session.scalar(
                select(RecognitionCase).where(RecognitionCase.person_id == person.id, RecognitionCase.status == DONE))
            found = (decided.id, decided.order_id) if decided is not None else None
        if found is None:
            with db.session() as session:
                case_id, order_id = _prepare(session, settings, national_id)
            host = LocalInstitutions.open(settings)
            try:
                run_order_now(host, BASE, order_id)
            finally:
                host.close()
            with db.session() as session:
                person_id = _person(session, national_id).id
                _recognise_and_decide(session, case_id, person_id, Registry.load(settings.registry_path))
            found = (case_id, order_id)
        with db.read_session() as session:
            person_id = records.get_person(session, national_id).id
            diploma = build_diploma_set(
                session, person_id=person_id, qualification_code=QUALIFICATION, lang=lang,
                institution_name=base.name_nb, institution_name_en=base.name_en, institution_code=BASE, url=URL,
                issued_on=issued_on, signatories=SIGNATORIES)
        return diploma, SampleCandidate(national_id, person_id, BASE, QUALIFICATION, found[0], found[1])
    finally:
        db.dispose()
