"""In a real browser, EMREX 2's applicant side in bokmål, nynorsk and English: a registered client sends the
applicant to the portal's authorization endpoint; the portal's login (the test provider) comes first, then the
consent page names the service and its contact and shows the results to pick; the applicant ticks one course and
sends it; the browser arrives back at the client with a code; the consent, with its reference, is on "My consents
to services". axe-core on every page, and a screenshot of each."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.integrations.httpx_client import OAuth2Client
from joserfc.jwk import ECKey
from sqlalchemy import select
from tests.browser.test_browser_login import TESTPERSON1
from tests.browser.test_browser_login import TEXTS as LOGIN
from tests.browser.test_browser_portal import HISF, RES_100

from vitnemal.emrex import clients
from vitnemal.emrex2.models import Emrex2Grant
from vitnemal.exchange.outcomes import Outcome
from vitnemal.portal.source import SourceAnswer, StaticResultsSource

pytestmark = pytest.mark.xdist_group("browser")
REDIRECT = "http://localhost:9999/emrex/callback"
TEXTS = {
    "nb": {"title": "Send resultater til Demo Rekruttering AS", "send": "Send resultatene jeg valgte",
           "consents": "Mine samtykker til tjenester", "reference": "Referanse"},
    "nn": {"title": "Send resultat til Demo Rekruttering AS", "send": "Send resultata eg valde",
           "consents": "Mine samtykke til tenester", "reference": "Referanse"},
    "en": {"title": "Send results to Demo Rekruttering AS", "send": "Send the results I chose",
           "consents": "My consents to services", "reference": "Reference"},
}


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_consent_in_the_browser(site, page, check, lang: str) -> None:  # type: ignore[no-untyped-def]
    app, server = site
    t, login = TEXTS[lang], LOGIN[lang]
    app.state.portal._source = StaticResultsSource([HISF], {"216": SourceAnswer("216", Outcome.IMPORTED.value, "",
                                                                                [RES_100])})
    key = ECKey.generate_key("P-256")
    with app.state.web.db.session() as db:
        clients.add_client(db, client_id="demo-emrex2", name="Demo Rekruttering AS", kind="emrex2", urls=[REDIRECT],
                           contact_email="personvern@demo-rekruttering.no", now=datetime.now(UTC), actor="test",
                           production=False, jwks={"keys": [{**key.as_dict(private=False), "kid": key.thumbprint()}]})
    oauth = OAuth2Client("demo-emrex2", redirect_uri=REDIRECT, scope="results", code_challenge_method="S256")
    url, state = oauth.create_authorization_url(f"{server.url}/emrex/oauth2/authorize", code_verifier="c" * 50)
    page.route("http://localhost:9999/**", lambda route: route.fulfill(status=200, body="the client's callback"))
    page.goto(f"/?lang={lang}")  # the language is chosen before the login, as a visitor does on the front page
    page.goto(url)
    page.get_by_role("link", name=login["provider"]).click()
    page.wait_for_url(re.compile(r"/test-idp/authorize"))
    page.get_by_label(login["pid"]).fill(TESTPERSON1)
    page.get_by_role("button", name=login["login"], exact=True).click()
    page.wait_for_url(re.compile(r"/emrex/oauth2/authorize"))
    page.wait_for_function("() => !document.querySelector('#fetch-progress[data-pending]:not([data-pending=\"0\"])')")
    assert page.get_by_role("heading", level=1).inner_text() == t["title"]
    main = page.inner_text("main")
    assert "personvern@demo-rekruttering.no" in main and "RES-100" in main
    check(f"emrex2-consent-{lang}")
    page.get_by_label("RES-100").check()
    page.get_by_role("button", name=t["send"]).click()
    page.wait_for_url(re.compile(r"^http://localhost:9999/emrex/callback\?"))
    back = parse_qs(urlsplit(page.url).query)
    assert back["state"] == [state] and back["code"]
    with app.state.web.db.read_session() as db:
        grant = db.scalars(select(Emrex2Grant).order_by(Emrex2Grant.id.desc())).first()
        assert grant is not None and [r["course_code"] for i in grant.snapshot for r in i["results"]] == ["RES-100"]
        ref_id = grant.ref_id
    page.goto(f"{server.url}/emrex/consents?lang={lang}")
    main = page.inner_text("main")
    assert page.get_by_role("heading", level=1).inner_text() == t["consents"]
    assert f"{t['reference']}: {ref_id}" in main and "Demo Rekruttering AS" in main and "RES-100" in main
    check(f"emrex2-consents-{lang}")
