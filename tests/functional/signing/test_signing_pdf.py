"""PAdES signing with a key file: poppler's pdfsig accepts it, the signature certifies, a changed byte breaks it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from signing_tools import poppler_tool

from vitnemal.signing.ca import LocalCertificateAuthority
from vitnemal.signing.pdf import KeyFileSigner, SigningError
from vitnemal.signing.verify import UnreadablePdf, verify_pdf


def pdfsig(path: Path) -> str:
    result = subprocess.run([poppler_tool("pdfsig"), str(path)], capture_output=True, text=True, check=False)
    return result.stdout + result.stderr


def test_pdfsig_accepts_the_signature(signer: KeyFileSigner, sample_pdf: bytes, write: Callable[[bytes], Path]) -> None:
    report = pdfsig(write(signer.sign(sample_pdf)))
    assert "Signature Validation: Signature is Valid." in report
    assert "Signer Certificate Common Name: Testskolen" in report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report  # PAdES


def test_the_signature_certifies_the_document_against_changes(
    signer: KeyFileSigner, sample_pdf: bytes, local_ca: LocalCertificateAuthority
) -> None:
    signed = signer.sign(sample_pdf)
    [check] = verify_pdf(signed, [local_ca.cert_path])
    assert check.ok and check.certified and check.docmdp == "NO_CHANGES"
    assert check.field_name == "Signatur"
    # independent of pyHanko: the catalog's /Perms names the signature as the DocMDP one, with P 1 (no changes)
    assert b"/Perms" in signed and b"/DocMDP" in signed and b"/P 1" in signed


def test_a_changed_byte_breaks_the_signature(
    signer: KeyFileSigner, sample_pdf: bytes, local_ca: LocalCertificateAuthority, write: Callable[[bytes], Path]
) -> None:
    signed = bytearray(signer.sign(sample_pdf))
    signed[len(sample_pdf) // 2] ^= 0x01  # inside the first signed byte range
    assert "Digest Mismatch" in pdfsig(write(bytes(signed)))
    try:
        checks = verify_pdf(bytes(signed), [local_ca.cert_path])
    except UnreadablePdf:
        return
    assert not checks[0].ok and not checks[0].intact


def test_an_untrusted_root_is_reported_as_untrusted(signer: KeyFileSigner, sample_pdf: bytes, tmp_path: Path) -> None:
    stranger = LocalCertificateAuthority.create_or_load(tmp_path / "stranger")
    [check] = verify_pdf(signer.sign(sample_pdf), [stranger.cert_path])
    assert check.intact and not check.trusted and not check.ok


def test_the_signer_is_reused_across_documents(signer: KeyFileSigner, sample_pdf: bytes) -> None:
    first, second = signer.sign(sample_pdf), signer.sign(sample_pdf)
    assert first != second  # each has its own signing time and signature value
    assert verify_pdf(first)[0].intact and verify_pdf(second)[0].intact


def test_field_reason_and_location_are_set(
    local_ca: LocalCertificateAuthority, sample_pdf: bytes, tmp_path: Path
) -> None:
    key, cert = local_ca.issue_signer(tmp_path, "Annen skole", "Kommune")
    signer = KeyFileSigner(key, cert, [local_ca.cert_path], field_name="Skolen", reason="Utstedt", location="Oslo")
    signed = signer.sign(sample_pdf)
    assert verify_pdf(signed)[0].field_name == "Skolen"
    assert b"(Utstedt)" in signed and b"(Oslo)" in signed


def test_clear_errors_for_bad_key_files_and_bad_pdfs(signer: KeyFileSigner, tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="cannot load the signing key"):
        KeyFileSigner(tmp_path / "missing-key.pem", tmp_path / "missing.pem")
    with pytest.raises(SigningError, match="cannot sign the PDF"):
        signer.sign(b"not a pdf")
    with pytest.raises(UnreadablePdf):
        verify_pdf(b"not a pdf")
