"""In a real browser, the verification page: drop a signed diploma and read the verdict, then a copy with one
changed byte; follow the QR code's address of a recorded diploma and of an unknown id; axe-core on every page."""

from __future__ import annotations

import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vitnemal.diplomas.models import IssuedDocument
from vitnemal.diplomas.signers import local_signer_spec, make_signer

pytestmark = pytest.mark.xdist_group("browser")
TEXTS = {
    "nb": {"file": "PDF-fil som skal kontrolleres", "check": "Kontroller dokumentet", "genuine": "Ekte",
           "modified": "Endret eller ikke intakt", "valid": "Gyldig", "unknown": "Ingen dokumenter med denne ID-en"},
    "en": {"file": "PDF file to check", "check": "Check the document", "genuine": "Genuine",
           "modified": "Modified or not intact", "valid": "Valid", "unknown": "No document with this id"},
}


def _recorded_diploma(app, tmp_path: Path) -> tuple[str, Path, Path]:  # type: ignore[no-untyped-def]
    import typst

    settings = app.state.host.settings
    document_id = str(uuid.uuid4())
    unsigned = typst.compile(b"= Vitnem\xc3\xa5l", format="pdf", pdf_standards="a-3b")
    signer = make_signer(local_signer_spec(settings, "216"))
    # pyHanko signs with asyncio.run, and Playwright's event loop runs in this thread: sign in another one.
    with ThreadPoolExecutor(1) as thread:
        pdf = thread.submit(signer.sign, unsigned,
                            contact_info=f"{settings.public_url}/verify/{document_id}").result()
    with app.state.host.db("216").session() as s:
        s.add(IssuedDocument(
            document_id=document_id, institution_code="216", kind="diploma_set", lang="nb",
            sha256=hashlib.sha256(pdf).hexdigest(), size_bytes=len(pdf), signer_subject=signer.signer_subject,
            storage_path=f"documents/216/{document_id}.pdf", issued_at=datetime(2026, 6, 20, tzinfo=UTC),
            issued_by="test"))
    genuine, changed = tmp_path / "vitnemal.pdf", tmp_path / "endret.pdf"
    genuine.write_bytes(pdf)
    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 1
    changed.write_bytes(bytes(altered))
    return document_id, genuine, changed


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_verify_a_diploma_and_a_changed_copy(site, page, check, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    app, _server = site
    t = TEXTS[lang]
    document_id, genuine, changed = _recorded_diploma(app, tmp_path)
    page.goto(f"/verify?lang={lang}")
    check(f"verify-empty-{lang}")
    page.get_by_label(t["file"]).set_input_files(str(genuine))
    page.get_by_role("button", name=t["check"]).click()
    page.get_by_role("heading", name=t["genuine"]).wait_for()
    shown = page.inner_text("main")
    assert "Høgskulen i Sogn og Fjordane" in shown and document_id in shown
    check(f"verify-genuine-{lang}")
    page.get_by_label(t["file"]).set_input_files(str(changed))
    page.get_by_role("button", name=t["check"]).click()
    page.get_by_role("heading", name=t["modified"]).wait_for()
    check(f"verify-modified-{lang}")
    page.goto(f"/verify/{document_id}?lang={lang}")
    assert t["valid"] in page.inner_text("main")
    check(f"verify-record-{lang}")
    page.goto(f"/verify/{uuid.uuid4()}?lang={lang}")
    assert t["unknown"] in page.inner_text("main")
    check(f"verify-unknown-{lang}")


def test_verify_a_shared_pdf_while_its_share_is_active_and_after_it_ended(site, page, check,  # type: ignore[no-untyped-def]
                                                                          tmp_path: Path) -> None:
    from tests.functional.portal.conftest import HISF, INSTITUTIONS, OWNER, fetch_now

    from vitnemal.portal import shares
    from vitnemal.portal.mail import MemoryMailer
    from vitnemal.portal.pdf import SharePdfMaker
    from vitnemal.portal.rules import Selection
    from vitnemal.portal.shares import ShareRequest
    from vitnemal.portal.source import StaticResultsSource

    app, _server = site
    portal = app.state.portal
    settings = portal.settings

    def make_share() -> tuple[str, bytes]:  # in a thread: pyHanko and the fetch use asyncio.run
        fetch_id = fetch_now(portal.db, StaticResultsSource(INSTITUTIONS, {"216": HISF}))
        with portal.db.session() as s:
            [created] = shares.create_shares(
                s, owner=OWNER, fetch_id=fetch_id, now=datetime.now(UTC), public_url=settings.public_url,
                request=ShareRequest(Selection(qualifications=frozenset({("216", "BA")})), ["hr@example.no"], "nb"),
                pdf_maker=SharePdfMaker(settings), mailer=MemoryMailer())
            return created.share.public_id, created.share.pdf or b""

    with ThreadPoolExecutor(1) as thread:
        public_id, pdf = thread.submit(make_share).result()
    shared = tmp_path / "delt.pdf"
    shared.write_bytes(pdf)
    page.goto("/verify?lang=nb")
    page.get_by_label(TEXTS["nb"]["file"]).set_input_files(str(shared))
    page.get_by_role("button", name=TEXTS["nb"]["check"]).click()
    page.get_by_role("heading", name="Ekte").wait_for()
    assert "Delingen bak denne PDF-en er aktiv til" in page.inner_text("main")
    check("verify-share-active-nb")
    with portal.db.session() as s:
        assert shares.end_share(s, owner_id=OWNER.national_id, public_id=public_id, now=datetime.now(UTC))
    page.get_by_label(TEXTS["nb"]["file"]).set_input_files(str(shared))
    page.get_by_role("button", name=TEXTS["nb"]["check"]).click()
    page.get_by_text("Eieren avsluttet delingen bak denne PDF-en").wait_for()
    check("verify-share-ended-nb")
    page.goto(f"/verify/{public_id}?lang=en")
    assert "The owner ended the share behind this PDF" in page.inner_text("main")
    check("verify-share-record-en")
