"""In a real browser, the EMREX 1 hand-over between the demo's recruitment platform (its own app on its own port)
and the portal, in bokmål and English: the platform starts the flow, the applicant logs in at the portal, sees the
results, and answers; the platform shows what came back for each of the four return codes (the ELMO's signature
and the attached PDF checked, the person matched). One answer is given without the hand-back page's script (it is
blocked), through the page's own button. The owner then sees the transfer on "Overføringer". axe-core and a
screenshot on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from tests.browser.conftest import _check_page
from tests.browser.test_browser_login import TESTPERSON1
from tests.browser.test_browser_login import TEXTS as LOGIN
from tests.browser.test_browser_portal import HISF, RES_100

from vitnemal.demo.platform import NAME, TEXTS, PlatformConfig, create_platform, register_demo_client
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.exchange.outcomes import Outcome
from vitnemal.portal.pdf import portal_signer_files
from vitnemal.portal.source import SourceAnswer, StaticResultsSource

pytestmark = pytest.mark.xdist_group("browser")
PORTAL = {
    "nb": {"send": f"Send de valgte resultatene til {NAME}", "cancel": f"Avbryt og gå tilbake til {NAME}",
           "none": f"Tilbake til {NAME} uten resultater", "continue": f"Fortsett til {NAME}",
           "transfers": "Overføringer", "what": "Nøyaktig hva som ble sendt"},
    "en": {"send": f"Send the chosen results to {NAME}", "cancel": f"Cancel and go back to {NAME}",
           "none": f"Back to {NAME} without results", "continue": f"Continue to {NAME}",
           "transfers": "Transfers", "what": "Exactly what was sent"},
}
ANSWERS = {
    "ok": {"216": SourceAnswer("216", Outcome.IMPORTED.value, "", [RES_100])},
    "no_results": {"216": SourceAnswer("216", Outcome.NO_RESULTS.value, "no passed results")},
    "error": {"216": SourceAnswer("216", Outcome.UNAVAILABLE.value, "216 is down", retry=False)},
}


@pytest.fixture
def platform(site, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app, server = site
    port = free_port()
    own = f"http://127.0.0.1:{port}"
    _, cert, ca_cert = portal_signer_files(app.state.portal.settings)
    config = PlatformConfig(tmp_path / "platform" / "platform.sqlite", server.url, own, cert, ca_cert)
    with app.state.portal.db.session() as session:
        register_demo_client(session, config)
    with BackgroundServer(create_platform(config), port=port):
        yield own


def _answer(browser, site, shots, platform: str, lang: str, case: str, *, javascript: bool = True) -> object:  # type: ignore[no-untyped-def]
    """One applicant from the platform's ad through the portal and back; the platform's page at the end."""
    app, _ = site
    app.state.portal._source = StaticResultsSource([HISF], ANSWERS["ok" if case == "cancel" else case])
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    if not javascript:  # the hand-back page's script never arrives: its own button must do
        page.route("**/emrex/handback.js", lambda route: route.abort())
    t, p, login = TEXTS[lang], PORTAL[lang], LOGIN[lang]
    name = f"emrex-{case}-{lang}"
    page.goto(f"{platform}/?lang={lang}")
    _check_page(page, shots, f"{name}-platform-ad")
    page.get_by_label(t["name"]).fill("Testperson1 Resultatutveksling")
    page.get_by_label(t["bday"]).fill("1961-03-01")
    page.get_by_role("button", name=t["apply"]).click()
    _check_page(page, shots, f"{name}-platform-go")
    page.get_by_role("button", name=t["go"]).click()
    page.wait_for_url(re.compile(r"/auth/login\?next=%2Femrex%2Fr%2F|/auth/login\?next=/emrex/r/"))
    page.get_by_role("link", name=login["provider"]).click()
    page.wait_for_url(re.compile(r"/test-idp/authorize"))
    page.get_by_label(login["pid"]).fill(TESTPERSON1)
    page.get_by_role("button", name=login["login"], exact=True).click()
    page.wait_for_url(re.compile(r"/emrex/r/[A-Za-z0-9_-]+"))
    page.locator('#fetch-progress[data-pending="0"]').wait_for(state="attached")  # reloaded by progress.js
    assert page.locator("html").get_attribute("lang") == lang
    _check_page(page, shots, f"{name}-portal-request")
    if case == "ok":
        page.get_by_label("RES-100").check()
        page.get_by_role("button", name=p["send"]).click()
    elif case == "cancel":
        page.get_by_role("button", name=p["cancel"]).click()
    else:
        page.get_by_role("button", name=p["none"]).click()
    if not javascript:
        page.wait_for_url(re.compile(r"/emrex/r/"))
        _check_page(page, shots, f"{name}-portal-handback")
        page.get_by_role("button", name=p["continue"]).click()
    page.wait_for_url(f"{platform}/emrex/return")
    _check_page(page, shots, f"{name}-platform-received")
    return context, page


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_four_return_codes_between_the_demo_platform_and_the_portal(  # type: ignore[no-untyped-def]
        browser, site, shots, platform, lang: str) -> None:
    t, p = TEXTS[lang], PORTAL[lang]
    context, page = _answer(browser, site, shots, platform, lang, "ok")
    assert page.inner_text("#return-code") == "NCP_OK"
    assert page.inner_text("#signature") == t["valid"] and page.inner_text("#pdf") == t["valid"]
    assert page.inner_text("#person") == f"Testperson1 Resultatutveksling, 1961-03-01: {t['match']}"
    shown = page.inner_text("main")
    assert "Høgskulen i Sogn og Fjordane" in shown and "RES-100" in shown and ": B (10" in shown
    # The owner's list of transfers names the platform, its contact, and exactly what was sent.
    page.goto(f"{site[1].url}/transfers?lang={lang}")
    assert page.get_by_role("heading", level=1).inner_text() == p["transfers"]
    page.get_by_text(p["what"]).click()
    # The <details> opens with Designsystemet's 0.4 s height transition: wait until its content is shown.
    page.get_by_text("RES-100", exact=False).first.wait_for(state="visible")
    listed = page.inner_text("main")
    assert NAME in listed and "personvern@jobbnett.example.no" in listed and "RES-100" in listed
    _check_page(page, shots, f"emrex-transfers-{lang}")
    context.close()
    for case, code, javascript in (("cancel", "NCP_CANCEL", lang == "nb"), ("no_results", "NCP_NO_RESULTS", True),
                                   ("error", "NCP_ERROR", lang != "nb")):
        context, page = _answer(browser, site, shots, platform, lang, case, javascript=javascript)
        assert page.inner_text("#return-code") == code
        assert t["none"] in page.inner_text("main") and "#signature" not in page.content()
        if case == "error":
            assert "Høgskulen i Sogn og Fjordane" in page.inner_text("main")  # the return message names it
        context.close()


def test_the_operator_sees_the_emrex_clients(browser, tmp_path, sqlite_template, shots) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from tests.staff_helpers import staff_site

    from vitnemal.emrex import clients

    with staff_site(tmp_path / "fed", sqlite_template) as staff:
        now = datetime.now(UTC)
        with staff.app.state.portal.db.session() as session:
            clients.add_client(session, client_id="jobbnett", name="Jobbnett <AS>", kind="emrex1",
                               urls=["https://jobb.example.no/emrex/return"], contact_email="dpo@jobb.example.no",
                               now=now, actor="test", production=False, national_id=True)
            clients.add_client(session, client_id="gammel", name="Gammel plattform", kind="emrex1",
                               urls=["https://gammel.example.no/r"], contact_email="dpo@gammel.example.no", now=now,
                               actor="test", production=False)
            clients.remove_client(session, "gammel", now=now, actor="test")
        page = browser.new_context(base_url=staff.server.url, locale="nb-NO").new_page()
        page.goto("/emrex/clients")
        page.get_by_role("link", name="Logg inn med").first.click()
        page.get_by_label("Brukernavn").fill("operator@sikt.no")
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url("**/emrex/clients")
        rows = page.locator("tbody tr")
        assert rows.count() == 2
        first = rows.nth(1).inner_text()  # sorted by client id: gammel, jobbnett
        assert "Jobbnett <AS>" in first and "https://jobb.example.no/emrex/return" in first
        assert "kan få fødselsnummeret" in first and "dpo@jobb.example.no" in first
        assert "Fjernet" in rows.nth(0).inner_text()
        _check_page(page, shots, "emrex-operator-clients-nb")
        page.goto("/federation")
        page.get_by_role("link", name="EMREX-klienter").click()
        page.wait_for_url("**/emrex/clients")
        page.context.close()
