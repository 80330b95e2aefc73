"""In a real browser: log in as Testperson1 through the test provider in each language, by keyboard alone, and the
refusals (an expired form, an idle session, a low level of assurance), with axe-core on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from vitnemal.web.models import WebSession
from vitnemal.web.sessions import utcnow

pytestmark = pytest.mark.xdist_group("browser")
TESTPERSON1 = "01536112185"
TEXTS = {
    "nb": {"login": "Logg inn", "provider": "Logg inn med ID-porten (TestID)", "pid": "Fødselsnummer (11 siffer)",
           "mine": "Mine resultater", "logout": "Logg ut", "out": "Du er logget ut."},
    "nn": {"login": "Logg inn", "provider": "Logg inn med ID-porten (TestID)", "pid": "Fødselsnummer (11 siffer)",
           "mine": "Mine resultat", "logout": "Logg ut", "out": "Du er logga ut."},
    "en": {"login": "Log in", "provider": "Log in with ID-porten (TestID)",
           "pid": "National identity number (11 digits)", "mine": "My results", "logout": "Log out",
           "out": "You are logged out."},
}


def _log_in(page, check, lang: str, acr_label: str | None = None, prefix: str = "") -> None:  # type: ignore[no-untyped-def]
    t = TEXTS[lang]
    page.goto(f"/?lang={lang}")
    check(f"{prefix}front-{lang}")
    page.get_by_role("link", name=t["login"], exact=True).click()
    check(f"{prefix}login-{lang}")
    page.get_by_role("link", name=t["provider"]).click()
    page.wait_for_url(re.compile(r"/test-idp/authorize"))
    check(f"{prefix}test-idp-{lang}")
    page.get_by_label(t["pid"]).fill(TESTPERSON1)
    if acr_label:
        page.get_by_label(acr_label).check()
    page.get_by_role("button", name=t["login"], exact=True).click()


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_log_in_as_testperson1_and_log_out(page, check, lang: str) -> None:  # type: ignore[no-untyped-def]
    t = TEXTS[lang]
    _log_in(page, check, lang)
    page.wait_for_url(re.compile(r"/my-results$"))
    assert page.get_by_role("heading", level=1).inner_text() == t["mine"]
    assert page.locator("html").get_attribute("lang") == lang
    check(f"my-results-{lang}")
    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url))
    page.get_by_role("button", name=t["logout"]).click()
    page.wait_for_url(re.compile(r"/auth/logged-out$"))
    assert any("/test-idp/endsession?" in url and "id_token_hint=" in url for url in visited), visited
    assert t["out"] in page.inner_text("main")
    check(f"logged-out-{lang}")
    page.goto("/my-results")
    assert "/auth/login" in page.url


def test_keyboard_alone_logs_in(page, check) -> None:  # type: ignore[no-untyped-def]
    def tab_to(text: str, limit: int = 30) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused = page.evaluate("() => [document.activeElement.innerText || '', document.activeElement.id]")
            if text in focused:
                return
        raise AssertionError(f"Tab never reached {text!r} on {page.url}")

    page.goto("/?lang=nb")
    tab_to("Logg inn")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/auth/login"))
    tab_to("Logg inn med ID-porten (TestID)")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/test-idp/authorize"))
    tab_to("pid")
    page.keyboard.type(TESTPERSON1)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/my-results$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mine resultater"


def test_the_skip_link_is_the_first_stop_and_leads_to_main(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/?lang=en")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.innerText") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_a_form_with_a_wrong_csrf_token_is_refused(page, check) -> None:  # type: ignore[no-untyped-def]
    page.goto("/auth/login?lang=en")
    page.get_by_role("link", name="Log in with ID-porten (TestID)").click()
    page.wait_for_url(re.compile(r"/test-idp/authorize"))
    page.locator("input[name=csrf_token]").first.evaluate("field => field.value = 'forged'")
    page.get_by_label("National identity number (11 digits)").fill(TESTPERSON1)
    page.get_by_role("button", name="Log in", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "The form had expired"
    check("csrf-refused-en")


def test_an_idle_session_ends(page, check, site) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, check, "nb", prefix="idle-")
    page.wait_for_url(re.compile(r"/my-results$"))
    app, _ = site
    # 31 minutes without a request, as the database sees it (the idle clock is the row's last_seen_at).
    with app.state.web.db.session() as db:
        db.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    page.goto("/my-results")
    assert "/auth/login" in page.url


def test_a_login_below_substantial_is_refused(page, check) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, check, "en", acr_label="Low (to test that the portal refuses it)", prefix="low-acr-")
    page.wait_for_url(re.compile(r"/auth/login\?problem=acr"))
    assert "too low a security level" in page.inner_text("main")
    check("login-refused-acr-en")
    page.goto("/my-results")
    assert "/auth/login" in page.url


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_static_pages_pass_axe(page, check, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/accessibility?lang={lang}")
    check(f"accessibility-{lang}")
    response = page.goto(f"/no-such-page?lang={lang}")
    assert response is not None and response.status == 404
    check(f"not-found-{lang}")


def test_the_axe_check_can_fail(page, check) -> None:  # type: ignore[no-untyped-def]
    page.set_content('<html><body><img src="x.png"><a href="/"></a></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        check("axe-negative-control")
