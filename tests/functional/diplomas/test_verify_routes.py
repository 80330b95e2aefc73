"""The web verification service: ``POST /verify`` with an upload, ``GET /verify/{document_id}`` for the record."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vitnemal.devtools.federation import BareFederation, build_federation
from vitnemal.diplomas import routes
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.diplomas.signers import local_signer_spec, make_signer
from vitnemal.web.app import create_app


@pytest.fixture(scope="module")
def fed(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> BareFederation:
    home = tmp_path_factory.mktemp("verify-web")
    fed = build_federation(home, ["185", "216"], "http://testserver", template=sqlite_template)
    # The web database counts uploads per client (POST /verify's rate limit).
    shutil.copyfile(sqlite_template, fed.settings.url_for("portal").removeprefix("sqlite:///"))
    return fed


@pytest.fixture(scope="module")
def client(fed: BareFederation) -> Iterator[TestClient]:
    with TestClient(create_app(fed.settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def issued(fed: BareFederation) -> tuple[str, bytes]:
    """A document signed by 185 and recorded in its database, as the issuing pipeline would leave it."""
    import typst

    signer = make_signer(local_signer_spec(fed.settings, "185"))
    document_id = str(uuid.uuid4())
    unsigned = typst.compile(b"= Vitnem\xc3\xa5l", format="pdf", pdf_standards="a-3b")
    pdf = signer.sign(unsigned, contact_info=f"{fed.settings.public_url}/verify/{document_id}")
    db = fed.db("185")
    with db.session() as s:
        s.add(IssuedDocument(
            document_id=document_id, institution_code="185", kind="diploma_set", lang="nb",
            sha256=hashlib.sha256(pdf).hexdigest(), size_bytes=len(pdf), signer_subject=signer.signer_subject,
            storage_path=f"documents/185/{document_id}.pdf", issued_at=datetime(2026, 6, 20, tzinfo=UTC),
            issued_by="test",
        ))
    db.dispose()
    return document_id, pdf


def test_upload_a_genuine_document(client: TestClient, issued: tuple[str, bytes]) -> None:
    document_id, pdf = issued
    response = client.post("/verify", files={"file": ("vitnemal.pdf", pdf, "application/pdf")})
    assert response.status_code == 200
    report = response.json()
    assert report["genuine"] is True and report["document_id"] == document_id
    assert report["signer"]["institution_code"] == "185"
    assert report["record"]["known"] is True and report["record"]["sha256_matches"] is True


def test_upload_a_changed_document(client: TestClient, issued: tuple[str, bytes]) -> None:
    changed = bytearray(issued[1])
    changed[200] ^= 1
    report = client.post("/verify", files={"file": ("x.pdf", bytes(changed), "application/pdf")}).json()
    assert report["genuine"] is False and report["reason"] == "changed_bytes"
    report = client.post("/verify", files={"file": ("x.pdf", b"not a pdf", "application/pdf")}).json()
    assert report["reason"] == "unreadable"


def test_uploads_are_limited(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes, "MAX_UPLOAD_BYTES", 1000)
    response = client.post("/verify", files={"file": ("big.pdf", b"%PDF-" + b"0" * 200_000, "application/pdf")})
    assert response.status_code == 413
    response = client.post("/verify", files={"other": ("x.pdf", b"%PDF-", "application/pdf")})
    assert response.status_code == 422 and "field named 'file'" in response.json()["detail"]


def test_look_up_a_document_id(client: TestClient, issued: tuple[str, bytes]) -> None:
    document_id, pdf = issued
    response = client.get(f"/verify/{document_id}")
    assert response.status_code == 200
    shown = response.json()
    assert shown["institution_code"] == "185" and shown["institution_name"] == "Universitetet i Oslo"
    assert shown["sha256"] == hashlib.sha256(pdf).hexdigest() and shown["replaced"] is False
    assert shown["kind"] == "diploma_set" and shown["issued_at"].startswith("2026-06-20")
    assert not {"person_id", "qualification_id", "storage_path", "issued_by"} & set(shown)
    assert client.get(f"/verify/{document_id.upper()}").status_code == 200  # ids are case-insensitive


def test_unknown_and_malformed_ids(client: TestClient) -> None:
    response = client.get(f"/verify/{uuid.uuid4()}")
    assert response.status_code == 404 and "no institution" in response.json()["detail"]
    response = client.get("/verify/<script>alert(1)</script>")
    assert response.status_code == 404 and "<script>" not in response.text
    assert response.headers["content-type"].startswith("application/json")


def test_a_full_verifier_answers_503_at_once(client: TestClient, issued: tuple[str, bytes]) -> None:
    from vitnemal.signing.pool import CheckPool

    pool = CheckPool(1, max_waiting=0)
    previous = client.app.state.check_pool  # type: ignore[attr-defined]
    client.app.state.check_pool = pool  # type: ignore[attr-defined]
    pool._admit()  # one check under way: all this pool admits
    try:
        response = client.post("/verify", files={"file": ("x.pdf", issued[1], "application/pdf")})
    finally:
        client.app.state.check_pool = previous  # type: ignore[attr-defined]
        pool.close()
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "try again" in response.json()["detail"]
