"""The page foundation: languages, error pages, static files, sessions, CSRF and rate limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from babel.messages.pofile import read_po
from fastapi import Form, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from vitnemal import ratelimit
from vitnemal.web import i18n
from vitnemal.web.context import ensure_session
from vitnemal.web.routing import page_router, safe_next
from vitnemal.web.sessions import COOKIE, SessionStore


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, html[:500]
    return " ".join(match.group(1).split())


@pytest.mark.parametrize(("lang", "heading"), [("nb", "Resultatene dine, trygt delt"),
                                               ("nn", "Resultata dine, trygt delte"),
                                               ("en", "Your results, shared safely")])
def test_front_page_in_each_language_and_remembered(client: TestClient, lang: str, heading: str) -> None:
    page = client.get(f"/?lang={lang}")
    assert page.status_code == 200
    assert f'<html lang="{lang}"' in page.text and _h1(page.text) == heading
    # The choice is remembered: the next page without ?lang= comes in the same language.
    assert f'<html lang="{lang}"' in client.get("/accessibility").text


def test_browser_language_is_the_default_and_bokmal_the_fallback(client: TestClient) -> None:
    assert '<html lang="nn"' in client.get("/", headers={"accept-language": "nn-NO,en;q=0.5"}).text
    assert '<html lang="en"' in client.get("/", headers={"accept-language": "de,en-GB;q=0.8,nb;q=0.2"}).text
    assert '<html lang="nb"' in client.get("/", headers={"accept-language": "de-DE"}).text
    assert '<html lang="nb"' in client.get("/?lang=xx").text


def test_accept_language_parsing_is_bounded_and_forgiving() -> None:
    assert i18n.from_accept_language("no;q=0.9, en;q=0.8") == "nb"
    assert i18n.from_accept_language("en;q=bogus, nn") == "nn"
    assert i18n.from_accept_language("fr," * 10_000 + "en") is None


def test_every_page_text_is_translated_to_bokmal_and_nynorsk() -> None:
    for lang in ("nb", "nn"):
        with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        untranslated = [m.id for m in catalog if m.id and not m.string]
        assert untranslated == [], f"{lang} lacks translations: {untranslated}"
        # Placeholders must survive translation, or the page crashes in that language only.
        for message in catalog:
            if message.id and message.string:
                assert set(re.findall(r"%\(\w+\)s", str(message.id))) == set(re.findall(r"%\(\w+\)s",
                                                                                         str(message.string)))


def test_oslo_time_in_the_page_language() -> None:
    moment = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)  # 00:30 on 1 July in Oslo (summer time)
    assert i18n.oslo_date(moment, "nb") == "1. juli 2026"
    assert i18n.oslo_date(moment, "en") == "July 1, 2026"
    assert "00:30" in i18n.oslo_datetime(moment, "nn")
    with pytest.raises(ValueError):
        i18n.oslo_date(datetime(2026, 1, 1), "nb")


@pytest.mark.parametrize(("lang", "text"), [("nb", "Vi fant ikke siden"), ("en", "We could not find that page")])
def test_not_found_is_a_page_in_the_language(client: TestClient, lang: str, text: str) -> None:
    page = client.get(f"/no-such-page?lang={lang}")
    assert page.status_code == 404 and _h1(page.text) == text


def test_machine_paths_keep_json_errors(client: TestClient) -> None:
    answer = client.get("/api/no-such-thing")
    assert answer.status_code == 404 and answer.json() == {"detail": "Not Found"}


def test_vendored_styles_are_served_with_caching_headers(client: TestClient) -> None:
    page = client.get("/").text
    css = re.findall(r'href="(/static/[^"]+)"', page)
    assert any("designsystemet" in url for url in css)
    for url in css:
        answer = client.get(url)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "etag" in answer.headers
    assert client.get("/static/designsystemet/LICENSE").status_code == 200


def test_login_required_pages_send_the_visitor_to_log_in(client: TestClient) -> None:
    answer = client.get("/my-results", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/auth/login?next=/my-results"


def test_only_local_paths_are_returned_to_after_login() -> None:
    assert safe_next("/my-results") == "/my-results"
    for hostile in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "", None, "/" + "a" * 600):
        assert safe_next(hostile) == "/"


@pytest.fixture
def form_client(page_app) -> TestClient:
    router = page_router()

    @router.get("/test-form")
    def show(request: Request) -> PlainTextResponse:
        from vitnemal.web.csrf import csrf_token

        return PlainTextResponse(csrf_token(request))

    @router.post("/test-form")
    def send(request: Request, word: str = Form(...)) -> PlainTextResponse:
        return PlainTextResponse(f"got {word}")

    page_app.include_router(router)
    with TestClient(page_app) as c:
        yield c


def test_csrf_token_is_required_and_bound_to_the_session(form_client: TestClient) -> None:
    token = form_client.get("/test-form").text
    cookie = form_client.cookies[COOKIE]
    assert form_client.post("/test-form", data={"word": "hi", "csrf_token": token}).text == "got hi"
    assert form_client.post("/test-form", data={"word": "hi", "csrf_token": token[:-2] + "xx"}).status_code == 403
    refused = form_client.post("/test-form", data={"word": "hi"})
    assert refused.status_code == 403 and "Skjemaet var utløpt" in refused.text
    # The header works too (for the few scripts); another session's token does not.
    assert form_client.post("/test-form", data={"word": "x"}, headers={"X-CSRF-Token": token}).status_code == 200
    other = TestClient(form_client.app)
    other.get("/test-form")
    assert other.post("/test-form", data={"word": "hi", "csrf_token": token}).status_code == 403
    # Without any session the token alone is worthless.
    form_client.cookies.clear()
    assert form_client.post("/test-form", data={"word": "hi", "csrf_token": token}).status_code == 403
    form_client.cookies.set(COOKIE, cookie)
    assert form_client.post("/test-form", data={"word": "hi", "csrf_token": token}).status_code == 200


def test_session_cookie_flags(form_client: TestClient) -> None:
    answer = form_client.get("/test-form")
    header = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE))
    assert "HttpOnly" in header and "SameSite=lax" in header and "Max-Age" not in header
    assert "Secure" not in header  # plain http in this test; https public URLs get Secure (below)


def test_sessions_end_after_the_idle_timeout_and_forged_cookies_fail(page_app) -> None:
    store: SessionStore = page_app.state.web.sessions
    db = page_app.state.web.db
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with db.session() as s:
        session = store.create(s, start, {"pid": "01536112185"})
    cookie = session.cookie
    with db.session() as s:
        assert store.load(s, cookie, start + timedelta(minutes=29)) is not None
        store.touch(s, session, start + timedelta(minutes=29))
    with db.session() as s:
        # Each request restarts the idle clock: 29 + 29 minutes is fine, 30 idle minutes after that is not.
        assert store.load(s, cookie, start + timedelta(minutes=58)) is not None
        assert store.load(s, cookie, start + timedelta(minutes=29, seconds=1801)) is None
        assert store.load(s, cookie.replace(".", "x."), start) is None
        assert store.load(s, cookie[:-3] + "abc", start) is None
        # Many at once (a batch of share pages), each as load says, in the order asked.
        other = store.create(s, start + timedelta(minutes=58), {})
        found = store.load_many(s, [None, cookie, "forged.x", other.cookie, cookie], start + timedelta(minutes=58))
        assert [f.sid if f else None for f in found] == [None, session.sid, None, other.sid, session.sid]
        assert found[1] is not None and found[1].data == {"pid": "01536112185"}
        assert store.purge(s, start + timedelta(hours=2)) == 2


def test_secure_cookies_behind_tls(web_settings, db_url) -> None:
    from dataclasses import replace

    from fastapi import FastAPI

    from vitnemal.web.context import Web
    from vitnemal.web.pages import add_pages

    settings = replace(web_settings, public_url="https://portal.example")
    app = FastAPI()
    add_pages(app, settings, Web.open(settings, db_url))

    @app.get("/make-session")
    def make(request: Request) -> PlainTextResponse:
        ensure_session(request)
        return PlainTextResponse("ok")

    with TestClient(app, base_url="https://testserver") as c:
        header = c.get("/make-session").headers["set-cookie"]
    assert "Secure" in header and "HttpOnly" in header


def test_rate_limit_counts_per_key_and_window(db_url) -> None:
    from vitnemal.db import Database

    db = Database(db_url)
    limit = ratelimit.Limit(count=3, window_s=60)
    now = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    with db.session() as s:
        decisions = [ratelimit.hit(s, "login:10.0.0.1", limit, now) for _ in range(4)]
        other = ratelimit.hit(s, "login:10.0.0.2", limit, now)
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after_s == 55 and other.allowed
    with db.session() as s:
        assert ratelimit.hit(s, "login:10.0.0.1", limit, now + timedelta(seconds=60)).allowed
        assert ratelimit.purge(s, now + timedelta(seconds=60)) == 2
    with db.session() as s, pytest.raises(ValueError):
        ratelimit.hit(s, "x" * 201, limit, now)
    db.dispose()


def test_a_crash_is_a_500_page_in_the_language_and_api_crashes_stay_plain(page_app) -> None:
    @page_app.get("/crash")
    def crash() -> None:
        raise RuntimeError("boom")

    @page_app.get("/api/crash")
    def api_crash() -> None:
        raise RuntimeError("boom")

    with TestClient(page_app, raise_server_exceptions=False) as c:
        page = c.get("/crash?lang=nn")
        assert page.status_code == 500 and _h1(page.text) == "Noko gjekk gale hos oss"
        assert "boom" not in page.text
        api = c.get("/api/crash")
        assert api.status_code == 500 and api.text == "Internal Server Error"


def test_feide_is_offered_by_the_same_code_where_configured(web_settings, db_url) -> None:
    from dataclasses import replace

    from fastapi import FastAPI

    from vitnemal.web.context import Web
    from vitnemal.web.pages import add_pages

    settings = replace(web_settings, feide_issuer="https://auth.dataporten.no", feide_client_id="f",
                       feide_client_secret="s")
    app = FastAPI()
    add_pages(app, settings, Web.open(settings, db_url))
    with TestClient(app) as c:
        page = c.get("/auth/login?lang=en").text
    assert "Log in with ID-porten (TestID)" in page and "Log in with Feide" in page
    assert 'href="/auth/start/feide?next=/my-results"' in page
