"""In a real browser, the diploma officer: who is due, a candidate's set rendered in the page before issuing, issue
it, see it among the issued documents, revoke it with the reason, and issue the rest of the faculty in bulk with
its progress; axe-core on each page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from tests.browser.conftest import _check_page
from tests.case_helpers import FACULTY, seed_graduates
from tests.staff_helpers import StaffSite, staff_site

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture
def diplomas_site(tmp_path, sqlite_template) -> Iterator[StaffSite]:
    with staff_site(tmp_path / "fed", sqlite_template) as s:
        seed_graduates(s.db("185"))
        yield s


def test_preview_issue_revoke_and_bulk(browser, diplomas_site, shots) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=diplomas_site.url, locale="nb-NO")
    page = context.new_page()
    page.goto("/staff/login?next=/institutions/185/diplomas")
    page.get_by_role("link", name=re.compile("Feide")).click()
    page.get_by_label("Brukernavn").fill("vitnemal@uio.no")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r"/institutions/185/diplomas$"))
    assert "Kandidat0 Nordmann" in page.inner_text("main")
    _check_page(page, shots, "diplomas")

    page.get_by_role("link", name="Kandidat0 Nordmann").click()
    page.wait_for_url(re.compile(r"/diplomas/candidates/\d+$"))
    frame = page.locator("iframe.case-preview")
    assert frame.count() == 1
    page.wait_for_timeout(500)  # let the framed PDF paint for the screenshot (nothing is asserted on it)
    _check_page(page, shots, "diploma-candidate")
    page.get_by_role("button", name="Utsted vitnemålet").click()
    page.wait_for_url(re.compile(r"/diplomas/candidates/\d+#documents$"))
    assert "Gyldig" in page.inner_text("#documents")
    page.get_by_placeholder("Begrunnelse").fill("Feil karakter i HIS1")
    page.get_by_role("button", name="Tilbakekall").click()
    page.wait_for_url(re.compile(r"#documents$"))
    documents = page.inner_text("#documents")
    assert "Tilbakekalt" in documents and "Feil karakter i HIS1" in documents
    _check_page(page, shots, "diploma-revoked")

    page.goto("/institutions/185/diplomas")
    page.locator("#bulk-faculty").select_option(FACULTY)
    page.get_by_role("button", name="Utsted alle vitnemål fakultetet har til gode").click()
    page.wait_for_url(re.compile(r"/diplomas\?.*since="))
    page.wait_for_function("() => !document.getElementById('bulk-finished').hidden", timeout=120000)
    assert page.locator("#bulk-done").inner_text() == "2"  # the two still due; the first was issued above
    _check_page(page, shots, "diplomas-bulk-done")
    context.close()
