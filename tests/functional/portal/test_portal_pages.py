"""The portal's pages on the web foundation: my results while institutions answer, sharing, the recipient's link
and code, the PDF, the owner's log, ending; authorization on every route, CSRF, escaping, no-referrer."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from tests.functional.portal.conftest import HINT, HISF, INSTITUTIONS, OTHER, OWNER, result

from vitnemal.config import Settings
from vitnemal.exchange.outcomes import Outcome
from vitnemal.portal.mail import CODE_HEADER, LINK_HEADER, MemoryMailer
from vitnemal.portal.pdf import SharePdfMaker, portal_signer_files
from vitnemal.portal.source import SourceAnswer, StaticResultsSource
from vitnemal.signing.verify import check_pdf
from vitnemal.web import longpoll
from vitnemal.web.context import Web
from vitnemal.web.pages import add_pages
from vitnemal.web.sessions import COOKIE, utcnow

SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def app(tmp_path: Path, db_url: str) -> FastAPI:
    settings = replace(Settings(), home=tmp_path / "home", secret_key=SECRET, public_url="http://testserver")
    app = FastAPI()
    add_pages(app, settings, Web.open(settings, db_url))
    disclosures = [{"at": "2026-11-02T10:00:00+00:00", "requester": "214", "basis": "consent", "results_count": 3,
                    "qualifications_count": 1},
                   {"at": "2026-11-01T10:00:00+00:00", "requester": "so", "basis": "consent", "results_count": 0,
                    "qualifications_count": 0, "requester_name_nb": "Samordna opptak",
                    "requester_name_en": "Samordna opptak"}]
    hisf = SourceAnswer("216", Outcome.IMPORTED.value, "", [*HISF.results, result("XSS-1", name=HOSTILE)],
                        HISF.qualifications, disclosures=disclosures)
    portal = app.state.portal
    portal._source = StaticResultsSource(INSTITUTIONS, {"216": hisf, "214": HINT})
    portal._mailer = MemoryMailer()
    portal._pdf_maker = SharePdfMaker(settings)
    return app


@pytest.fixture
def owner(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        log_in(app, client, OWNER.national_id, OWNER.name)
        yield client


def log_in(app: FastAPI, client: TestClient, pid: str, name: str) -> None:
    w = app.state.web
    with w.db.session() as db:
        session = w.sessions.create(db, utcnow(), {"pid": pid, "name": name, "provider": "idporten"})
    client.cookies.set(COOKIE, session.cookie)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def fetched_page(client: TestClient) -> str:
    page = client.get("/my-results")
    assert page.status_code == 200
    deadline = time.monotonic() + 30
    while client.get("/my-results/progress.json").json()["pending"] and time.monotonic() < deadline:
        time.sleep(0.05)
    return client.get("/my-results").text


def share(client: TestClient, page: str, **form: str) -> str:
    fetch_id = re.search(r'name="fetch_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": csrf(page), "fetch_id": fetch_id, "q": "216:BA", "recipients": "hr@example.no",
            "valid_until": (datetime.now(UTC) + timedelta(days=10)).date().isoformat(), "language": "en", **form}
    response = client.post("/shares", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[:2000]
    return response.headers["location"]


def mails(app: FastAPI) -> tuple[str, str]:
    sent = app.state.portal._mailer.sent
    return dict(sent[-2].headers)[LINK_HEADER], dict(sent[-1].headers)[CODE_HEADER]


def test_my_results_show_what_arrived_and_name_the_silent_institution(app: FastAPI, owner: TestClient) -> None:
    page = fetched_page(owner)
    assert "Høgskulen i Sogn og Fjordane" in page and "RES-100" in page and "Bachelor i realfag" in page
    assert "Klarte ikke hente data" in page and "Universitetet i Oslo" in page
    # Who has fetched my results: Nord-Trøndelag asked Sogn og Fjordane on my consent.
    who = page[page.index("Hvem har hentet resultatene mine"):]
    assert "Høgskolen i Nord-Trøndelag" in who and "Ditt samtykke" in who and "3 resultater" in who
    assert "<td>Samordna opptak</td>" in who  # a requester that runs no node, by the registry's name
    # Institution-supplied text is escaped, never markup.
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    english = owner.get("/my-results?lang=en").text
    for label in ("Recipient's e-mail", "Valid until", "Language"):
        assert f">{label}</label>" in english
    assert 'type="date"' in english and all(f'<option value="{v}"' in english for v in ("nb", "nn", "en", "se"))
    assert owner.get("/portal/progress.js").headers["content-type"].startswith("text/javascript")


def test_the_page_is_told_the_moment_every_institution_has_answered(
        app: FastAPI, owner: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    app.state.portal._source.delay_s = 0.3  # every institution answers a while after the page is shown
    page = owner.get("/my-results").text
    assert 'data-pending="3" data-retrying="0"' in page
    # The page's script asks to be answered when the counts differ from the page's: once all three are in (two
    # answered, Oslo did not and is asked again in the background).
    state = owner.get("/my-results/progress.json", params={"wait": 1, "pending": 3, "retrying": 0}).json()
    assert state == {"pending": 0, "retrying": 1, "answered": 3}
    assert "RES-100" in owner.get("/my-results").text
    # Nothing new: the wait runs out (shortened here) and the page is told the counts as they stand.
    monkeypatch.setattr(longpoll, "MAX_WAIT_S", 0.2)
    assert owner.get("/my-results/progress.json", params={"wait": 1, "pending": 0, "retrying": 1}).json() == state
    # Hostile counts are refused, not waited on.
    assert owner.get("/my-results/progress.json", params={"wait": 1, "pending": -1}).status_code == 422


def test_the_progress_script_is_linked_by_its_version_and_cached(owner: TestClient) -> None:
    page = fetched_page(owner)
    (script,) = re.findall(r'<script src="(/portal/progress\.js\?v=[0-9a-f]{12})" defer>', page)
    linked = owner.get(script)
    assert linked.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "progress.json?wait=1" in linked.text
    assert owner.get("/portal/progress.js").headers["cache-control"] == "no-cache"  # other versions revalidate


def test_the_golden_path_share_open_download_log_end(app: FastAPI, owner: TestClient) -> None:
    page = fetched_page(owner)
    assert share(owner, page).startswith("/shares?created=1")
    link, code = mails(app)
    token_path = link.removeprefix("http://testserver")
    assert "hr@example.no" in owner.get("/shares").text
    with TestClient(app) as recipient:
        ask = recipient.get(token_path + "?lang=en")
        assert ask.status_code == 200 and ">Access code</label>" in ask.text
        assert ask.headers["referrer-policy"] == "no-referrer" and ask.headers["cache-control"] == "no-store"
        assert "RES-100" not in ask.text
        # Before the code, neither the PDF nor the results.
        assert recipient.get(token_path + "/pdf").status_code == 404
        wrong = recipient.post(token_path, data={"csrf_token": csrf(ask.text), "code": "AAAA-AAAA-AAAA"})
        assert wrong.status_code == 400
        shown = recipient.post(token_path, data={"csrf_token": csrf(ask.text), "code": code})
        assert shown.status_code == 200 and shown.headers["referrer-policy"] == "no-referrer"
        assert "Kari Nordmann" in shown.text and "1995" in shown.text and OWNER.national_id not in shown.text
        assert "Høgskulen i Sogn og Fjordane" in shown.text and "RES-100" in shown.text
        assert "ENG-2" not in shown.text  # not part of the shared qualification
        pdf = recipient.get(token_path + "/pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        settings = app.state.portal.settings
        assert check_pdf(pdf.content, [portal_signer_files(settings)[2]]).genuine
    log = owner.get("/shares?lang=en").text
    assert "Opened the results" in log and "Downloaded the PDF" in log and "Opened 2 times" in log
    public_id = re.search(r'action="/shares/([0-9a-f-]{36})/end"', log).group(1)  # type: ignore[union-attr]
    ended = owner.post(f"/shares/{public_id}/end", data={"csrf_token": csrf(log)})
    assert ended.status_code == 200 and "Avslutt deling" not in ended.text
    with TestClient(app) as late:
        refused = late.get(token_path)
        assert refused.status_code == 410 and "avsluttet" in refused.text


def test_authorization_on_every_route(app: FastAPI, owner: TestClient) -> None:
    page = fetched_page(owner)
    share(owner, page)
    link, code = mails(app)
    token_path = link.removeprefix("http://testserver")
    public_id = re.search(r'/shares/([0-9a-f-]{36})/end', owner.get("/shares").text).group(1)  # type: ignore[union-attr]
    with TestClient(app) as anonymous:
        for path in ("/my-results", "/shares", "/my-results/progress.json"):
            assert anonymous.get(path, follow_redirects=False).headers["location"].startswith("/auth/login")
        form = anonymous.get(token_path).text
        assert anonymous.post(f"/shares/{public_id}/end", data={"csrf_token": csrf(form)},
                              follow_redirects=False).status_code == 303  # to the login page, nothing ended
        assert anonymous.get(token_path + "/pdf").status_code == 404
    with TestClient(app) as other:
        log_in(app, other, OTHER.national_id, OTHER.name)
        their = other.get("/shares").text
        assert "hr@example.no" not in their
        assert other.post(f"/shares/{public_id}/end", data={"csrf_token": csrf(their)}).status_code == 404
        # Another owner cannot share from my fetch either.
        fetch_id = re.search(r'name="fetch_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
        their_page = fetched_page(other)
        refused = other.post("/shares", data={"csrf_token": csrf(their_page), "fetch_id": fetch_id, "q": "216:BA",
                                              "recipients": "x@example.no", "language": "nb"})
        assert refused.status_code == 400
    # A recipient who opened this share sees only this one.
    with TestClient(app) as recipient:
        ask = recipient.get(token_path).text
        assert recipient.post(token_path, data={"csrf_token": csrf(ask), "code": code}).status_code == 200
        assert recipient.get("/shares", follow_redirects=False).status_code == 303
    assert "hr@example.no" in owner.get("/shares").text


def test_forms_need_their_csrf_token(app: FastAPI, owner: TestClient) -> None:
    page = fetched_page(owner)
    fetch_id = re.search(r'name="fetch_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    refused = owner.post("/shares", data={"fetch_id": fetch_id, "q": "216:BA", "recipients": "hr@example.no"})
    assert refused.status_code == 403
    assert app.state.portal._mailer.sent == []


def test_a_bad_share_says_why_and_sends_nothing(app: FastAPI, owner: TestClient) -> None:
    page = fetched_page(owner)
    fetch_id = re.search(r'name="fetch_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    response = owner.post("/shares?lang=en", data={
        "csrf_token": csrf(page), "fetch_id": fetch_id, "q": "216:BA", "recipients": "hr@example.no",
        "valid_until": (datetime.now(UTC) + timedelta(days=500)).date().isoformat()})
    assert response.status_code == 400 and "at most one year" in response.text
    assert app.state.portal._mailer.sent == []


def test_wrong_codes_on_the_page_warn_then_lock(app: FastAPI, owner: TestClient) -> None:
    share(owner, fetched_page(owner))
    link, code = mails(app)
    token_path = link.removeprefix("http://testserver")
    with TestClient(app) as guesser:
        form = guesser.get(token_path + "?lang=en").text
        answers = [guesser.post(token_path, data={"csrf_token": csrf(form), "code": "WRONG"}) for _ in range(5)]
        assert [a.status_code for a in answers] == [400] * 5
        assert "2 attempts left" in answers[2].text and "attempts left" not in answers[0].text
        locked = guesser.post(token_path, data={"csrf_token": csrf(form), "code": code})
        assert locked.status_code == 429 and "Too many wrong access codes. Try again after" in locked.text
    assert "locked for an hour" in owner.get("/shares?lang=en").text


def test_an_owner_cannot_spend_the_portals_quota_or_send_mail_without_bound(
        app: FastAPI, owner: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from vitnemal import ratelimit
    from vitnemal.portal import routes

    # Every fetch asks every node as the portal (one requester to the nodes), every share sends mail.
    monkeypatch.setattr(routes, "FETCH_LIMIT", ratelimit.Limit(count=3, window_s=3600))
    monkeypatch.setattr(routes, "SHARE_LIMIT", ratelimit.Limit(count=2, window_s=86_400))
    page = fetched_page(owner)  # the first fetch
    for _ in range(2):
        again = owner.post("/my-results/fetch", data={"csrf_token": csrf(page)}, follow_redirects=False)
        assert again.status_code == 303
    refused = owner.post("/my-results/fetch?lang=en", data={"csrf_token": csrf(page)}, follow_redirects=False)
    assert refused.status_code == 429 and "many times in a short while" in refused.text
    with app.state.portal.db.read_session() as db:
        assert db.scalar(text("select count(*) from portal_fetches")) == 3
    page = fetched_page(owner)
    assert share(owner, page).startswith("/shares?created=1")
    assert share(owner, page).startswith("/shares?created=1")
    sent = len(app.state.portal._mailer.sent)
    fetch_id = re.search(r'name="fetch_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    third = owner.post("/shares?lang=en", data={
        "csrf_token": csrf(page), "fetch_id": fetch_id, "q": "216:BA", "recipients": "hr@example.no",
        "valid_until": (datetime.now(UTC) + timedelta(days=10)).date().isoformat()})
    assert third.status_code == 400 and "many shares today" in third.text
    assert len(app.state.portal._mailer.sent) == sent


def test_a_north_sami_share_is_shown_to_its_recipient_in_north_sami(app: FastAPI, owner: TestClient) -> None:
    share(owner, fetched_page(owner), language="se")
    link, code = mails(app)
    token_path = link.removeprefix("http://testserver")
    with TestClient(app) as recipient:
        ask = recipient.get(token_path)
        assert '<html lang="se"' in ask.text and ">Beassankoda</label>" in ask.text
        # A sentence the se catalogue does not have yet is in Bokmål, not English (review R33), and says so: it is
        # marked lang="nb" for screen readers, and the page tells that some texts are in bokmål.
        assert "Someone has shared" not in ask.text
        assert re.search(r'<p class="ds-paragraph"><span lang="nb">[^<]*tilgangskoden', ask.text)
        assert '<span lang="nb">Noen tekster på denne siden er ikke oversatt ennå og vises på bokmål.</span>' \
            in ask.text
        assert '<span lang="nb">Beassankoda' not in ask.text  # what the catalogue has is North Sami, unmarked
        wrong = recipient.post(token_path, data={"csrf_token": csrf(ask.text), "code": "AAAA-AAAA-AAAA"})
        assert wrong.status_code == 400 and '<html lang="se"' in wrong.text
        assert '<span lang="nb">Tilgangskoden er ikke riktig' in wrong.text
        shown = recipient.post(token_path, data={"csrf_token": csrf(ask.text), "code": code})
        assert '<html lang="se"' in shown.text and "Juogaduvvon bohtosat" in shown.text
        assert "Riegádanbeaivi" in shown.text and "RES-100" in shown.text
        assert '<span lang="no">Bachelor i realfag</span>' in shown.text  # the institution's own (Norwegian) name
        english = recipient.get(token_path + "?lang=en")  # the recipient may still pick a page language
        assert '<html lang="en"' in english.text and "Shared results" in english.text
        assert 'span lang=' not in english.text and "not translated yet" not in english.text


def test_a_page_shown_again_is_logged_each_time_and_refused_once_the_share_ends(app: FastAPI,
                                                                                owner: TestClient) -> None:
    share(owner, fetched_page(owner))
    link, code = mails(app)
    token_path = link.removeprefix("http://testserver")
    with TestClient(app) as recipient, TestClient(app) as other_owner:
        ask = recipient.get(token_path).text
        first = recipient.post(token_path, data={"csrf_token": csrf(ask), "code": code})
        again = [recipient.get(token_path) for _ in range(3)]  # the page kept from the first view
        assert {a.text for a in again} == {first.text} and "RES-100" in first.text
        assert all(a.headers["referrer-policy"] == "no-referrer" for a in again)
        # A logged-in visitor gets their own account menu, and the recipient never gets theirs.
        log_in(app, other_owner, OTHER.national_id, OTHER.name)
        form = other_owner.get(token_path).text
        theirs = other_owner.post(token_path, data={"csrf_token": csrf(form), "code": code}).text
        assert "/auth/logout" in theirs and "RES-100" in theirs
        assert "/auth/logout" not in recipient.get(token_path).text
        log = owner.get("/shares?lang=en").text
        assert "Opened 6 times" in log
        public_id = re.search(r'action="/shares/([0-9a-f-]{36})/end"', log).group(1)  # type: ignore[union-attr]
        assert owner.post(f"/shares/{public_id}/end", data={"csrf_token": csrf(log)}).status_code == 200
        refused = recipient.get(token_path)
        assert refused.status_code == 410 and "RES-100" not in refused.text and "avsluttet" in refused.text
    assert "Opened 6 times" in owner.get("/shares?lang=en").text  # the refused one is no view
