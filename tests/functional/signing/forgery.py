"""What a forger would do to a signed PDF, for the verification tests: flip a byte, draw a new revision over page 1
(and sign it), swap the signer's certificate inside the signature."""

from __future__ import annotations

import re
from io import BytesIO
from unittest import mock

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vitnemal.signing.pdf import PadesSigner

_CONTENTS = re.compile(rb"/Contents\s*<([0-9a-fA-F]+)>")


def flip(pdf: bytes, position: int, bit: int = 1) -> bytes:
    """Return ``pdf`` with one bit of the byte at ``position`` flipped."""
    changed = bytearray(pdf)
    changed[position] ^= bit
    return bytes(changed)


def contents_span(pdf: bytes) -> tuple[int, int, int]:
    """Return (start, end of the CMS structure, end of the padding) of the first signature's hex digits."""
    match = _CONTENTS.search(pdf)
    assert match is not None
    raw = bytes.fromhex(match.group(1).decode())
    der_length = len(cms.ContentInfo.load(raw).dump())
    return match.start(1), match.start(1) + 2 * der_length, match.end(1)


def draw_over_page_one(pdf: bytes, signer: PadesSigner | None = None) -> bytes:
    """Return ``pdf`` with an incremental update painting page 1 white and writing new text on it.

    With ``signer`` the forged revision is signed too (pyHanko itself refuses to sign after a "no changes"
    certification, so that guard is switched off here: a forger would use another tool).
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers import pdf_signer

    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    overlay = generic.StreamObject(stream_data=b"q 1 1 1 rg 0 0 2000 2000 re f Q")
    contents = page["/Contents"]
    existing = list(contents) if isinstance(contents, generic.ArrayObject) else [contents]
    page["/Contents"] = generic.ArrayObject([*existing, writer.add_object(overlay)])
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    forged = out.getvalue()
    if signer is None:
        return forged
    with mock.patch.object(pdf_signer.PdfSigner, "_enforce_certification_constraints", lambda self, reader: None):
        return signer.sign(forged)


def swap_signer_certificate(pdf: bytes, other: x509.Certificate) -> bytes:
    """Return ``pdf`` with the signer's certificate in the signature replaced by ``other`` (and the signer
    identifier pointed at it), keeping the signature value and the signed bytes as they were."""
    match = _CONTENTS.search(pdf)
    assert match is not None
    content_info = cms.ContentInfo.load(bytes.fromhex(match.group(1).decode()))
    signed_data = content_info["content"]
    signer_info = signed_data["signer_infos"][0]
    sid = signer_info["sid"].chosen
    replacement = asn1_x509.Certificate.load(other.public_bytes(serialization.Encoding.DER))
    kept = [
        c
        for c in signed_data["certificates"]
        if not (c.chosen.issuer == sid["issuer"] and c.chosen.serial_number == sid["serial_number"].native)
    ]
    signed_data["certificates"] = cms.CertificateSet([cms.CertificateChoices({"certificate": replacement}), *kept])
    signer_info["sid"] = cms.SignerIdentifier(
        {
            "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                {"issuer": replacement.issuer, "serial_number": replacement.serial_number}
            )
        }
    )
    new_hex = content_info.dump(force=True).hex().encode()
    assert len(new_hex) <= len(match.group(1))
    return pdf[: match.start(1)] + new_hex.ljust(len(match.group(1)), b"0") + pdf[match.end(1) :]
