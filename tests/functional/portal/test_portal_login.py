"""The owner's fetch starts in the login's callback (``Web.after_login``), before the browser asks for the page:
over real HTTP against the built-in test provider."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from tests.functional.portal.conftest import HINT, HISF, INSTITUTIONS

from vitnemal.config import Settings
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.portal.models import OwnerFetch
from vitnemal.portal.source import StaticResultsSource
from vitnemal.web.context import Web
from vitnemal.web.pages import add_pages

SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
TESTPERSON1 = "01536112185"


@pytest.fixture
def served(tmp_path, db_url):
    port = free_port()
    settings = replace(Settings(), home=tmp_path / "home", secret_key=SECRET, public_url=f"http://127.0.0.1:{port}")
    app = FastAPI()
    add_pages(app, settings, Web.open(settings, db_url))
    source = StaticResultsSource(INSTITUTIONS, {"216": HISF, "214": HINT}, delay_s=0.3)
    app.state.portal._source = source
    with BackgroundServer(app, port=port) as server:
        yield app, server, source


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in {html[:300]}"
    return match.group(1)


def _called_back(client: httpx.Client, next_path: str) -> httpx.Response:
    """Log in as Testperson1 and return the callback's answer (its redirect not followed)."""
    idp = client.get(f"/auth/start/idporten?next={next_path}", follow_redirects=True)
    sent = client.post("/test-idp/authorize", data={
        "csrf_token": _field(idp.text, "csrf_token"), "request": _field(idp.text, "request"), "pid": TESTPERSON1,
        "acr": "idporten-loa-substantial", "action": "login"})
    assert sent.status_code == 303 and "/auth/callback" in sent.headers["location"]
    answer = client.get(sent.headers["location"])
    assert answer.status_code == 303, answer.text[:300]
    return answer


def _fetches(app: FastAPI) -> list[int]:
    with app.state.web.db.read_session() as db:
        return list(db.scalars(select(OwnerFetch.id).where(OwnerFetch.owner_id == TESTPERSON1)))


def test_the_institutions_are_asked_before_the_page_is(served) -> None:
    app, server, source = served
    with httpx.Client(base_url=server.url) as client:
        called_back = _called_back(client, "/my-results")
        assert called_back.headers["location"] == "/my-results"
        started = _fetches(app)
        assert len(started) == 1  # the callback made the fetch
        deadline = time.monotonic() + 10
        while not source.asked and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sorted(set(source.asked)) == ["185", "214", "216"]  # asked with no page requested yet
        page = client.get("/my-results")
        assert page.status_code == 200
        assert _fetches(app) == started  # the page shows that fetch and starts no other


def test_a_login_that_goes_elsewhere_asks_no_institution(served) -> None:
    app, server, source = served
    with httpx.Client(base_url=server.url) as client:
        assert _called_back(client, "/shares").headers["location"] == "/shares"
        time.sleep(0.5)
        assert source.asked == [] and _fetches(app) == []
        assert client.get("/shares").status_code == 200
        assert _fetches(app) == []
