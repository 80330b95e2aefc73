"""In a real browser, the seed's test procedure: steps 1–11 in one walk by the three people who do them (the
administrator opens the exchange in Modulvalg and the consent type in Akseptansetype, Testperson1 consents after
ID-porten login, the case worker opens the case, fetches, reads Resultatbestilling and Person eksternstudium and
decides), and steps 5–12 for the case worker alone: find Testperson1, open the case (BEHANDLES), press "Hent ekstern
norsk utdanning", see "Bestilt <time>" at once and each institution's answer arrive without a reload,
Resultatbestilling, Person eksternstudium with 216 RES-100 (and Testperson2's 214 RES-OAL), decide the case; step
12: a result added at HiSF is highlighted on the next fetch. axe-core on each page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from tests.browser.conftest import _check_page
from tests.case_helpers import TP1, TP2, seed_test_persons
from tests.factories import add_course, add_result
from tests.staff_helpers import StaffSite, staff_site

from vitnemal.identity.models import Person

pytestmark = pytest.mark.xdist_group("browser")
CODES = ("185", "216", "214")


@pytest.fixture
def cases_site(tmp_path, sqlite_template) -> Iterator[StaffSite]:
    with staff_site(tmp_path / "fed", sqlite_template, CODES, with_worker=True) as s:
        seed_test_persons(s.db, CODES)
        yield s


@pytest.fixture
def worker_page(browser, cases_site):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=cases_site.url, locale="nb-NO")
    yield context.new_page()
    context.close()


def log_in(page, shots, user: str = "saksbehandler@uio.no") -> None:  # type: ignore[no-untyped-def]
    page.goto("/staff/login?next=/institutions/185/cases")
    page.get_by_role("link", name=re.compile("Feide")).click()
    page.get_by_label("Brukernavn").fill(user)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r"/institutions/185/cases$"))


def open_case(page, shots, nid: str, prefix: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label(re.compile("Navn, fødselsnummer")).fill(f"{nid[:6]} {nid[6:]}")
    page.get_by_role("button", name="Søk").click()
    page.get_by_role("cell", name=re.compile("Resultatutveksling")).first.wait_for()
    _check_page(page, shots, f"{prefix}cases-search")
    page.get_by_role("button", name=re.compile("Åpne sak for")).click()
    page.wait_for_url(re.compile(r"/institutions/185/cases/\d+$"))
    assert "BEHANDLES" in page.inner_text("main")
    _check_page(page, shots, f"{prefix}case-open")


def fetch(page) -> str:  # type: ignore[no-untyped-def]
    """Press the button; "Bestilt <time>" is there at once, then wait for every answer (no reload)."""
    page.get_by_role("button", name="Hent ekstern norsk utdanning").click()
    ordered = page.locator(".case-ordered").inner_text()
    assert re.fullmatch(r"Bestilt \d\d\.\d\d\.\d{4} \d\d:\d\d", ordered.strip()), ordered
    page.evaluate("() => { window.__loads = (window.__loads || 0) + 1; }")
    page.wait_for_function("() => document.getElementById('order-live').dataset.pending === '0'", timeout=60000)
    assert page.evaluate("() => window.__loads") == 1  # the answers came without the page being reloaded
    return str(page.inner_text("#order-live"))


def test_the_seeds_test_procedure_for_the_case_worker(worker_page, cases_site, shots) -> None:  # type: ignore[no-untyped-def]
    page = worker_page
    log_in(page, shots)
    _check_page(page, shots, "cases-list")
    open_case(page, shots, TP1, "tp1-")
    answers = fetch(page)
    assert "Høgskulen i Sogn og Fjordane: 1 resultat er hentet inn." in answers
    assert "har ingen beståtte resultater for personen" in answers
    _check_page(page, shots, "case-fetched")
    page.reload()  # without the script the page says the same
    assert "Høgskulen i Sogn og Fjordane: 1 resultat er hentet inn." in page.inner_text("#order-live")

    # Step 8: Resultatbestilling, from the case ("the box with the line")
    case_url = page.url
    page.get_by_role("link", name="Resultatbestilling", exact=True).click()
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    assert "1 resultat er hentet inn" in page.inner_text("main")
    _check_page(page, shots, "order")
    page.goto("/institutions/185/orders?status=done")
    assert "Testperson1 Resultatutveksling" in page.inner_text("main")
    _check_page(page, shots, "orders")

    # Steps 9–10: Person eksternstudium, tab Resultater: 216 RES-100
    page.goto(case_url)
    page.get_by_role("link", name="Person eksternstudium", exact=True).click()
    page.wait_for_url(re.compile(r"/people/\d+/external$"))
    main = page.inner_text("main")
    assert "Høgskulen i Sogn og Fjordane (216)" in main and "RES-100" in main and "Results exchange 100" in main
    _check_page(page, shots, "external")
    page.get_by_role("link", name="Kvalifikasjoner").click()
    _check_page(page, shots, "external-qualifications")

    # Step 11: the case is decided the ordinary way
    page.goto(case_url)
    page.get_by_label("Godkjenn RES-100").check()
    page.get_by_label("Merknad (valgfritt)").first.fill("Tilsvarer INF1000")
    page.get_by_role("button", name="Godkjenn de valgte emnene").click()
    page.wait_for_url(re.compile(r"/cases/\d+#decisions$"))
    decisions = page.inner_text("#decisions")
    assert "RES-100" in decisions and "saksbehandler@uio.no" in decisions and "Tilsvarer INF1000" in decisions
    page.get_by_label(re.compile("^FERDIG")).check()
    page.get_by_role("button", name="Fatt vedtak").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert "FERDIG" in page.inner_text("h1")
    _check_page(page, shots, "case-decided")

    # Step 12: a change at HiSF after the first import comes over at the next import, highlighted
    with cases_site.db("216").session() as s:
        person = s.scalar(select(Person).where(Person.national_id == TP1))
        assert person is not None
        add_result(s, person, add_course(s, "RES-200", name_nb="Resultatutveksling 200"), 2025, "HØST", "A")
    page.goto("/institutions/185/cases")
    open_case(page, shots, TP1, "tp1-again-")
    answers = fetch(page)
    assert "Høgskulen i Sogn og Fjordane: nytt resultat RES-200." in answers
    page.get_by_role("link", name="Person eksternstudium", exact=True).click()
    changed = page.locator("tr.case-changed")
    assert changed.count() == 1 and "RES-200" in changed.inner_text() and "Nytt resultat" in changed.inner_text()
    _check_page(page, shots, "external-changed")


def test_testperson2_gets_res_oal_from_hint(worker_page, cases_site, shots) -> None:  # type: ignore[no-untyped-def]
    page = worker_page
    log_in(page, shots)
    open_case(page, shots, TP2, "tp2-")
    assert "Høgskolen i Nord-Trøndelag" in fetch(page) or "214" in page.inner_text("#order-live")
    page.get_by_role("link", name="Person eksternstudium", exact=True).click()
    main = page.inner_text("main")
    assert "RES-OAL" in main and "Utveksling av resultater mellom institusjoner" in main
    _check_page(page, shots, "external-tp2")


def test_part_of_a_course_is_recognised_from_the_case_page(worker_page, cases_site, shots) -> None:  # type: ignore[no-untyped-def]
    """Partial credit: 5 of RES-100's 10 credits count toward MA-INF; more than the course has is refused in
    Norwegian and saves nothing."""
    page = worker_page
    log_in(page, shots)
    open_case(page, shots, TP1, "part-")
    fetch(page)
    page.reload()  # the fetched results are listed from the next load on
    page.get_by_text("Godkjenn en del av et emne").click()  # the <details> opens (no script needed)
    course = page.get_by_label("Emne", exact=True)
    assert "RES-100 Resultatutveksling 100, Høgskulen i Sogn og Fjordane (10 studiepoeng)" in course.inner_text()
    course.select_option(index=0)
    page.get_by_label("Studiepoeng som teller").fill("12")
    page.get_by_role("button", name="Godkjenn delen").click()
    alert = page.get_by_role("alert").inner_text()
    assert "RES-100 gir 10 studiepoeng; 12 kan ikke telle med mot MA-INF." in alert, alert
    assert "Ingenting er godkjent ennå." in page.inner_text("#decisions")
    page.get_by_text("Godkjenn en del av et emne").click()
    page.get_by_label("Studiepoeng som teller").fill("5")
    page.get_by_label("Merknad (valgfritt)").nth(1).fill("Overlapper INF1000")
    _check_page(page, shots, "case-part-form")
    page.get_by_role("button", name="Godkjenn delen").click()
    page.wait_for_url(re.compile(r"/cases/\d+#decisions$"))
    row = page.locator("#decisions tbody tr").first.inner_text()
    assert "RES-100" in row and "5 av 10" in row and "Overlapper INF1000" in row and "MA-INF" in row, row
    assert "Godkjenn en del av et emne" not in page.inner_text("main")  # the only course is recognised now
    _check_page(page, shots, "case-part-recognised")


@pytest.fixture
def unregistered_site(tmp_path, sqlite_template) -> Iterator[StaffSite]:
    with staff_site(tmp_path / "fed", sqlite_template, CODES, with_worker=True) as s:
        seed_test_persons(s.db, CODES, registered=False)
        yield s


def test_the_seeds_steps_1_to_11_in_one_walk(browser, unregistered_site, shots) -> None:  # type: ignore[no-untyped-def]
    """Every step on the pages, each person in their own browser; only the test persons' results at HiSF and HiNT
    (what those institutions hold) and 185's programme MAINF are seeded. Steps 2–3: the case worker registers both
    test persons in bildet Person and as students of MAINF; step 4: Testperson1 consents on the student pages,
    Testperson2's answer is entered in Akseptanse for person."""
    def person(locale: str = "nb-NO"):  # type: ignore[no-untyped-def]
        return browser.new_context(base_url=unregistered_site.url, locale=locale)

    # Step 1: the administrator opens the demo base for results exchange (Modulvalg: RESUTVEKSL J, RESERVER N)
    # and activates the consent question (Akseptansetype) that step 4 answers.
    admin = person()
    page = admin.new_page()
    page.goto("/staff/login?next=/institutions/185/settings/modules")
    page.get_by_role("link", name=re.compile("Feide")).click()
    page.get_by_label("Brukernavn").fill("admin@uio.no")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r"/settings/modules$"))
    page.locator("#module_active-j").check()
    page.locator("#reserved-n").check()
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(re.compile(r"saved=1"))
    assert page.locator("#module_active-j").is_checked() and page.locator("#reserved-n").is_checked()
    _check_page(page, shots, "walk-1-modules")
    page.goto("/institutions/185/settings/consent-types")
    page.locator("#active-j").check()
    page.locator("#seq_semreg").fill("1")
    page.locator("#seq_studentweb").fill("1")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(re.compile(r"saved=1"))
    _check_page(page, shots, "walk-1-consent-types")
    admin.close()

    # Steps 2–3: the case worker registers the test persons in bildet Person, and as students (of MAINF) too.
    worker = person()
    page = worker.new_page()
    log_in(page, shots)
    page.get_by_role("link", name="Personer", exact=True).click()
    page.wait_for_url(re.compile(r"/institutions/185/people$"))
    _check_page(page, shots, "walk-2-people")
    registered = {}
    for nid, first in ((TP1, "Testperson1"), (TP2, "Testperson2")):
        page.goto("/institutions/185/people")
        page.get_by_label("Fornavn").fill(first)
        page.get_by_label("Etternavn").fill("Resultatutveksling")
        page.get_by_label("Fødselsnummer eller D-nummer").fill(f"{nid[:6]} {nid[6:]}")
        page.get_by_role("button", name="Registrer personen").click()
        page.wait_for_url(re.compile(r"/people/\d+\?saved=registered$"))
        assert f"{first} Resultatutveksling er registrert." in page.inner_text("main")
        page.get_by_label("Studieprogram (valgfritt)").select_option("MAINF")
        page.get_by_role("button", name="Registrer som student").click()
        page.wait_for_url(re.compile(r"saved=student$"))
        main = page.inner_text("main")
        assert "J, studentnummer" in main and "MAINF Masterprogram i informatikk" in main, main
        registered[nid] = page.url.split("?")[0]
    _check_page(page, shots, "walk-3-student")
    # The same person twice is refused, whichever way the id is written.
    page.goto("/institutions/185/people")
    page.get_by_label("Fornavn").fill("Testperson1")
    page.get_by_label("Etternavn").fill("Resultatutveksling")
    page.get_by_label("Fødselsnummer eller D-nummer").fill(TP1)
    page.get_by_role("button", name="Registrer personen").click()
    assert "er allerede i institusjonens register" in page.get_by_role("alert").inner_text()
    _check_page(page, shots, "walk-3-twice")
    # Step 4, the other way: Testperson2's answer given on paper is entered in Akseptanse for person.
    page.goto(registered[TP2])
    page.locator("#answer-j").check()
    page.get_by_role("button", name="Registrer svaret").click()
    page.wait_for_url(re.compile(r"saved=consent$"))
    answers = page.get_by_role("table").inner_text()
    assert "RESUTVEKSL" in answers and "saksbehandler@uio.no" in answers, answers
    _check_page(page, shots, "walk-4-akseptanse")

    # Before step 4 the fetch is refused, in words: the student has not answered.
    page.goto("/institutions/185/cases")
    open_case(page, shots, TP1, "walk-5-")
    case_url = page.url
    page.get_by_role("button", name="Hent ekstern norsk utdanning").click()
    refusal = page.get_by_role("alert").inner_text()
    assert "har ikke svart på spørsmålet om resultatutveksling (RESUTVEKSL)" in refusal, refusal
    _check_page(page, shots, "walk-5-no-consent")

    # Step 4: Testperson1 logs in with ID-porten and accepts in the student pages (Studentweb's question).
    student = person()
    mine = student.new_page()
    mine.goto("/institutions/185/student/consent")
    mine.get_by_role("link", name=re.compile("ID-porten")).click()
    mine.locator("#pid").fill(TP1)
    mine.keyboard.press("Enter")
    mine.wait_for_url(re.compile(r"/student/consent"))
    mine.locator("#answer-j").check()
    mine.locator("#answer-j").press("Enter")
    mine.wait_for_url(re.compile(r"saved=J"))
    _check_page(mine, shots, "walk-4-consented")
    student.close()

    # Steps 5–7: the case (BEHANDLES) is open; "Hent ekstern norsk utdanning" shows "Bestilt <time>" and the answers.
    page.goto(case_url)
    assert "BEHANDLES" in page.inner_text("h1")
    answers = fetch(page)
    assert "Høgskulen i Sogn og Fjordane: 1 resultat er hentet inn." in answers
    _check_page(page, shots, "walk-7-fetched")
    # Step 8: Resultatbestilling, through "the box with the line" (the order's link) and from the menu.
    page.get_by_role("link", name="Resultatbestilling", exact=True).click()
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    assert "1 resultat er hentet inn" in page.inner_text("main")
    page.get_by_role("link", name="Resultatbestillinger").first.click()
    assert "Testperson1 Resultatutveksling" in page.inner_text("main")
    _check_page(page, shots, "walk-8-orders")
    # Steps 9–10: Person eksternstudium, tab Resultater: the course from HiSF.
    page.goto(case_url)
    page.get_by_role("link", name="Person eksternstudium", exact=True).click()
    main = page.inner_text("main")
    assert "Høgskulen i Sogn og Fjordane (216)" in main and "RES-100" in main
    _check_page(page, shots, "walk-10-external")
    # Step 11: the case is decided the ordinary way.
    page.goto(case_url)
    page.get_by_label("Godkjenn RES-100").check()
    page.get_by_role("button", name="Godkjenn de valgte emnene").click()
    page.wait_for_url(re.compile(r"/cases/\d+#decisions$"))
    page.get_by_label(re.compile("^FERDIG")).check()
    page.get_by_role("button", name="Fatt vedtak").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert "FERDIG" in page.inner_text("h1") and "RES-100" in page.inner_text("#decisions")
    _check_page(page, shots, "walk-11-decided")
    # Testperson2, whose consent was entered by the case worker: RES-OAL from HiNT.
    page.goto("/institutions/185/cases")
    open_case(page, shots, TP2, "walk-tp2-")
    assert "Høgskolen i Nord-Trøndelag: 1 resultat er hentet inn." in fetch(page)
    worker.close()


FOCUSED = """() => { const e = document.activeElement;
  const ring = (x) => { const s = getComputedStyle(x);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; };
  // a focus ring (outline or box shadow) on the element, or on its field (Designsystemet rings a radio button's
  // or checkbox's whole field), or the skip link, which is hidden until it has the focus
  const field = e.closest('.ds-field');
  const seen = ring(e) || (field !== null && ring(field))
    || (e.classList.contains('ds-skip-link') && e.getBoundingClientRect().width > 1);
  return {tag: e.tagName.toLowerCase(), text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim(),
          id: e.id, visible: seen}; }"""


def test_the_case_page_is_worked_by_keyboard_alone(worker_page, cases_site, shots) -> None:  # type: ignore[no-untyped-def]
    """Tab goes through the case page in reading order, every stop shows where the focus is, and the case is
    fetched, a course recognised and the case decided with Tab, Space and Enter only (no shortcuts needed)."""
    page = worker_page
    log_in(page, shots)
    open_case(page, shots, TP1, "keys-")

    def tab_to(wanted, limit: int = 80) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
        stops: list[dict[str, object]] = []
        for _ in range(limit):
            page.keyboard.press("Tab")
            stop = page.evaluate(FOCUSED)
            stops.append(stop)
            assert stop["visible"], f"no visible focus on {stop}"
            if wanted(stop):
                return stops
        raise AssertionError(f"never reached the element; stops: {stops}")

    stops = tab_to(lambda s: s["id"] == "fetch-button")
    assert [s["text"] for s in stops].index("Godkjenningssaker") < len(stops) - 1  # the menu comes first
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('order-live').dataset.pending === '0'", timeout=60000)
    page.reload()  # the fetched results are listed from the next load on
    stops = tab_to(lambda s: s["id"].startswith("result-"))
    names = [s["text"] for s in stops]
    assert names.index("Hent ekstern norsk utdanning") < names.index("Person eksternstudium") < len(stops) - 1
    page.keyboard.press("Space")
    stops = tab_to(lambda s: s["text"] == "Godkjenn de valgte emnene")
    assert [s["id"] for s in stops][:3] == ["toward-results", "group-results", "note-results"]
    _check_page(page, shots, "keys-recognise-focused")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/\d+#decisions$"))
    assert "RES-100" in page.inner_text("#decisions")
    tab_to(lambda s: s["text"] == "Fatt vedtak", limit=120)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert "FERDIG" in page.inner_text("h1")
