"""In a real browser: the applicant's consent at Samordna opptak and at an institution's local admission after
ID-porten login (nb, nn, en), and the admissions officer's pages, with axe-core and a screenshot of every page."""

from __future__ import annotations

import re
import threading

import pytest
from tests.functional.admissionpages.conftest import GRADUATE, NOTHING, seed_applicants, start_round_at_so, work_at_so
from tests.staff_helpers import staff_site

pytestmark = pytest.mark.xdist_group("browser")
APPLICANT = "01536112185"


@pytest.fixture
def site(tmp_path, sqlite_template):  # type: ignore[no-untyped-def]
    """Replaces the conftest's site: 185, 216 and Samordna opptak, the test staff's roles."""
    with staff_site(tmp_path / "fed", sqlite_template, admission=True) as s:
        yield s.app, s.server, s


def _id_porten(page, pid: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_url(re.compile(r"/auth/login"))
    page.get_by_role("link", name=re.compile("ID-porten")).click()
    page.wait_for_url(re.compile(r"/test-idp/authorize"))
    page.locator("#pid").fill(pid)
    page.keyboard.press("Enter")


@pytest.mark.parametrize(("code", "lang"), [("so", "nb"), ("so", "nn"), ("so", "en"), ("185", "nb")])
def test_the_applicant_consents_and_withdraws(page, check, code: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    url = f"/institutions/{code}/admission/consent?lang={lang}"
    page.goto(url)
    _id_porten(page, APPLICANT)
    page.wait_for_url(re.compile(r"/admission/consent"))
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == lang
    check(f"applicant-consent-{code}-{lang}")
    page.locator("#answer-j").check()
    page.locator("#answer-j").press("Enter")  # by keyboard: the form sends on Enter
    page.wait_for_url(re.compile(r"saved=J"))
    check(f"applicant-consented-{code}-{lang}")
    page.get_by_role("button", name=re.compile("Trekk|Withdraw")).click()
    page.wait_for_url(re.compile(r"saved=N"))
    assert page.locator("tbody tr").count() == 2
    check(f"applicant-withdrawn-{code}-{lang}")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_admissions_officer_follows_a_round_live_pauses_it_and_reads_an_applicant(  # type: ignore[no-untyped-def]
        page, check, site, lang: str) -> None:
    staff = site[2]
    seed_applicants(staff)
    round_id = start_round_at_so(staff, f"fodselsnummer;referanse\n{GRADUATE};S-1\n{NOTHING};S-2\n0101;S-3\n",
                                 "Hovedopptak 2027")
    page.goto(f"/staff/login?next=/institutions/so&lang={lang}")
    page.get_by_role("link", name=re.compile("Feide")).click()
    page.wait_for_url(re.compile(r"/test-idp/feide/authorize"))
    page.locator("#username").fill("opptak@samordnaopptak.no")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/institutions/so$"))
    check(f"officer-front-{lang}")
    page.get_by_role("navigation", name=re.compile("Institusjonens sider|Institution pages")).get_by_role(
        "link", name=re.compile("Opptaksrunder|Admission rounds")).click()
    page.wait_for_url(re.compile(r"/admission/rounds$"))
    assert page.locator("tr[data-round] .round-count").inner_text() == "0 / 2"
    check(f"officer-rounds-{lang}")
    page.get_by_role("link", name="Hovedopptak 2027").click()
    page.wait_for_url(re.compile(rf"/admission/rounds/{round_id}$"))
    assert page.locator("#round-done").inner_text() == "0"
    check(f"officer-round-running-{lang}")
    # The worker fetches while the page is open: the numbers move without a reload.
    worker = threading.Thread(target=work_at_so, args=(staff,))
    worker.start()
    from playwright.sync_api import expect

    expect(page.locator("#round-done")).to_have_text("2", timeout=60_000)
    worker.join()
    expect(page.locator("#round-status")).to_have_text("Ferdig" if lang == "nb" else "Done", timeout=60_000)
    # Answer kinds that were not on the page at load are shown as they come, without a reload.
    expect(page.locator("#round-outcomes td[data-outcome='imported']")).to_be_visible()
    expect(page.locator("#round-outcomes td[data-outcome='no_results']")).to_be_visible()
    expect(page.locator("#round-outcomes-none")).to_be_hidden()
    expect(page.locator("#applicants-stale")).to_be_visible()  # the rows below are as at load: it says so
    check(f"officer-round-live-{lang}")
    page.reload()  # and a reload (what a browser without JavaScript sees) says the same
    assert page.locator("#round-done").inner_text() == "2"
    assert page.locator("#applicants-stale").count() == 0  # a finished round's page is not live
    check(f"officer-round-done-{lang}")
    page.get_by_role("link", name=re.compile("^(Alle|All)$")).click()
    page.get_by_role("link", name=f"{GRADUATE[:6]} {GRADUATE[6:]}").click()
    page.wait_for_url(re.compile(r"/applicants/\d+$"))
    assert page.get_by_role("heading", name=re.compile("Grader|Degrees")).is_visible()
    assert "BA-ORG" in page.locator("#degrees + table, section[aria-labelledby=degrees] table").first.inner_text()
    check(f"officer-applicant-{lang}")


def test_the_officer_pauses_and_resumes_by_keyboard(page, check, site) -> None:  # type: ignore[no-untyped-def]
    staff = site[2]
    seed_applicants(staff)
    round_id = start_round_at_so(staff, f"fodselsnummer\n{GRADUATE}\n", "Suppleringsopptak 2027")
    page.goto(f"/staff/login?next=/institutions/so/admission/rounds/{round_id}")
    page.get_by_role("link", name=re.compile("Feide")).click()
    page.wait_for_url(re.compile(r"/test-idp/feide/authorize"))
    page.locator("#username").fill("opptak@samordnaopptak.no")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/admission/rounds/{round_id}$"))
    page.get_by_role("button", name="Sett runden på pause").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"done=paused"))
    assert page.locator("#round-status").inner_text() == "Satt på pause"
    check("officer-round-paused-nb")
    page.get_by_role("button", name="Fortsett runden").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"done=resumed"))
    assert page.locator("#round-status").inner_text() == "Pågår"


def test_a_member_that_admits_no_one_says_so(page, check, site) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from vitnemal.institutions.registry import MemberKind, editing

    with editing(site[2].fed.settings.registry_path) as registry:  # 216 as if it were the language-test register
        registry.institutions["216"] = replace(registry.institutions["216"], kind=MemberKind.LANGUAGE_TESTS)
    page.goto("/institutions/216/admission/consent")
    _id_porten(page, APPLICANT)
    page.wait_for_url(re.compile(r"/admission/consent"))
    assert page.get_by_role("heading", name="Ikke opptak her").is_visible()
    check("applicant-no-admission-nb")


def test_the_officer_starts_a_round_by_uploading_a_list(page, check, site, tmp_path) -> None:  # type: ignore[no-untyped-def]
    staff = site[2]
    seed_applicants(staff)
    bad = GRADUATE[:10] + str((int(GRADUATE[10]) + 1) % 10)
    listed = tmp_path / "søkere.csv"
    listed.write_text(f"fodselsnummer;fornavn;etternavn\n{GRADUATE};Kari;Nordmann\n{bad};Per;Hansen\n{NOTHING};;\n",
                      encoding="utf-8")
    broken = tmp_path / "uten-overskrift.csv"
    broken.write_text(f"{GRADUATE}\n", encoding="utf-8")
    page.goto("/staff/login?next=/institutions/so/admission/rounds")
    page.get_by_role("link", name=re.compile("Feide")).click()
    page.wait_for_url(re.compile(r"/test-idp/feide/authorize"))
    page.locator("#username").fill("opptak@samordnaopptak.no")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admission/rounds$"))
    page.get_by_role("link", name="Start en runde fra en liste").click()
    page.wait_for_url(re.compile(r"/admission/rounds/new$"))
    check("officer-new-round-nb")
    page.get_by_label("Rundens navn").fill("Etteropptak 2027")
    page.get_by_label("Liste over søkere (CSV)").set_input_files(str(broken))
    page.get_by_role("button", name="Start runden").click()
    assert page.get_by_role("heading", name="Ingenting ble startet").is_visible()
    assert "Første linje må navngi kolonnene" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Rundens navn").input_value() == "Etteropptak 2027"  # what was typed is kept
    check("officer-new-round-refused-nb")
    page.get_by_label("Liste over søkere (CSV)").set_input_files(str(listed))
    page.get_by_role("button", name="Start runden").click()
    page.wait_for_url(re.compile(r"/admission/rounds/\d+\?done=started$"))
    status = page.get_by_role("status").inner_text()
    assert "Runden er startet: 2 søkere hentes." in status and "1 linje i lista ble ikke tatt inn" in status
    assert f"Linje 3: ugyldig fødselsnummer ({bad})." in page.locator("main").inner_text()
    assert "1 søker uten navn" in page.locator("main").inner_text()
    check("officer-round-started-nb")
