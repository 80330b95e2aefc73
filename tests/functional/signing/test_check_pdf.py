"""Is a signed PDF genuine? One changed byte, an appended revision (signed or not), a swapped signer certificate,
an untrusted CA: each rejected with its own reason, and poppler's pdfsig agrees where it can tell."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from forgery import contents_span, draw_over_page_one, flip, swap_signer_certificate
from tests.poppler import pdfsig

from vitnemal.signing.ca import LocalCertificateAuthority
from vitnemal.signing.forensics import institution_unit
from vitnemal.signing.pdf import KeyFileSigner
from vitnemal.signing.verify import Reason, check_pdf

DOC_ID = "0b9d4c1e-7a52-4f0e-9c3d-2e8f6a1b5c7d"
URL = f"https://vitnemal.example/verify/{DOC_ID}"


@pytest.fixture(scope="module")
def uio(local_ca: LocalCertificateAuthority) -> KeyFileSigner:
    key, cert = local_ca.issue_signer(
        local_ca.directory / "inst", "Universitetet i Oslo", "Universitetet i Oslo", unit=institution_unit("185")
    )
    return KeyFileSigner(key, cert, [local_ca.cert_path], reason="Vitnemål")


@pytest.fixture(scope="module")
def hisf(local_ca: LocalCertificateAuthority) -> KeyFileSigner:
    key, cert = local_ca.issue_signer(local_ca.directory / "inst", "HiSF", "HiSF", unit=institution_unit("216"))
    return KeyFileSigner(key, cert, [local_ca.cert_path], certify=False, field_name="Forfalsket")


@pytest.fixture(scope="module")
def stranger_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A key and certificate with the same name as UiO's, from a CA nobody here trusts."""
    ca = LocalCertificateAuthority.create_or_load(tmp_path_factory.mktemp("stranger"), "Fremmed CA")
    key, cert = ca.issue_signer(
        ca.directory / "s", "Universitetet i Oslo", "Universitetet i Oslo", unit=institution_unit("185")
    )
    return key, cert, ca.cert_path


@pytest.fixture(scope="module")
def stranger(stranger_files: tuple[Path, Path, Path]) -> KeyFileSigner:
    key, cert, ca_cert = stranger_files
    return KeyFileSigner(key, cert, [ca_cert], certify=False, field_name="Fremmed")


@pytest.fixture(scope="module")
def genuine(uio: KeyFileSigner, sample_pdf: bytes) -> bytes:
    return uio.sign(sample_pdf, contact_info=URL)


def test_a_genuine_document_says_who_signed_and_its_id(genuine: bytes, local_ca: LocalCertificateAuthority) -> None:
    check = check_pdf(genuine, [local_ca.cert_path])
    assert check.genuine and check.reason is None
    assert check.intact and check.valid and check.trusted and check.certified and check.covers_entire_file
    assert check.docmdp == "NO_CHANGES" and check.signatures == 1 and check.later_revisions == 0
    assert check.document_id == DOC_ID
    assert check.signer is not None and check.signer.institution_code == "185"
    assert check.signer.organization == "Universitetet i Oslo"
    assert check.signing_time is not None
    assert all(ok for _, ok in check.checks())
    assert check.to_dict()["signer"]["institution_code"] == "185"


def test_one_changed_byte_in_the_signed_part(
    genuine: bytes, local_ca: LocalCertificateAuthority, write: Callable[[bytes], Path]
) -> None:
    changed = flip(genuine, len(genuine) // 3)
    check = check_pdf(changed, [local_ca.cert_path])
    assert check.reason == Reason.CHANGED_BYTES and not check.intact
    assert "Digest Mismatch" in pdfsig(write(changed))


@pytest.mark.parametrize("where", ["header", "xref", "trailer", "cms", "ca_copy", "padding"])
def test_a_changed_byte_anywhere_is_caught(genuine: bytes, local_ca: LocalCertificateAuthority, where: str) -> None:
    start, der_end, end = contents_span(genuine)
    position = {
        "header": 1,  # %PDF- → %QDF-: not even a PDF header any more, yet the signature still tells
        "xref": genuine.rindex(b"xref") + 6,
        "trailer": genuine.rindex(b"startxref") + 11,
        "cms": start + 60,
        "ca_copy": der_end - 200,  # inside the CA's certificate carried in the signature, not used for trust
        "padding": (der_end + end) // 2,  # zero padding after the CMS structure, outside the digest
    }[where]
    check = check_pdf(flip(genuine, position), [local_ca.cert_path])
    assert not check.genuine
    assert check.reason in (Reason.CHANGED_BYTES, Reason.BAD_SIGNATURE, Reason.SIGNER_CERTIFICATE_MISMATCH)


def test_every_sampled_single_byte_change_is_rejected(genuine: bytes, local_ca: LocalCertificateAuthority) -> None:
    start, der_end, _ = contents_span(genuine)
    positions = [*range(0, len(genuine), len(genuine) // 40), *range(start, der_end, (der_end - start) // 40)]
    accepted = [p for p in positions if check_pdf(flip(genuine, p, 2), [local_ca.cert_path]).genuine]
    assert accepted == []


def test_a_revision_drawn_over_page_one_is_rejected(
    genuine: bytes,
    local_ca: LocalCertificateAuthority,
    hisf: KeyFileSigner,
    stranger: KeyFileSigner,
    write: Callable[[bytes], Path],
) -> None:
    for forger in (None, hisf, stranger):  # unsigned, signed with a trusted key, signed with an untrusted one
        forged = draw_over_page_one(genuine, forger)
        check = check_pdf(forged, [local_ca.cert_path])
        assert check.reason == Reason.APPENDED_REVISION, forger
        assert check.intact and check.valid and check.trusted  # the original signature's cryptography holds
        assert not check.covers_entire_file and check.later_revisions >= 1
        assert "Not total document signed" in pdfsig(write(forged))


def test_bytes_appended_after_the_signature_are_rejected(genuine: bytes, local_ca: LocalCertificateAuthority) -> None:
    check = check_pdf(genuine + b"\n%extra\n", [local_ca.cert_path])
    assert check.reason == Reason.APPENDED_REVISION


def test_a_swapped_signer_certificate(
    genuine: bytes, hisf: KeyFileSigner, local_ca: LocalCertificateAuthority, write: Callable[[bytes], Path]
) -> None:
    swapped = swap_signer_certificate(genuine, hisf.certificate)
    check = check_pdf(swapped, [local_ca.cert_path])
    assert check.reason == Reason.SIGNER_CERTIFICATE_MISMATCH
    assert check.intact and not check.validated  # the signed bytes are as they were; the signature is not
    assert "Signature is Invalid" in pdfsig(write(swapped))


def test_an_untrusted_ca(
    stranger_files: tuple[Path, Path, Path], sample_pdf: bytes, local_ca: LocalCertificateAuthority
) -> None:
    key, cert, ca_cert = stranger_files
    for chain in ([ca_cert], []):  # with or without the stranger's CA certificate carried in the signature
        signed = KeyFileSigner(key, cert, chain).sign(sample_pdf, contact_info=URL)  # certifying, same names
        check = check_pdf(signed, [local_ca.cert_path])
        assert check.reason == Reason.UNTRUSTED_CA and check.intact and check.valid and not check.trusted
        assert check.signer is not None and check.signer.institution_code == "185"
        assert check_pdf(signed, []).reason == Reason.UNTRUSTED_CA  # no trust roots at all
    assert check_pdf(signed, [ca_cert]).genuine  # trusting the stranger's CA makes it genuine


def test_unsigned_uncertified_and_unreadable(
    sample_pdf: bytes, hisf: KeyFileSigner, local_ca: LocalCertificateAuthority
) -> None:
    assert check_pdf(sample_pdf, [local_ca.cert_path]).reason == Reason.NOT_SIGNED
    approval_only = check_pdf(hisf.sign(sample_pdf), [local_ca.cert_path])
    assert approval_only.reason == Reason.NOT_CERTIFIED and approval_only.trusted
    for junk in (b"", b"hello", b"%PDF-1.7\nnothing else"):
        assert check_pdf(junk, [local_ca.cert_path]).reason == Reason.UNREADABLE


def test_pdfsig_accepts_the_genuine_document(genuine: bytes, write: Callable[[bytes], Path]) -> None:
    assert b"/Version /2.0" not in genuine and b"/ESIC" in genuine  # stays PDF 1.7, as PDF/A-3 requires
    report = pdfsig(write(genuine))
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "Signer Certificate Common Name: Universitetet i Oslo" in report


def test_the_institution_code_is_read_from_the_certificate(uio: KeyFileSigner) -> None:
    assert x509.NameOID.ORGANIZATIONAL_UNIT_NAME in [a.oid for a in uio.certificate.subject]
    assert "OU=Institusjonsnummer 185" in uio.signer_subject
