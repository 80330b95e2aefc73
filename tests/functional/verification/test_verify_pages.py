"""``/verify`` for people and machines: a page with a plain verdict for browsers, the same JSON as before for API
clients; a portal share PDF with the state of its share, a diploma, a school certificate, a changed byte, an
unknown signer; ``GET /verify/{id}`` for every kind of document."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.functional.portal.conftest import OWNER, fetch_now
from typer.testing import CliRunner

from vitnemal.audit.models import AuditEvent
from vitnemal.cli import app as cli
from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.demo.schools import register_demo_schools
from vitnemal.devtools.federation import build_federation
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.diplomas.signers import local_signer_spec, make_signer
from vitnemal.portal import events, shares
from vitnemal.portal.mail import MemoryMailer
from vitnemal.portal.pdf import SharePdfMaker
from vitnemal.portal.rules import Selection
from vitnemal.portal.shares import ShareRequest
from vitnemal.portal.source import StaticResultsSource
from vitnemal.signing.verify import check_pdf
from vitnemal.web.app import create_app

SECRET = "verify-page-secret-0123456789-abcdefghijk"
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PUPILS = Path(__file__).resolve().parents[3] / "examples" / "school" / "pupils.json"


@dataclass
class Documents:
    settings: Settings
    diploma_id: str
    diploma: bytes
    share_id: str
    share_pdf: bytes
    certificate_id: str
    certificate: bytes
    stranger: bytes


def _diploma(settings: Settings, contact: str | None = None) -> bytes:
    import typst

    unsigned = typst.compile(b"= Vitnem\xc3\xa5l", format="pdf", pdf_standards="a-3b")
    return make_signer(local_signer_spec(settings, "185")).sign(unsigned, contact_info=contact)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Documents:
    home = tmp_path_factory.mktemp("verify-pages")
    fed = build_federation(home / "fed", ["185"], "http://testserver", template=sqlite_template)
    settings = replace(fed.settings, secret_key=SECRET, verify_uploads_per_hour=1000)
    shutil.copyfile(sqlite_template, settings.url_for("portal").removeprefix("sqlite:///"))
    # A diploma recorded by 185.
    diploma_id = str(uuid.uuid4())
    diploma = _diploma(settings, f"{settings.public_url}/verify/{diploma_id}")
    db = fed.db("185")
    with db.session() as s:
        s.add(IssuedDocument(
            document_id=diploma_id, institution_code="185", kind="diploma_set", lang="nb",
            sha256=hashlib.sha256(diploma).hexdigest(), size_bytes=len(diploma), signer_subject="CN=UiO",
            storage_path=f"documents/185/{diploma_id}.pdf", issued_at=datetime(2026, 6, 20, tzinfo=UTC),
            issued_by="test"))
    db.dispose()
    # A share made by the portal, with its real signed PDF.
    portal_db = Database(settings.url_for("portal"))
    source = StaticResultsSource(*_hisf())
    fetch_id = fetch_now(portal_db, source)
    with portal_db.session() as s:
        [created] = shares.create_shares(
            s, owner=OWNER, fetch_id=fetch_id, now=datetime.now(UTC), public_url=settings.public_url,
            request=ShareRequest(Selection(qualifications=frozenset({("216", "BA")})), ["hr@example.no"], "nb"),
            pdf_maker=SharePdfMaker(settings), mailer=MemoryMailer())
        share_id, share_pdf = created.share.public_id, created.share.pdf or b""
    portal_db.dispose()
    # A school certificate issued by the CLI into its school's record.
    register_demo_schools(settings.home)
    out = home / "certificates"
    result = CliRunner().invoke(cli, ["school", "certificate", str(PUPILS), "--out", str(out)],
                                env={"VITNEMAL_HOME": str(settings.home)})
    assert result.exit_code == 0, result.output
    certificate = (out / "p1.pdf").read_bytes()
    certificate_id = check_pdf(certificate, [settings.home / "ca" / "ca.pem"]).document_id
    assert certificate_id is not None
    # A diploma signed under another federation's CA.
    other = build_federation(home / "other", ["185"], "http://elsewhere", template=sqlite_template)
    return Documents(settings, diploma_id, diploma, share_id, share_pdf, certificate_id, certificate,
                     _diploma(other.settings))


def _hisf() -> tuple[list, dict]:  # type: ignore[type-arg]
    from tests.functional.portal.conftest import HISF, INSTITUTIONS

    return INSTITUTIONS, {"216": HISF}


@pytest.fixture(scope="module")
def client(docs: Documents) -> Iterator[TestClient]:
    with TestClient(create_app(docs.settings)) as test_client:
        yield test_client


def _upload(client: TestClient, pdf: bytes, lang: str = "nb") -> tuple[int, str]:
    page = client.get(f"/verify?lang={lang}", headers=BROWSER)
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/verify", headers=BROWSER, data={"csrf_token": token},
                         files={"file": ("x.pdf", pdf, "application/pdf")})
    return answer.status_code, answer.text


def test_the_page_has_one_file_input(client: TestClient) -> None:
    page = client.get("/verify?lang=en", headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count('type="file"') == 1 and "Check a document" in page.text


def test_a_genuine_diploma_in_three_languages(client: TestClient, docs: Documents) -> None:
    for lang, word in (("nb", "Ekte"), ("nn", "Ekte"), ("en", "Genuine")):
        status, text = _upload(client, docs.diploma, lang)
        assert status == 200 and f">{word}<" in text.replace("\n", "").replace("  ", ""), lang
        assert "Universitetet i Oslo" in text and docs.diploma_id in text


def test_a_single_changed_byte_is_reported(client: TestClient, docs: Documents) -> None:
    changed = bytearray(docs.diploma)
    changed[len(changed) // 3] ^= 1
    status, text = _upload(client, bytes(changed), "en")
    assert status == 200 and "Modified or not intact" in text and "Genuine" not in text
    report = client.post("/verify", files={"file": ("x.pdf", bytes(changed), "application/pdf")}).json()
    assert report["genuine"] is False


def test_an_unknown_signer_is_named_as_a_claim(client: TestClient, docs: Documents) -> None:
    status, text = _upload(client, docs.stranger, "en")
    assert status == 200 and "Unknown signer" in text and "The signature claims to be from" in text
    report = client.post("/verify", files={"file": ("x.pdf", docs.stranger, "application/pdf")}).json()
    assert report["reason"] == "untrusted_ca" and "hint" in report


def test_a_portal_pdf_tells_the_state_of_its_share(client: TestClient, docs: Documents) -> None:
    report = client.post("/verify", files={"file": ("s.pdf", docs.share_pdf, "application/pdf")}).json()
    assert report["genuine"] is True and report["share"]["state"] == "active"
    assert report["share"]["sha256_matches"] is True
    status, text = _upload(client, docs.share_pdf, "en")
    assert status == 200 and "Genuine" in text and "The share behind this PDF is active until" in text
    shown = client.get(f"/verify/{docs.share_id}").json()
    assert shown["kind"] == "portal_share" and shown["state"] == "active" and "owner" not in str(shown)
    page = client.get(f"/verify/{docs.share_id}?lang=en", headers=BROWSER)
    assert page.status_code == 200 and "results shared from Vitnemålsportalen" in page.text
    portal_db = Database(docs.settings.url_for("portal"))
    with portal_db.session() as s:
        assert shares.end_share(s, owner_id=OWNER.national_id, public_id=docs.share_id, now=datetime.now(UTC))
    with portal_db.read_session() as s:
        verified = s.scalars(select(AuditEvent.actor).where(AuditEvent.action == events.SHARE_VERIFIED)).all()
    portal_db.dispose()
    # Four looks by one client within a minute: audited once (a repeat is the same look, as for polls).
    assert verified == ["verifier:testclient"]
    assert client.get(f"/verify/{docs.share_id}").json()["state"] == "ended"
    _status, text = _upload(client, docs.share_pdf, "nb")
    assert "Eieren avsluttet delingen" in text


def test_a_school_certificate_is_found_by_its_id(client: TestClient, docs: Documents) -> None:
    shown = client.get(f"/verify/{docs.certificate_id}")
    assert shown.status_code == 200, shown.text
    record = shown.json()
    assert record["kind"] == "school_certificate" and record["institution_name"] == "Eksempel ungdomsskole"
    report = client.post("/verify", files={"file": ("c.pdf", docs.certificate, "application/pdf")}).json()
    assert report["genuine"] is True and report["record"]["known"] is True
    page = client.get(f"/verify/{docs.certificate_id}?lang=en", headers=BROWSER)
    assert "School certificate" in page.text and "Eksempel ungdomsskole" in page.text


def test_api_clients_keep_their_json(client: TestClient, docs: Documents) -> None:
    for accept in (None, "*/*", "application/json", "application/json, text/html;q=0.5"):
        headers = {"accept": accept} if accept else {}
        shown = client.get(f"/verify/{docs.diploma_id}", headers=headers)
        assert shown.headers["content-type"] == "application/json", accept
        assert shown.json()["institution_code"] == "185" and shown.headers["vary"] == "Accept"
    page = client.get(f"/verify/{docs.diploma_id}?lang=en", headers=BROWSER)
    assert page.headers["content-type"].startswith("text/html") and page.headers["vary"] == "Accept"
    assert "Universitetet i Oslo" in page.text and "Diploma with transcript" in page.text
    missing = client.get(f"/verify/{uuid.uuid4()}?lang=en", headers=BROWSER)
    assert missing.status_code == 404 and "No document with this id is known here" in missing.text
    hostile = client.get("/verify/<script>alert(1)</script>", headers=BROWSER)
    assert hostile.status_code == 404 and "<script>alert" not in hostile.text


def test_uploads_are_limited_per_client_in_the_database(docs: Documents) -> None:
    settings = replace(docs.settings, verify_uploads_per_hour=2)
    with TestClient(create_app(settings), client=("192.0.2.7", 50000)) as limited:
        statuses = [_upload(limited, b"%PDF-1.7 not really")[0] for _ in range(2)]
        refused = limited.post("/verify", files={"file": ("x.pdf", docs.diploma, "application/pdf")})
        page = limited.get("/verify", headers=BROWSER)
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        refused_page = limited.post("/verify?lang=en", headers=BROWSER, data={"csrf_token": token},
                                    files={"file": ("x.pdf", docs.diploma, "application/pdf")})
    # The counter is in the web database: a second app (another process) on it sees the same count.
    with TestClient(create_app(settings), client=("192.0.2.7", 50001)) as other_process:
        elsewhere = other_process.post("/verify", files={"file": ("x.pdf", docs.diploma, "application/pdf")})
    assert statuses == [200, 200]
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 3600
    assert "try again in" in refused.json()["detail"]
    assert refused_page.status_code == 429 and "Try again after" in refused_page.text
    assert int(refused_page.headers["retry-after"]) > 0
    assert elsewhere.status_code == 429


def test_a_school_record_that_cannot_be_read_does_not_stop_the_others(client: TestClient, docs: Documents) -> None:
    from vitnemal.school.registry import SchoolEntry, SchoolRegistry, register_schools, registry_path

    path = registry_path(docs.settings.home)
    before = path.read_bytes()
    register_schools(docs.settings.home, [SchoolEntry("974760673", "Skolen uten register", "Oslo")])
    broken = Path(docs.settings.url_for("974760673").removeprefix("sqlite:///"))
    broken.write_bytes(b"this is not a database " * 100)  # as a PostgreSQL database that was never made
    try:
        report = client.post("/verify", files={"file": ("s.pdf", docs.share_pdf, "application/pdf")})
        shown = client.get(f"/verify/{docs.certificate_id}")
    finally:
        path.write_bytes(before)
        broken.unlink()
    assert report.status_code == 200 and report.json()["genuine"] is True
    assert shown.status_code == 200 and shown.json()["kind"] == "school_certificate"
    assert len(SchoolRegistry.load(path)) >= 1


def test_look_ups_by_id_are_limited_per_client_in_the_database(docs: Documents) -> None:
    # Each look-up of an unknown id asks every record held here: an anonymous client may not ask without bound.
    settings = replace(docs.settings, verify_uploads_per_hour=1)  # 10 look-ups an hour
    with TestClient(create_app(settings), client=("192.0.2.44", 50000)) as one:
        statuses = [one.get(f"/verify/{uuid.uuid4()}").status_code for _ in range(10)]
        refused = one.get(f"/verify/{docs.diploma_id}")
    assert statuses == [404] * 10
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 3600
    assert "try again in" in refused.json()["detail"]
