"""PAdES signing with a key file: poppler's pdfsig accepts it, the signature certifies, a changed byte breaks it."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from tests.poppler import pdfsig

from vitnemal.signing.ca import LocalCertificateAuthority
from vitnemal.signing.pdf import KeyFileSigner, SigningError
from vitnemal.signing.verify import UnreadablePdf, verify_pdf


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



def _signer_info(pdf: bytes) -> Any:
    from asn1crypto import cms

    match = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    assert match is not None
    # The /Contents hex is zero-padded; the DER length says where the signature ends (a strip of zeros would also
    # eat a signature whose last byte is 0, one in 256).
    raw = bytes.fromhex(match.group(1).decode())
    return cms.ContentInfo.load(raw)["content"]["signer_infos"][0]


def _attributes(pdf: bytes) -> dict[str, bytes]:
    return {a["type"].native: a.dump() for a in _signer_info(pdf)["signed_attrs"]}


def test_cached_attributes_make_the_signature_pyhanko_would_make(
    local_ca: LocalCertificateAuthority, sample_pdf: bytes, tmp_path: Path, write: Callable[[bytes], Path]
) -> None:
    """After its first signature a signer reuses the signed attributes it built; the CMS structure is the one
    pyHanko makes on its own, attribute for attribute."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key, cert = local_ca.issue_signer(tmp_path, "Cache-skolen", "Kommune")
    plain = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=(str(local_ca.cert_path),))
    assert plain is not None
    meta = signers.PdfSignatureMetadata(field_name="Signatur", subfilter=fields.SigSeedSubFilter.PADES)
    reference = signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(sample_pdf)), meta, signer=plain).getvalue()
    expected = _attributes(reference)
    signer = KeyFileSigner(key, cert, [local_ca.cert_path])
    for _ in range(3):  # the first builds the attributes, the others reuse them
        signed = signer.sign(sample_pdf)
        got = _attributes(signed)
        assert set(got) == set(expected) == {"content_type", "message_digest", "signing_certificate_v2"}
        assert got["content_type"] == expected["content_type"]
        assert got["signing_certificate_v2"] == expected["signing_certificate_v2"]
        assert _signer_info(signed)["sid"].dump() == _signer_info(reference)["sid"].dump()
        assert verify_pdf(signed, [local_ca.cert_path])[0].ok
    assert "Signature Validation: Signature is Valid." in pdfsig(write(signed))
