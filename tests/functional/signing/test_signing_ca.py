"""The local certificate authority: files, modes, key usage, reuse, and a second process seeing the same CA."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from vitnemal.signing.ca import LocalCertificateAuthority, file_stem


def test_the_ca_is_created_once_and_loaded_after(tmp_path: Path) -> None:
    first = LocalCertificateAuthority.create_or_load(tmp_path / "ca", "Demo-CA")
    assert {p.name for p in (tmp_path / "ca").iterdir()} >= {"ca.pem", "ca-key.pem"}
    assert stat.S_IMODE((tmp_path / "ca" / "ca-key.pem").stat().st_mode) == 0o600
    again = LocalCertificateAuthority.create_or_load(tmp_path / "ca", "another name is ignored")
    assert again.certificate == first.certificate
    assert isinstance(first.private_key.curve, ec.SECP256R1)
    constraints = first.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca


def test_an_issued_signer_is_a_document_signing_end_entity(tmp_path: Path) -> None:
    ca = LocalCertificateAuthority.create_or_load(tmp_path / "ca", "Demo-CA")
    key_path, cert_path = ca.issue_signer(
        tmp_path / "signers", "Åsane skole", "Bergen kommune", organization_number="964338531"
    )
    assert (key_path.name, cert_path.name) == ("asane-skole-key.pem", "asane-skole.pem")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    cert.verify_directly_issued_by(ca.certificate)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "Åsane skole"
    assert "NTRNO-964338531" in cert.subject.rfc4514_string()


def test_a_signer_is_reused_unless_asked_for_a_new_one(tmp_path: Path) -> None:
    ca = LocalCertificateAuthority.create_or_load(tmp_path / "ca")
    _, cert_path = ca.issue_signer(tmp_path / "signers", "Skole", "Kommune")
    first = cert_path.read_bytes()
    ca.issue_signer(tmp_path / "signers", "Skole", "Kommune")
    assert cert_path.read_bytes() == first
    ca.issue_signer(tmp_path / "signers", "Skole", "Kommune", reuse=False)
    assert cert_path.read_bytes() != first


def test_a_signer_from_another_ca_is_replaced(tmp_path: Path) -> None:
    other = LocalCertificateAuthority.create_or_load(tmp_path / "other")
    other.issue_signer(tmp_path / "signers", "Skole", "Kommune")
    ca = LocalCertificateAuthority.create_or_load(tmp_path / "ca")
    _, cert_path = ca.issue_signer(tmp_path / "signers", "Skole", "Kommune")
    x509.load_pem_x509_certificate(cert_path.read_bytes()).verify_directly_issued_by(ca.certificate)


def test_file_stems_are_safe() -> None:
    assert file_stem("Ærlig Øvre Åsen skole / avd. 2") == "aerlig-ovre-asen-skole-avd-2"
    assert file_stem("../../etc") == "etc"
    assert file_stem("!!!") == "signer"
