"""In a real browser, the portal's golden path: log in as Testperson1, see RES-100 from HiSF, share it, read the
mails in the demo's outbox (caught by the real local SMTP server), follow the link, type the code, see the result,
download the PDF, see the view in the owner's log, end the share, the link is refused; axe-core on every page."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.browser.conftest import _check_page
from tests.browser.test_browser_login import TESTPERSON1, _log_in

from vitnemal.exchange.outcomes import Outcome
from vitnemal.portal.source import Institution, SourceAnswer, StaticResultsSource

pytestmark = pytest.mark.xdist_group("browser")
RES_100 = {"key": "RES-100|2014|VÅR", "course_code": "RES-100", "name_nb": "Resultatutveksling <script>x</script>",
           "name_en": "Results exchange <script>x</script>", "kind": "course", "thesis_title": None, "year": 2014,
           "season": "VÅR", "credits": "10", "grade": "B", "grading_scale": "letter"}
TEXTS = {
    "nb": {"share": "Del", "email": "Mottakerens e-postadresse", "until": "Gyldig til", "language": "Språk",
           "code": "Tilgangskode", "open": "Åpne", "pdf": "Last ned signert PDF", "end": "Avslutt deling",
           "ended": "avsluttet", "shares": "Mine delinger"},
    "en": {"share": "Share", "email": "Recipient's e-mail", "until": "Valid until", "language": "Language",
           "code": "Access code", "open": "Open", "pdf": "Download the signed PDF", "end": "End share",
           "ended": "ended", "shares": "My shares"},
}


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_share_open_download_end(browser, site, page, check, shots, lang: str) -> None:  # type: ignore[no-untyped-def]
    app, server = site
    t = TEXTS[lang]
    app.state.portal._source = StaticResultsSource(
        [Institution("216", "Høgskulen i Sogn og Fjordane", "Sogn og Fjordane University College"),
         Institution("185", "Universitetet i Oslo", "University of Oslo")],
        {"216": SourceAnswer("216", Outcome.IMPORTED.value, "", [RES_100])})
    _log_in(page, check, lang, prefix=f"portal-{lang}-")
    page.wait_for_url(re.compile(r"/my-results$"))
    page.get_by_text("Høgskulen i Sogn og Fjordane").first.wait_for()
    page.wait_for_function("() => !document.querySelector('#fetch-progress[data-pending]:not([data-pending=\"0\"])')")
    main = page.inner_text("main")
    assert "RES-100" in main and "<script>x</script>" in main  # shown as text
    assert "Universitetet i Oslo" in main  # did not answer: named
    check(f"portal-my-results-{lang}")
    page.get_by_label("RES-100").check()
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

