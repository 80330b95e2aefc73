"""In a real browser, a case worker imports an ELMO file from the Person eksternstudium page: the form (one file
field, the box for an unsigned file), the page that says what was imported, the person's page with the new
record, and a refused file said in words; axe-core on each page and a screenshot of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from tests.browser.conftest import _check_page
from tests.factories import add_person
from tests.functional.interop.test_elmo_signature import Signer, elmo
from tests.staff_helpers import StaffSite, staff_site

from vitnemal.identity.models import Person

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture
def elmo_site(tmp_path, sqlite_template) -> Iterator[tuple[StaffSite, Signer]]:  # type: ignore[no-untyped-def]
    with staff_site(tmp_path / "fed", sqlite_template, ("185", "216")) as s:
        with s.db("185").session() as session:
            add_person(session, "01019012345", "Ola", "Nordmann", date(1990, 1, 1))
        signer = Signer(tmp_path / "ca")
        (Path(s.fed.settings.home) / "elmo-trusted.pem").write_bytes(
            signer.certificate.public_bytes(serialization.Encoding.PEM))
        yield s, signer


def test_a_case_worker_imports_an_elmo_file_in_the_browser(browser, elmo_site, shots, tmp_path) -> None:  # type: ignore[no-untyped-def]
    site, signer = elmo_site
    with site.db("185").read_session() as s:
        person_id = s.scalar(select(Person.id).where(Person.national_id == "01019012345"))
    good, bad = tmp_path / "ola.xml", tmp_path / "changed.xml"
    signed = signer.sign(elmo())
    good.write_bytes(signed)
    bad.write_bytes(signed.replace(b"<resultLabel>B</resultLabel>", b"<resultLabel>A</resultLabel>", 1))
    context = browser.new_context(base_url=site.url, locale="nb-NO")
    page = context.new_page()
    path = f"/institutions/185/people/{person_id}/external"
    page.goto(f"/staff/login?next={path}")
    page.get_by_role("link", name=re.compile("Feide")).click()
    page.get_by_label("Brukernavn").fill("saksbehandler@uio.no")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(path + "$"))
    _check_page(page, shots, "elmo-form")
    page.get_by_label("ELMO-fil").set_input_files(str(bad))
    page.get_by_role("button", name="Importer filen").click()
    page.get_by_role("heading", name="Ingenting er importert").wait_for()
    assert "Signaturen holder ikke" in page.inner_text("main")
    _check_page(page, shots, "elmo-refused")
    page.get_by_role("link", name="Se eksternstudiet").click()
    page.get_by_label("ELMO-fil").set_input_files(str(good))
    page.get_by_role("button", name="Importer filen").click()
    page.get_by_role("heading", name="Filen er importert").wait_for()
    assert "Høgskulen i Sogn og Fjordane: 2 resultater, 1 kvalifikasjon" in page.inner_text("main")
    _check_page(page, shots, "elmo-imported")
    page.get_by_role("link", name="Se eksternstudiet").click()
    page.get_by_role("heading", name=re.compile("Høgskulen i Sogn og Fjordane")).wait_for()
    main = page.inner_text("main")
    assert "RES-100" in main and "Universitetet i Oslo" in main
    assert "Fra en ELMO-fil signert av CN=Vitnemålsportalen" in main
    page.get_by_text("Karakterskalaer i denne posten").first.click()
    page.get_by_text(re.compile("Graded scale A–E")).first.wait_for(state="visible")
    _check_page(page, shots, "elmo-external")
    context.close()
