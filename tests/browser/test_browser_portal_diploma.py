"""In a real browser, the institution-signed diploma from a share (issue 9), on a real node over the signed
protocol: a graduate of 185 with a diploma set issued in bokmål and English logs in, ticks "also share the diploma",
shares; the recipient opens the share, downloads "Last ned vitnemålet fra Universitetet i Oslo", and the verify page
says the download is genuine and signed by that institution; the owner's log shows the download. axe-core on every
page, and a screenshot of each."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from tests.browser.conftest import SECRET, _check_page
from tests.case_helpers import GRADUATES, seed_graduates
from tests.factories import make_federation
from tests.functional.portal.test_portal_diplomas import issue_diplomas

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.web.app import create_app

pytestmark = pytest.mark.xdist_group("browser")
OWNER = GRADUATES[0]


@pytest.fixture
def diploma_site(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[FastAPI, BackgroundServer,
                                                                          dict[str, IssuedDocument]]]:
    port = free_port()
    fed = make_federation(tmp_path / "fed", ["185"], f"http://127.0.0.1:{port}", template=sqlite_template,
                          portal=True)
    settings = replace(fed.settings, secret_key=SECRET)
    shutil.copyfile(sqlite_template, settings.url_for("portal").removeprefix("sqlite:///"))
    seed_graduates(fed.db("185"))
    # pyHanko signs with asyncio.run, and Playwright's event loop runs in this thread: issue in another one.
    with ThreadPoolExecutor(1) as thread:
        docs = thread.submit(issue_diplomas, fed, OWNER).result()
    app = create_app(settings)
    with BackgroundServer(app, port=port) as server:
        yield app, server, docs


def test_the_recipient_downloads_the_institutions_diploma_and_it_verifies(  # type: ignore[no-untyped-def]
        browser, diploma_site, shots, tmp_path: Path) -> None:
    _app, server, docs = diploma_site
    owner = browser.new_context(base_url=server.url, locale="nb-NO").new_page()
    owner.goto("/?lang=nb")
    owner.get_by_role("link", name="Logg inn", exact=True).click()
    owner.get_by_role("link", name="Logg inn med ID-porten (TestID)").click()
    owner.get_by_label("Fødselsnummer (11 siffer)").fill(OWNER)
    owner.get_by_role("button", name="Logg inn", exact=True).click()
    owner.wait_for_url(re.compile(r"/my-results$"))
    owner.wait_for_function("() => !document.querySelector('#fetch-progress[data-pending]:not([data-pending=\"0\"])')")
    owner.get_by_label("Del også vitnemålet utstedt og signert av Universitetet i Oslo").wait_for()
    _check_page(owner, shots, "portal-diploma-my-results")
    owner.get_by_label("Del også vitnemålet utstedt og signert av Universitetet i Oslo").check()
    owner.get_by_label("Mottakerens e-postadresse").fill("opptak@example.no")
    owner.get_by_role("button", name="Del", exact=True).click()
    owner.wait_for_url(re.compile(r"/shares\?created=1"))
    assert "Vitnemålet utstedt av Universitetet i Oslo (bokmål)" in owner.inner_text("main")
    _check_page(owner, shots, "portal-diploma-shares")

    outbox = httpx.get(f"{server.url}/demo/outbox.json").json()
    link = next(m["link"] for m in reversed(outbox) if m["link"])
    code = next(m["code"] for m in reversed(outbox) if m["code"])
    recipient = browser.new_context(base_url=server.url, locale="nb-NO", accept_downloads=True).new_page()
    recipient.goto(f"{link}?lang=nb")
    recipient.get_by_label("Tilgangskode").fill(code)
    recipient.get_by_role("button", name="Åpne", exact=True).click()
    link_nb = recipient.get_by_role("link", name="Last ned vitnemålet fra Universitetet i Oslo (bokmål)")
    link_nb.wait_for()
    assert recipient.get_by_role("link", name="Last ned vitnemålet fra Universitetet i Oslo (engelsk)").count() == 1
    _check_page(recipient, shots, "portal-diploma-recipient")
    with recipient.expect_download() as download:
        link_nb.click()
    saved = tmp_path / "vitnemal.pdf"
    download.value.save_as(saved)
    # Byte for byte the document the institution issued.
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == docs["nb"].sha256

    recipient.goto("/verify?lang=nb")
    recipient.get_by_label("PDF-fil som skal kontrolleres").set_input_files(str(saved))
    recipient.get_by_role("button", name="Kontroller dokumentet").click()
    recipient.get_by_role("heading", name="Ekte").wait_for()
    verdict = recipient.inner_text("main")
    assert "Universitetet i Oslo" in verdict and docs["nb"].document_id in verdict
    _check_page(recipient, shots, "portal-diploma-verified")

    owner.goto("/shares?lang=nb")
    assert "Lastet ned vitnemålet fra institusjonen" in owner.inner_text("main")
    # Only the browser that gave the code gets the document; and nobody once the owner ends the share.
    diploma_path = f"{link.removeprefix(server.url)}/diploma/1"
    assert httpx.get(f"{server.url}{diploma_path}").status_code == 404
    assert recipient.request.get(diploma_path).status == 200
    owner.get_by_role("button", name="Avslutt deling").click()
    owner.wait_for_url(re.compile(r"/shares\?ended=1"))
    assert recipient.request.get(diploma_path).status == 404
    recipient.context.close()
    owner.context.close()
