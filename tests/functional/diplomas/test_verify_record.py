"""The issuing record in verification: a known document, an unknown id, other bytes under a known id, a revoked
and a replaced document; and what the public look-up by id shows (no person, no qualification)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.diplomas.signers import local_signer_spec, make_signer
from vitnemal.diplomas.verify import public_record, verify_document
from vitnemal.signing.pdf import PadesSigner

ISSUED = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> tuple[PadesSigner, Path]:
    settings = Settings(home=tmp_path_factory.mktemp("record"))
    spec = local_signer_spec(settings, "185", "Universitetet i Oslo")
    return make_signer(spec), spec.chain[0]


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    import typst

    return typst.compile(b"= Vitnem\xc3\xa5l", format="pdf", pdf_standards="a-3b")


def sign(signer: PadesSigner, pdf: bytes) -> tuple[str, bytes]:
    document_id = str(uuid.uuid4())
    return document_id, signer.sign(pdf, contact_info=f"https://portal.example/verify/{document_id}")


def record(s: Session, document_id: str, pdf: bytes, **extra: object) -> IssuedDocument:
    row = IssuedDocument(
        document_id=document_id, institution_code="185", kind="diploma_set", lang="nb",
        sha256=hashlib.sha256(pdf).hexdigest(), size_bytes=len(pdf), signer_subject="CN=Universitetet i Oslo",
        storage_path=f"documents/185/{document_id}.pdf", issued_at=ISSUED, issued_by="test", **extra,
    )
    s.add(row)
    s.flush()
    return row


def opener(db: Database):  # type: ignore[no-untyped-def]
    def open_session(code: str) -> AbstractContextManager[Session] | None:
        if code != "185":
            return None

        @contextmanager
        def session() -> Iterator[Session]:
            with db.read_session() as s:
                yield s

        return session()

    return open_session


def test_the_record_confirms_replaces_or_contradicts(
    db_url: str, signer: tuple[PadesSigner, Path], unsigned: bytes
) -> None:
    key, ca_cert = signer
    db = Database(db_url)
    known_id, known = sign(key, unsigned)
    old_id, old = sign(key, unsigned)
    revoked_id, revoked = sign(key, unsigned)
    other_id, other = sign(key, unsigned)
    _, unrecorded = sign(key, unsigned)
    with db.session() as s:
        newer = record(s, known_id, known)
        record(s, old_id, old, replaced_by_id=newer.id)
        record(s, revoked_id, revoked, revoked_at=datetime(2026, 7, 1, tzinfo=UTC))
        record(s, other_id, b"some other bytes")
    try:
        report = verify_document(known, [ca_cert], opener(db))
        assert report.genuine
        assert report.record.known and report.record.sha256_matches and not report.record.replaced
        assert report.record.issued_at == ISSUED

        report = verify_document(old, [ca_cert], opener(db))
        assert report.genuine and report.record.replaced and report.record.replaced_at == ISSUED
        assert "replaced" in report.warnings[0]

        assert verify_document(revoked, [ca_cert], opener(db)).document.reason == "revoked"
        assert verify_document(other, [ca_cert], opener(db)).document.reason == "record_mismatch"
        report = verify_document(unrecorded, [ca_cert], opener(db))
        assert report.document.reason == "unknown_document"

        offline = verify_document(unrecorded, [ca_cert])
        assert offline.genuine and not offline.record.checked  # without the records only the file speaks

        with db.read_session() as s:
            shown = public_record(s, old_id)
            assert public_record(s, str(uuid.uuid4())) is None
        assert shown is not None
        assert shown["replaced"] is True and shown["institution_code"] == "185"
        assert shown["sha256"] == hashlib.sha256(old).hexdigest()
        assert not {"person_id", "qualification_id", "storage_path", "issued_by"} & set(shown)
    finally:
        db.dispose()


def test_a_changed_file_is_not_looked_up(signer: tuple[PadesSigner, Path], unsigned: bytes) -> None:
    key, ca_cert = signer
    _, pdf = sign(key, unsigned)
    changed = bytearray(pdf)
    changed[100] ^= 1
    report = verify_document(bytes(changed), [ca_cert], lambda code: pytest.fail("looked up a changed file"))
    assert report.document.reason == "changed_bytes" and not report.record.checked


def test_a_certificate_without_an_institution_code_is_located_by_its_id(
    db_url: str, tmp_path: Path, unsigned: bytes
) -> None:
    """A qualified issuer's certificate names no institution number: the record is found by the document id."""
    from vitnemal.signing.ca import LocalCertificateAuthority
    from vitnemal.signing.pdf import KeyFileSigner

    ca = LocalCertificateAuthority.create_or_load(tmp_path / "qualified")
    key, cert = ca.issue_signer(tmp_path / "s", "Universitetet i Oslo", "Universitetet i Oslo",
                                organization_number="971035854")
    document_id, pdf = sign(KeyFileSigner(key, cert, [ca.cert_path]), unsigned)
    db = Database(db_url)
    with db.session() as s:
        record(s, document_id, pdf)
    try:
        unlocated = verify_document(pdf, [ca.cert_path], opener(db))
        assert unlocated.genuine and not unlocated.record.checked
        located = verify_document(pdf, [ca.cert_path], opener(db), lambda i: "185" if i == document_id else None)
        assert located.genuine and located.record.known and located.record.institution_code == "185"
    finally:
        db.dispose()
