"""Who may sign a school certificate: only a registered school, under its registered name, as a school.

Before the school registry, a pupils file naming "Universitetet i Oslo" as its school yielded a certificate that
verified as genuine, signed by "Universitetet i Oslo", and two school names that simplify to the same file name
shared one signing certificate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.config import Settings
from vitnemal.demo.schools import register_demo_schools
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.school.records import school_database
from vitnemal.signing.ca import IssuerKind, LocalCertificateAuthority, RegisteredSigner, issuer_kind
from vitnemal.signing.verify import check_pdf

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "school"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("VITNEMAL_HOME", str(home))
    monkeypatch.setenv("VITNEMAL_DATABASE_URL", "")
    register_demo_schools(home)
    return home


def pupils_of(school: str, municipality: str = "Bergen") -> dict[str, Any]:
    document = json.loads((EXAMPLES / "pupils.json").read_text(encoding="utf-8"))
    document.update(school=school, municipality=municipality)
    return document


def issue(tmp_path: Path, document: dict[str, Any]) -> tuple[Any, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "pupils.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "out"
    return CliRunner().invoke(app, ["school", "certificate", str(path), "--out", str(out)]), out


def test_a_school_that_is_not_registered_gets_no_certificate(home: Path, tmp_path: Path) -> None:
    result, out = issue(tmp_path, pupils_of("Universitetet i Oslo", "Oslo"))
    assert result.exit_code == 1
    assert "'Universitetet i Oslo' is not a registered school" in result.stderr
    assert "vitnemal school register" in result.stderr
    assert list(out.iterdir()) == []
    assert not (home / "ca" / "schools").exists()


def test_a_registered_school_signs_as_a_school_and_the_record_knows_the_certificate(
    home: Path, tmp_path: Path
) -> None:
    result, out = issue(tmp_path, pupils_of("eksempel  UNGDOMSSKOLE"))
    assert result.exit_code == 0, result.output
    check = check_pdf((out / "p1.pdf").read_bytes(), [home / "ca" / "ca.pem"])
    assert check.genuine, check.problems
    assert check.issuer_kind == "school"
    assert check.issued_by == "issued by a lower-secondary school: Eksempel ungdomsskole"
    assert check.signer is not None and check.signer.organization_identifier == "NTRNO-100000008"
    assert check.document_id is not None
    db = school_database(Settings.from_env(), "100000008")
    try:
        with db.read_session() as session:
            rows = [(r.document_id, r.kind, r.institution_code) for r in session.query(IssuedDocument)]
    finally:
        db.dispose()
    assert len(rows) == 3 and check.document_id in {r[0] for r in rows}
    assert {r[1:] for r in rows} == {("school_certificate", "100000008")}

    verified = CliRunner().invoke(app, ["verify", str(out / "p1.pdf")])
    assert verified.exit_code == 0, verified.output
    assert "issued by a lower-secondary school: Eksempel ungdomsskole" in verified.output
    assert "Issuing record: found" in verified.output
    assert f"Document id: {check.document_id}" in verified.output


def test_a_changed_record_makes_the_certificate_not_genuine(home: Path, tmp_path: Path) -> None:
    result, out = issue(tmp_path, pupils_of("Eksempel ungdomsskole"))
    assert result.exit_code == 0, result.output
    db = school_database(Settings.from_env(), "100000008")
    try:
        with db.session() as session:
            for row in session.query(IssuedDocument):
                row.sha256 = "0" * 64
    finally:
        db.dispose()
    verified = CliRunner().invoke(app, ["verify", "--json", str(out / "p1.pdf")])
    assert verified.exit_code == 1
    assert json.loads(verified.stdout)["reason"] == "record_mismatch"


def test_schools_of_one_name_are_told_apart_by_municipality(home: Path, tmp_path: Path) -> None:
    result, out = issue(tmp_path, pupils_of("Haugen skole", "Tromsø"))
    assert result.exit_code == 0, result.output
    check = check_pdf((out / "p1.pdf").read_bytes(), [home / "ca" / "ca.pem"])
    assert check.signer is not None and check.signer.organization_identifier == "NTRNO-100000032"
    ambiguous, _ = issue(tmp_path / "second", pupils_of("Haugen skole", ""))
    assert ambiguous.exit_code == 1 and "fits several registered schools" in ambiguous.stderr


def test_names_that_simplify_alike_get_certificates_of_their_own(tmp_path: Path) -> None:
    ca = LocalCertificateAuthority.create_or_load(tmp_path / "ca")
    first = ca.issue_for(tmp_path / "schools", RegisteredSigner(IssuerKind.SCHOOL, "100000040", "Ås skole"))
    second = ca.issue_for(tmp_path / "schools", RegisteredSigner(IssuerKind.SCHOOL, "100000059", "As skole"))
    assert first != second
    names = [x509.load_pem_x509_certificate(cert.read_bytes()).subject.rfc4514_string() for _, cert in (first, second)]
    assert names[0] != names[1]


def test_every_certificate_states_its_issuer_kind(tmp_path: Path) -> None:
    ca = LocalCertificateAuthority.create_or_load(tmp_path / "ca")
    for kind in IssuerKind:
        _, cert = ca.issue_for(tmp_path / "signers", RegisteredSigner(kind, "1", f"Signer {kind}"))
        assert issuer_kind(x509.load_pem_x509_certificate(cert.read_bytes())) is kind
    _, plain = ca.issue_signer(tmp_path / "signers", "Institusjon", "Institusjon")
    assert issuer_kind(x509.load_pem_x509_certificate(plain.read_bytes())) is IssuerKind.INSTITUTION
    assert issuer_kind(ca.certificate) is None


def test_register_refuses_a_number_that_is_not_an_organisation_number(home: Path) -> None:
    result = CliRunner().invoke(app, ["school", "register", "123456789", "Ny skole"])
    assert result.exit_code == 2 and "check digit" in result.stderr
    listed = CliRunner().invoke(app, ["school", "schools", "--json"])
    assert "123456789" not in listed.stdout and "100000008" in listed.stdout


def test_two_worker_processes_issue_the_same_certificates(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "pupils.json"
    path.write_text(json.dumps(pupils_of("Eksempel ungdomsskole")), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["school", "certificate", str(path), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["p1.pdf", "p2.pdf", "p3.pdf"]
    db = school_database(Settings.from_env(), "100000008")
    try:
        with db.read_session() as session:
            recorded = {r.storage_path: r.sha256 for r in session.query(IssuedDocument)}
    finally:
        db.dispose()
    for pdf in out.iterdir():
        check = check_pdf(pdf.read_bytes(), [home / "ca" / "ca.pem"])
        assert check.genuine and check.issuer_kind == "school", check.problems
        assert recorded[str(pdf)] == check.sha256
