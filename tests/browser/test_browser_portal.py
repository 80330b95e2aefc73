"""In a real browser, the portal's golden path in bokmål, nynorsk and English: log in as Testperson1, see RES-100
from HiSF and the language tests, share them, read the mails in the demo's outbox (caught by the real local SMTP
server), follow the link, type the code, see the results, download the PDF, see the view in the owner's log, end the
share, the link is refused; a North Sami share's recipient is told which texts are still in bokmål; and an
institution that is down is named, asked again in the background, and its results appear on the page by themselves.
axe-core on every page, and a screenshot of each."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.browser.conftest import _check_page
from tests.browser.test_browser_login import TESTPERSON1, _log_in

from vitnemal.exchange.outcomes import Outcome
from vitnemal.portal import app as portal_app
from vitnemal.portal import fetch
from vitnemal.portal.source import Institution, SourceAnswer, StaticResultsSource

pytestmark = pytest.mark.xdist_group("browser")
RES_100 = {"key": "RES-100|2014|VÅR", "course_code": "RES-100", "name_nb": "Resultatutveksling <script>x</script>",
           "name_en": "Results exchange <script>x</script>", "kind": "course", "thesis_title": None, "year": 2014,
           "season": "VÅR", "credits": "10", "grade": "B", "grading_scale": "letter"}
TEXTS = {
    "nb": {"share": "Del", "email": "Mottakerens e-postadresse", "until": "Gyldig til", "language": "Språk",
           "code": "Tilgangskode", "open": "Åpne", "pdf": "Last ned signert PDF", "end": "Avslutt deling",
           "ended": "avsluttet", "shares": "Mine delinger", "tests": "Språkprøver"},
    "nn": {"share": "Del", "email": "E-postadressa til mottakaren", "until": "Gyldig til", "language": "Språk",
           "code": "Tilgangskode", "open": "Opne", "pdf": "Last ned signert PDF", "end": "Avslutt deling",
           "ended": "avslutta", "shares": "Delingane mine", "tests": "Språkprøvar"},
    "en": {"share": "Share", "email": "Recipient's e-mail", "until": "Valid until", "language": "Language",
           "code": "Access code", "open": "Open", "pdf": "Download the signed PDF", "end": "End share",
           "ended": "ended", "shares": "My shares", "tests": "Language tests"},
}


HISF = Institution("216", "Høgskulen i Sogn og Fjordane", "Sogn og Fjordane University College")
UIO = Institution("185", "Universitetet i Oslo", "University of Oslo")
REGISTER = Institution("hkdir", "Direktoratet for høyere utdanning og kompetanse (HK-dir)",
                       "Norwegian Directorate for Higher Education and Skills (HK-dir)")


def _sitting(code: str, name: str, year: int, season: str, grade: str) -> dict[str, object]:
    return {"key": f"{code}|{year}|{season}", "course_code": code, "name_nb": name, "name_en": name,
            "kind": "language_test", "thesis_title": None, "year": year, "season": season, "credits": "0",
            "grade": grade, "grading_scale": "cefr", "institution_name_nb": "Kompetanse Norge",
            "institution_name_en": "Skills Norway"}


TESTS = SourceAnswer("hkdir", Outcome.IMPORTED.value, "", [
    _sitting("NP-LESING", "Norskprøven, leseforståelse", 2019, "HØST", "B1"),
    _sitting("NP-LESING", "Norskprøven, leseforståelse", 2021, "VÅR", "A2"),
    _sitting("NP-MUNTLIG", "Norskprøven, muntlig", 2021, "VÅR", "B2")])


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_share_open_download_end(browser, site, page, check, shots, lang: str) -> None:  # type: ignore[no-untyped-def]
    app, server = site
    t = TEXTS[lang]
    app.state.portal._source = StaticResultsSource(
        [HISF, UIO, REGISTER], {"216": SourceAnswer("216", Outcome.IMPORTED.value, "", [RES_100]), "hkdir": TESTS})
    _log_in(page, check, lang, prefix=f"portal-{lang}-")
    page.wait_for_url(re.compile(r"/my-results$"))
    page.get_by_text("Høgskulen i Sogn og Fjordane").first.wait_for()
    page.wait_for_function("() => !document.querySelector('#fetch-progress[data-pending]:not([data-pending=\"0\"])')")
    main = page.inner_text("main")
    assert "RES-100" in main and "<script>x</script>" in main  # shown as text
    assert "Universitetet i Oslo" in main  # did not answer: named
    assert t["tests"] in main and "Norskprøven, leseforståelse" in main
    check(f"portal-my-results-{lang}")
    page.get_by_label("RES-100").check()
    page.get_by_label("Norskprøven, leseforståelse").check()
    page.get_by_label(t["email"]).fill("hr@example.no")
    assert page.get_by_label(t["until"]).get_attribute("type") == "date"
    page.get_by_label(t["language"]).select_option(lang)
    page.get_by_role("button", name=t["share"], exact=True).click()
    page.wait_for_url(re.compile(r"/shares\?created=1"))
    check(f"portal-shares-{lang}")
    outbox = httpx.get(f"{server.url}/demo/outbox.json").json()
    link = next(m["link"] for m in reversed(outbox) if m["link"])
    code = next(m["code"] for m in reversed(outbox) if m["code"])
    assert {m["to"] for m in outbox[-2:]} == {"hr@example.no"}
    recipient = browser.new_context(base_url=server.url, locale="nb-NO", accept_downloads=True).new_page()
    recipient.goto(f"{link}?lang={lang}")
    _check_page(recipient, shots, f"portal-code-{lang}")
    recipient.get_by_label(t["code"]).fill(code)
    recipient.get_by_role("button", name=t["open"], exact=True).click()
    recipient.get_by_text("RES-100").first.wait_for()
    shown = recipient.inner_text("main")
    assert "Testperson1" in shown and TESTPERSON1 not in shown and "Høgskulen i Sogn og Fjordane" in shown
    assert "Norskprøven, leseforståelse" in shown and "Norskprøven, muntlig" not in shown  # only what was shared
    _check_page(recipient, shots, f"portal-recipient-{lang}")
    with recipient.expect_download() as download:
        recipient.get_by_role("link", name=t["pdf"]).click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.goto(f"/shares?lang={lang}")
    log = page.inner_text("main")
    assert "hr@example.no" in log and len(re.findall(r"\d{2}:\d{2}", log)) >= 4  # created, expires, 2 views
    page.get_by_role("button", name=t["end"]).click()
    page.wait_for_url(re.compile(r"/shares\?ended=1"))
    check(f"portal-ended-{lang}")
    recipient.goto(f"{link}?lang={lang}")
    assert t["ended"] in recipient.inner_text("main")
    _check_page(recipient, shots, f"portal-refused-{lang}")
    recipient.context.close()



def test_an_institution_that_is_down_is_named_retried_and_its_results_appear(  # type: ignore[no-untyped-def]
        site, page, check, monkeypatch) -> None:
    """Nobody reloads the page: the background loop asks the silent institution again, and the page's script
    reloads it when the results have arrived."""
    app, _ = site
    monkeypatch.setattr(fetch, "RETRY_DELAYS_S", (2.0,) * 20)  # instead of 30 s, 2 min, 10 min
    monkeypatch.setattr(portal_app, "RETRY_POLL_S", 0.5)
    source = StaticResultsSource([HISF, UIO], {"216": SourceAnswer("216", Outcome.IMPORTED.value, "", [RES_100])})
    app.state.portal._source = source
    _log_in(page, check, "nb", prefix="portal-retry-")
    page.wait_for_url(re.compile(r"/my-results$"))
    warning = page.locator(".ds-alert", has_text="Klarte ikke hente data")
    warning.wait_for()
    assert "Universitetet i Oslo" in warning.inner_text() and "spurt på nytt automatisk" in warning.inner_text()
    check("portal-institution-down-nb")
    asked = len(source.asked)
    source.answers["185"] = SourceAnswer("185", Outcome.IMPORTED.value, "", [
        {**RES_100, "key": "INF1000|2016|HØST", "course_code": "INF1000", "name_nb": "Grunnkurs i programmering",
         "name_en": "Introduction to programming", "year": 2016, "season": "HØST"}])
    page.get_by_text("INF1000").wait_for(timeout=60_000)  # the page reloaded by itself
    assert len(source.asked) > asked and source.asked[-1] == "185"
    assert page.locator(".ds-alert", has_text="Klarte ikke hente data").count() == 0
    assert "RES-100" in page.inner_text("main")  # nothing already shown was lost
    check("portal-institution-back-nb")


def test_a_north_sami_recipient_is_told_which_texts_are_bokmal(  # type: ignore[no-untyped-def]
        browser, site, page, check, shots) -> None:
    """The se catalogue is partly translated: a sentence it lacks is shown in bokmål inside lang="nb" (so a screen
    reader switches voice), the institution's course names inside lang="no", and the page says so."""
    app, server = site
    t = TEXTS["nb"]
    app.state.portal._source = StaticResultsSource(
        [HISF], {"216": SourceAnswer("216", Outcome.IMPORTED.value, "", [RES_100])})
    _log_in(page, check, "nb", prefix="portal-se-")
    page.wait_for_url(re.compile(r"/my-results$"))
    page.get_by_text("RES-100").first.wait_for()
    page.get_by_label("RES-100").check()
    page.get_by_label(t["email"]).fill("hr@example.no")
    page.get_by_label(t["language"]).select_option("se")
    page.get_by_role("button", name=t["share"], exact=True).click()
    page.wait_for_url(re.compile(r"/shares\?created=1"))
    outbox = httpx.get(f"{server.url}/demo/outbox.json").json()
    link = next(m["link"] for m in reversed(outbox) if m["link"])
    code = next(m["code"] for m in reversed(outbox) if m["code"])
    recipient = browser.new_context(base_url=server.url, locale="nb-NO").new_page()
    recipient.goto(link)
    assert recipient.get_attribute("html", "lang") == "se"
    in_bokmal = recipient.locator("main span[lang=nb]").all_inner_texts()
    assert "vises på bokmål" in in_bokmal[0] and "tilgangskoden" in in_bokmal[1].lower()
    _check_page(recipient, shots, "portal-code-se")
    recipient.get_by_label("Beassankoda").fill(code)
    recipient.get_by_role("button", name="Raba", exact=True).click()
    recipient.get_by_text("RES-100").first.wait_for()
    assert "Resultatutveksling" in recipient.inner_text("td span[lang=no]")
    _check_page(recipient, shots, "portal-recipient-se")
    recipient.context.close()
